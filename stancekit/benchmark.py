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


def best_rate(predict: Callable[[], object], n: int, repeats: int = 3) -> float:
    """Sentences per second of ``predict()`` over ``n`` texts: the best of ``repeats``."""
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        predict()
        best = max(best, n / max(time.perf_counter() - start, 1e-9))
    return best


def hf_pipeline_peer(model, texts: Sequence[str], batch_size: int = 64, repeats: int = 3) -> dict:
    """Throughput of a fitted :class:`TransformerClassifier` against the Hugging Face
    ``pipeline("text-classification")`` running the same fine-tuned encoder.

    The pipeline needs a ``...ForSequenceClassification`` model, so the fine-tuned
    encoder's weights are loaded into one built from the same config, and the head is
    copied where the shapes match (BERT-style heads). That model pools with the
    [CLS] pooler instead of the mean, so its labels are not ours: only speed is
    compared, on the same texts, batch size and thread count.
    """
    from stancekit.models import torch_utils as tu

    torch = tu.require_torch()
    from transformers import AutoModelForSequenceClassification, pipeline

    encoder, head = model.net_["encoder"], model.net_["head"]
    config = encoder.config.__class__.from_dict(encoder.config.to_dict())
    config.num_labels = len(model.classes_)
    config.id2label = {i: str(c) for i, c in enumerate(model.classes_)}
    config.label2id = {str(c): i for i, c in enumerate(model.classes_)}
    with tu._quiet_transformers():
        peer = AutoModelForSequenceClassification.from_config(config)
    peer.base_model.load_state_dict(encoder.state_dict(), strict=False)
    classifier = getattr(peer, "classifier", None)
    if isinstance(classifier, torch.nn.Linear) and classifier.weight.shape == head.weight.shape:
        classifier.load_state_dict(head.state_dict())
    peer.eval()
    texts = list(texts)
    classify = pipeline("text-classification", model=peer, tokenizer=model.tokenizer_, device=-1)
    with tu.torch_threads():
        threads = torch.get_num_threads()
        ours = best_rate(lambda: model.predict_proba(texts), len(texts), repeats)
        theirs = best_rate(lambda: classify(texts, batch_size=batch_size, truncation=True,
                                            max_length=model.max_length), len(texts), repeats)
    return {"stancekit_sentences_per_second": round(ours, 1), "hf_pipeline_sentences_per_second": round(theirs, 1),
            "ratio": round(ours / theirs, 2), "batch_size": batch_size, "threads": threads, "n": len(texts)}
