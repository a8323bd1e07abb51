"""TF-IDF word and character n-grams with logistic regression."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stancekit.models.base import StanceModel, check_stance_training, fingerprint
from stancekit.models.persist import load_sklearn, params_from_config, save_sklearn

WEIGHTS_FILE = "pipeline.skops"


def tfidf_features(word_ngram_range=(1, 2), char_ngram_range=(2, 5), min_df=2, max_features=None):
    """Word and character n-gram TF-IDF features side by side."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    parts = [
        ("word", TfidfVectorizer(ngram_range=word_ngram_range, min_df=min_df,
                                 max_features=max_features, sublinear_tf=True, lowercase=True)),
    ]
    if char_ngram_range:
        parts.append(
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngram_range,
                                     min_df=min_df, max_features=max_features, sublinear_tf=True))
        )
    return FeatureUnion(parts)


class TfidfClassifier(StanceModel):
    """TF-IDF word + character n-grams, logistic regression with balanced class weights.

    Parameters
    ----------
    word_ngram_range, char_ngram_range
        n-gram ranges; ``char_ngram_range=None`` drops the character features.
    min_df
        Minimum number of training texts an n-gram must occur in.
    C
        Inverse regularisation strength of the logistic regression.
    class_weight
        ``"balanced"`` (default) or ``None``.
    random_state
        Seed for the solver.

    Examples
    --------
    >>> from stancekit import TfidfClassifier
    >>> model = TfidfClassifier(min_df=1).fit(
    ...     ["Talks broke down.", "They signed a pact.", "Talks collapsed.", "A pact was signed."],
    ...     ["critical", "cooperative", "critical", "cooperative"])
    >>> list(model.classes_)
    ['cooperative', 'critical']
    """

    def __init__(self, word_ngram_range=(1, 2), char_ngram_range=(2, 5), min_df=2,
                 max_features=None, C=10.0, class_weight="balanced", max_iter=2000,
                 random_state=0):
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, texts, labels):
        """Fit on texts and stance labels; returns ``self``."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        texts, labels = check_stance_training(texts, labels)
        self.pipeline_ = Pipeline([
            ("features", tfidf_features(self.word_ngram_range, self.char_ngram_range,
                                        self.min_df, self.max_features)),
            ("clf", LogisticRegression(C=self.C, class_weight=self.class_weight,
                                       max_iter=self.max_iter, random_state=self.random_state)),
        ])
        self.pipeline_.fit(texts, labels)
        self.classes_ = np.asarray(self.pipeline_.classes_)
        self.training_fingerprint_ = fingerprint(texts, labels)
        return self

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.pipeline_.predict_proba(texts)

    def _write_weights(self, folder: Path) -> dict:
        save_sklearn(self.pipeline_, folder / WEIGHTS_FILE)
        return {}

    @classmethod
    def _from_folder(cls, folder: Path, config: dict):
        model = cls(**params_from_config(config))
        model.pipeline_ = load_sklearn(folder / WEIGHTS_FILE)
        model.classes_ = np.asarray(config["classes"])
        model.training_fingerprint_ = config.get("training_fingerprint")
        return model
