"""The protocol every stancekit classifier follows.

``fit(texts, labels) -> self``, ``predict``, ``predict_proba`` (columns in
``classes_`` order), ``classes_``, ``save(dir)`` and ``load(dir)``. Models are
scikit-learn estimators, so ``clone``, ``cross_val_score`` and ``GridSearchCV`` work.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from stancekit.errors import DataError, NotFittedError
from stancekit.labels import STANCES


def as_texts(texts: Any) -> list[str]:
    """Accept a string sequence (list, array, Series); reject a bare string."""
    if isinstance(texts, str):
        raise TypeError("expected a list of texts, got a single string; wrap it: [text]")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise DataError(f"text {i} is {type(text).__name__}, not str")
    return texts


def fingerprint(texts: Sequence[str], labels: Sequence[Any]) -> str:
    """A short hash of training data, recorded with a saved model."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels):
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00" + repr(label).encode("utf-8") + b"\x01")
    return digest.hexdigest()[:16]


def check_stance_training(texts: Any, labels: Any, allowed: Sequence[str] = STANCES, targets=None):
    """Validate single-label training data; return (texts, labels) as lists.

    ``targets`` (one per text, for target-aware models) count in the duplicate check:
    one sentence may be cooperative toward one actor and critical toward another."""
    texts = as_texts(texts)
    labels = [str(label) if isinstance(label, np.str_) else label for label in labels]
    if len(texts) != len(labels):
        raise DataError(f"got {len(texts)} texts but {len(labels)} labels; they must match")
    bad = sorted({repr(label) for label in labels if label not in allowed})
    if bad:
        raise DataError(f"unknown label(s) {', '.join(bad)}; allowed labels: {', '.join(allowed)}")
    counts = Counter(labels)
    if len(counts) < 2:
        raise DataError(f"training needs at least 2 classes, got only {sorted(counts)}")
    rare = sorted(label for label, n in counts.items() if n < 2)
    if rare:
        raise DataError(
            f"class(es) {', '.join(rare)} have fewer than 2 examples; add examples or drop them"
        )
    from stancekit.loaders import warn_conflicting_duplicates

    warn_conflicting_duplicates(texts, labels, None if targets is None else list(targets))
    return texts, labels


class StanceModel(ClassifierMixin, BaseEstimator):
    """Base class: subclasses implement ``fit``, ``_predict_proba`` (on a non-empty
    list of texts, after the fitted check), ``_write_weights`` and ``_from_folder``."""

    task = "stance"

    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            name = type(self).__name__
            raise NotFittedError(
                f"this {name} is not fitted yet: call fit(texts, labels) first, "
                f"or load a trained one with {name}.load(path)"
            )

    def predict_proba(self, texts) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order."""
        self._check_fitted()
        texts = as_texts(texts)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return self._predict_proba(texts)

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def predict(self, texts) -> np.ndarray:
        """Most probable label for each text."""
        proba = self.predict_proba(texts)
        return self.classes_[np.argmax(proba, axis=1)]

    def save(self, path: str | Path) -> Path:
        """Save to a folder (atomically): config.json plus weight files."""
        from stancekit.models.persist import save_model

        self._check_fitted()
        return save_model(self, path)

    @classmethod
    def load(cls, path: str | Path):
        """Load a folder written by :meth:`save`; refuses a folder of another class."""
        from stancekit.errors import ModelFileError
        from stancekit.models.persist import read_config

        config = read_config(path)
        if config["stancekit_model"] != cls.__name__:
            raise ModelFileError(
                f"{path} holds a {config['stancekit_model']}, not a {cls.__name__}; "
                f"use stancekit.load_model(path) to load any model"
            )
        return cls._from_folder(Path(path), config)
