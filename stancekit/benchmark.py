"""Benchmark helpers: plain functions over labels, probabilities and models.

The loop over models × datasets × seeds lives in ``benchmarks/run.py``; these are
the pieces it (and a user's notebook) calls.
"""

from __future__ import annotations

import inspect
import time
from typing import Callable, Sequence

import numpy as np

from stancekit.labels import STANCES


def macro_f1(y_true, y_pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(list(y_true), list(y_pred), labels=list(STANCES), average="macro", zero_division=0))


def bootstrap_ci(y_true, y_pred, metric: Callable = macro_f1, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of ``metric`` over test examples."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    rng = np.random.default_rng(seed)
    scores = [metric(y_true[idx], y_pred[idx]) for idx in (rng.integers(0, len(y_true), len(y_true)) for _ in range(n_boot))]
    tail = (1 - level) / 2
    return float(np.quantile(scores, tail)), float(np.quantile(scores, 1 - tail))


def expected_calibration_error(y_true, proba: np.ndarray, classes: Sequence[str], n_bins: int = 10) -> float:
    """ECE of the top-class probability: the gap between confidence and accuracy,
    averaged over equal-width confidence bins, weighted by bin size."""
    proba = np.asarray(proba, dtype=float)
    confidence = proba.max(axis=1)
    predicted = np.asarray(classes)[proba.argmax(axis=1)]
    correct = predicted == np.asarray(y_true)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ece = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)


def score_predictions(y_true, y_pred, proba=None, classes=None, *, seed: int = 0, n_boot: int = 1000) -> dict:
    """Accuracy, macro-F1 with a 95% bootstrap CI, F-avg, per-class scores, confusion
    matrix and (with probabilities) ECE."""
    from stancekit.adapters import f_avg
    from stancekit.metrics import stance_report

    report = stance_report(y_true, y_pred, labels=list(STANCES))
    report["macro_f1_ci95"] = bootstrap_ci(y_true, y_pred, macro_f1, n_boot, seed)
    report["f_avg"] = f_avg(y_true, y_pred)
    report["ece"] = expected_calibration_error(y_true, proba, classes) if proba is not None else None
    return report


def accepts_targets(model) -> bool:
    """True for models whose ``fit`` takes ``targets=`` (target-aware input)."""
    return "targets" in inspect.signature(model.fit).parameters


def model_inputs(model, texts, targets):
    """Texts and keyword arguments for a model: target-aware models get ``targets=``;
    others see the target appended to the text, so they at least know which it is."""
    if targets is None:
        return list(texts), {}
    if accepts_targets(model):
        return list(texts), {"targets": list(targets)}
    return [f"{text} [target: {target}]" for text, target in zip(texts, targets)], {}


def fit_model(model, texts, labels, targets=None, dev=None) -> float:
    """Fit and return the wall time in seconds; ``dev`` = (texts, labels, targets) is
    passed to models that take dev data for early stopping."""
    inputs, kwargs = model_inputs(model, texts, targets)
    params = inspect.signature(model.fit).parameters
    if dev is not None and "dev_texts" in params:
        dev_inputs, dev_kwargs = model_inputs(model, dev[0], dev[2])
        kwargs.update(dev_texts=dev_inputs, dev_labels=list(dev[1]))
        if "targets" in dev_kwargs:
            kwargs["dev_targets"] = dev_kwargs["targets"]
    start = time.perf_counter()
    model.fit(inputs, list(labels), **kwargs)
    return time.perf_counter() - start


def predict_timed(model, texts, targets=None) -> tuple[np.ndarray, np.ndarray | None, float]:
    """Predictions, probabilities (None if the model has none) and sentences/s."""
    inputs, kwargs = model_inputs(model, texts, targets)
    start = time.perf_counter()
    proba = model.predict_proba(inputs, **kwargs) if hasattr(model, "predict_proba") else None
    if proba is not None:
        predicted = np.asarray(model.classes_)[proba.argmax(axis=1)]
    else:
        predicted = np.asarray(model.predict(inputs, **kwargs))
    seconds = time.perf_counter() - start
    return predicted, proba, len(inputs) / max(seconds, 1e-9)


def sample_per_class(labels: Sequence[str], n: int, seed: int) -> list[int]:
    """Indices of ``n`` examples of each class (all of a class with fewer), seeded."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    chosen = []
    for label in sorted(set(labels)):
        idx = np.flatnonzero(labels == label)
        chosen.extend(rng.choice(idx, size=min(n, len(idx)), replace=False).tolist())
    return sorted(chosen)
