"""Metrics as plain functions over labels: ``f(y_true, y_pred, *, ...)``."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def stance_report(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    y_true, y_pred = [str(y) for y in y_true], [str(y) for y in y_pred]
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    labels = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class": {label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                              "support": int(s[i])} for i, label in enumerate(labels)},
        "labels": labels,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def issue_report(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]], labels: Sequence[str]) -> dict:
    """Micro- and macro-F1 over issues plus per-issue precision/recall/F1/support."""
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    labels = list(labels)
    true = np.array([[label in row for label in labels] for row in y_true], dtype=int)
    pred = np.array([[label in row for label in labels] for row in y_pred], dtype=int)
    p, r, f, s = precision_recall_fscore_support(true, pred, zero_division=0)
    return {
        "n": len(true),
        "micro_f1": float(f1_score(true, pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(true, pred, average="macro", zero_division=0)),
        "per_class": {label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                              "support": int(s[i])} for i, label in enumerate(labels)},
        "labels": labels,
    }


def format_report(report: dict) -> str:
    """A stance or issue report as a readable text table."""
    headline = [f"n={report['n']}"]
    for key in ("accuracy", "macro_f1", "micro_f1"):
        if key in report:
            headline.append(f"{key}={report[key]:.3f}")
    lines = ["  ".join(headline), "", f"{'label':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for label, row in report["per_class"].items():
        lines.append(f"{label:<14}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}{row['support']:>9}")
    if "confusion_matrix" in report:
        labels = report["labels"]
        width = max(len(l) for l in labels) + 2
        lines += ["", "confusion matrix (rows: true, columns: predicted)",
                  " " * 14 + "".join(f"{l:>{width}}" for l in labels)]
        for label, row in zip(labels, report["confusion_matrix"]):
            lines.append(f"{label:<14}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)


def evaluate(model, texts: Sequence[str], labels: Sequence) -> dict:
    """Evaluate a fitted model on labeled texts (stance or issues, by ``model.task``)."""
    if getattr(model, "task", "stance") == "issues":
        return issue_report(labels, model.predict(texts), [str(c) for c in model.classes_])
    return stance_report(labels, model.predict(texts), [str(c) for c in model.classes_])
