"""Multi-label issue classifier: TF-IDF features, one-vs-rest logistic regression,
and a decision threshold per issue tuned for F1 on dev data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stancekit.errors import DataError
from stancekit.labels import ISSUES
from stancekit.models.base import StanceModel, as_texts, fingerprint
from stancekit.models.persist import load_sklearn, params_from_config, save_sklearn
from stancekit.models.tfidf import tfidf_features

WEIGHTS_FILE = "pipeline.skops"
THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)


def check_issue_training(texts, labels, allowed=ISSUES):
    texts = as_texts(texts)
    labels = [list(label) for label in labels]
    if len(texts) != len(labels):
        raise DataError(f"got {len(texts)} texts but {len(labels)} label lists; they must match")
    for i, label in enumerate(labels):
        bad = [issue for issue in label if issue not in allowed]
        if bad:
            raise DataError(f"labels {i}: unknown issue(s) {bad}; allowed: {', '.join(allowed)}")
    return texts, labels


def best_threshold(y_true: np.ndarray, scores: np.ndarray) -> float:
    """The threshold on ``scores`` that maximises F1 for one label (0.5 if no positives)."""
    if y_true.sum() == 0:
        return 0.5
    best, best_f1 = 0.5, -1.0
    for threshold in THRESHOLD_GRID:
        predicted = scores >= threshold
        tp = float(np.sum(predicted & (y_true == 1)))
        f1 = 2 * tp / (predicted.sum() + y_true.sum())
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best


class IssueClassifier(StanceModel):
    """Tags each sentence with zero or more of the ten issues.

    ``fit(texts, labels)`` takes a list of issue lists per text. Thresholds are tuned
    per issue on ``dev_texts``/``dev_labels`` when given, otherwise on out-of-fold
    predictions over the training data (``cv`` folds).

    ``predict`` returns a list of issue lists; ``predict_proba`` an array with one
    independent probability per issue, columns in ``classes_`` order (they need not
    sum to 1).
    """

    task = "issues"

    def __init__(self, word_ngram_range=(1, 2), char_ngram_range=(2, 5), min_df=2, C=10.0,
                 cv=3, random_state=0):
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.C = C
        self.cv = cv
        self.random_state = random_state

    def _pipeline(self):
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import Pipeline

        return Pipeline([
            ("features", tfidf_features(self.word_ngram_range, self.char_ngram_range, self.min_df)),
            ("clf", OneVsRestClassifier(LogisticRegression(
                C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state))),
        ])

    @staticmethod
    def _binarize(labels) -> np.ndarray:
        return np.array([[issue in label for issue in ISSUES] for label in labels], dtype=int)

    def fit(self, texts, labels, dev_texts=None, dev_labels=None):
        """Fit on texts and issue lists; tune thresholds on dev data if given."""
        from sklearn.model_selection import KFold

        texts, labels = check_issue_training(texts, labels)
        y = self._binarize(labels)
        missing = [ISSUES[j] for j in range(len(ISSUES)) if y[:, j].sum() < 2]
        if missing:
            raise DataError(
                f"issue(s) {', '.join(missing)} have fewer than 2 positive examples; "
                f"every issue needs at least 2"
            )
        if dev_texts is not None:
            dev_texts, dev_labels = check_issue_training(dev_texts, dev_labels)
            y_dev = self._binarize(dev_labels)
            self.pipeline_ = self._pipeline().fit(texts, y)
            scores = self.pipeline_.predict_proba(dev_texts)
        else:
            y_dev, scores = y, np.zeros(y.shape)
            folds = KFold(self.cv, shuffle=True, random_state=self.random_state)
            for train_idx, test_idx in folds.split(texts):
                part = self._pipeline().fit([texts[i] for i in train_idx], y[train_idx])
                scores[test_idx] = part.predict_proba([texts[i] for i in test_idx])
            self.pipeline_ = self._pipeline().fit(texts, y)
        self.thresholds_ = np.array([best_threshold(y_dev[:, j], scores[:, j]) for j in range(len(ISSUES))])
        self.classes_ = np.asarray(ISSUES)
        self.training_fingerprint_ = fingerprint(texts, labels)
        return self

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.pipeline_.predict_proba(texts)

    def predict(self, texts) -> list[list[str]]:
        """The issues whose probability reaches their tuned threshold, per text."""
        proba = self.predict_proba(texts)
        return [[str(c) for c, hit in zip(self.classes_, row) if hit] for row in proba >= self.thresholds_]

    def score(self, texts, labels, sample_weight=None) -> float:
        """Micro-averaged F1 over issues (the default score for this model)."""
        from sklearn.metrics import f1_score

        return f1_score(self._binarize(labels), self._binarize(self.predict(texts)),
                        average="micro", zero_division=0)

    def _write_weights(self, folder: Path) -> dict:
        save_sklearn(self.pipeline_, folder / WEIGHTS_FILE)
        return {"thresholds": [float(t) for t in self.thresholds_]}

    @classmethod
    def _from_folder(cls, folder: Path, config: dict):
        model = cls(**params_from_config(config))
        model.pipeline_ = load_sklearn(folder / WEIGHTS_FILE)
        model.thresholds_ = np.asarray(config["thresholds"], dtype=float)
        model.classes_ = np.asarray(config["classes"])
        model.training_fingerprint_ = config.get("training_fingerprint")
        return model
