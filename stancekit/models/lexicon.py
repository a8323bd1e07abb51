"""VADER sentiment plus the diplomatic cue lexicon, with a small fitted decision layer."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from stancekit.models.base import StanceModel, check_stance_training, fingerprint
from stancekit.models.persist import load_sklearn, params_from_config, save_sklearn

WEIGHTS_FILE = "decision.skops"
LEXICON_FILE = "lexicon.tsv"
FEATURES = (
    "vader_compound", "vader_pos", "vader_neg",
    "cooperative_cues", "critical_cues", "negated_cooperative_cues", "negated_critical_cues",
    "no_cue",
)


class LexiconClassifier(StanceModel):
    """Stance from VADER and the diplomatic cue lexicon.

    Each sentence is scored by VADER (compound, positive, negative) and by the cue
    lexicon (summed weights of cooperative and critical cues, separately for negated
    cues such as "did not sign"). A multinomial logistic regression fitted on the
    training data turns these eight numbers into class probabilities: these are the
    model's thresholds, learned rather than hand-set.

    Parameters
    ----------
    lexicon_path
        A cue lexicon TSV of your own (``term, polarity, weight, category``); ``None``
        uses the bundled ``diplomatic_cues.tsv``. A custom lexicon is copied into the
        saved model folder.
    C
        Inverse regularisation strength of the decision layer.
    class_weight
        ``"balanced"`` (default) or ``None``.
    """

    def __init__(self, lexicon_path=None, C=1.0, class_weight="balanced"):
        self.lexicon_path = lexicon_path
        self.C = C
        self.class_weight = class_weight

    def _lexicon(self):
        from stancekit.text.cues import CueLexicon, bundled_lexicon

        if getattr(self, "_lexicon_cache", None) is None:
            self._lexicon_cache = (
                bundled_lexicon() if self.lexicon_path is None else CueLexicon.from_tsv(self.lexicon_path)
            )
        return self._lexicon_cache

    def features(self, texts) -> np.ndarray:
        """The eight lexicon features (see ``FEATURES``) for each text."""
        from stancekit.text.vader import vader

        lexicon = self._lexicon()
        analyzer = vader()
        rows = np.zeros((len(texts), len(FEATURES)))
        for i, text in enumerate(texts):
            scores = analyzer.polarity_scores(text)
            row = rows[i]
            row[0], row[1], row[2] = scores["compound"], scores["pos"], scores["neg"]
            matches = lexicon.match(text)
            for m in matches:
                column = 3 if m.cue.polarity == "cooperative" else 4
                row[column + 2 * m.negated] += m.cue.weight
            row[7] = float(not matches)
        return rows

    def fit(self, texts, labels):
        """Fit the decision layer on texts and stance labels; returns ``self``."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        texts, labels = check_stance_training(texts, labels)
        self._lexicon_cache = None
        self.decision_ = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=1000),
        ).fit(self.features(texts), labels)
        self.classes_ = np.asarray(self.decision_.classes_)
        self.training_fingerprint_ = fingerprint(texts, labels)
        return self

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.decision_.predict_proba(self.features(texts))

    def _write_weights(self, folder: Path) -> dict:
        save_sklearn(self.decision_, folder / WEIGHTS_FILE)
        if self.lexicon_path is not None:
            shutil.copyfile(self.lexicon_path, folder / LEXICON_FILE)
        return {"features": list(FEATURES)}

    @classmethod
    def _from_folder(cls, folder: Path, config: dict):
        params = params_from_config(config)
        if params.get("lexicon_path") is not None:
            params["lexicon_path"] = str(folder / LEXICON_FILE)
        model = cls(**params)
        model.decision_ = load_sklearn(folder / WEIGHTS_FILE)
        model.classes_ = np.asarray(config["classes"])
        model.training_fingerprint_ = config.get("training_fingerprint")
        return model
