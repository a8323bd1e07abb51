"""Train and evaluate models on labeled data from any supported source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CORPUS_PREFIX = "corpus:"


def resolve_data(source: Any) -> Any:
    """``"corpus:train"`` → the bundled split's path; anything else unchanged."""
    if isinstance(source, str) and source.startswith(CORPUS_PREFIX):
        from stancekit.corpus.load import corpus_path

        return corpus_path(source[len(CORPUS_PREFIX):])
    return source


def read_data(source: Any, task: str, **columns):
    from stancekit.loaders import load_labeled

    return load_labeled(resolve_data(source), task=task, **columns)


def build_model(name: str, task: str, seed: int | None = None, **params):
    """A fresh model for ``task`` from a short name ("tfidf", "lexicon", "transformer", ...)."""
    from stancekit.models import model_class
    from stancekit.models.issues import IssueClassifier

    cls = IssueClassifier if task == "issues" else model_class(name)
    if task == "issues" and name in ("transformer", "TransformerClassifier"):
        cls = model_class(name)
        params["task"] = "issues"
    elif task == "issues" and name not in ("tfidf", "IssueClassifier"):
        raise ValueError(f"for task 'issues' the model is 'tfidf' (IssueClassifier) or 'transformer', "
                         f"not {name!r}")
    known = cls().get_params()
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(f"{cls.__name__} has no setting {', '.join(map(repr, unknown))}; "
                         f"its settings are: {', '.join(sorted(known))}")
    if seed is not None and "random_state" in known:
        params["random_state"] = seed
    return cls(**params)


def train_model(data: Any, *, model: str = "tfidf", task: str = "stance", out: str | Path | None = None,
                dev: Any = None, seed: int | None = 0, skip_invalid: bool = False, params: dict | None = None,
                **columns):
    """Train a model on labeled data and save it to ``out`` when given.

    ``data`` and ``dev`` are anything :func:`stancekit.load_labeled` reads, or
    ``"corpus:train"`` / ``"corpus:dev"`` for the bundled corpus. For issues, ``dev``
    tunes the per-issue thresholds; for a transformer it also drives early stopping.
    ``params`` are the model's settings (e.g. ``{"epochs": 3, "adapter_rank": 8}``).
    """
    import inspect

    train = read_data(data, task, skip_invalid=skip_invalid, **columns)
    estimator = build_model(model, task, seed, **(params or {}))
    takes_dev = "dev_texts" in inspect.signature(estimator.fit).parameters
    if takes_dev and dev is not None:
        dev_data = read_data(dev, task, skip_invalid=skip_invalid, **columns)
        estimator.fit(train.texts, train.labels, dev_texts=dev_data.texts, dev_labels=dev_data.labels)
    else:
        estimator.fit(train.texts, train.labels)
    if out is not None:
        estimator.save(out)
    return estimator


def evaluate_model(model: Any, data: Any, **columns) -> dict:
    """Evaluate a model (object or folder) on labeled data; returns a report dict."""
    from stancekit.metrics import evaluate
    from stancekit.models.persist import load_model

    if isinstance(model, (str, Path)):
        model = load_model(model)
    labeled = read_data(data, model.task, **columns)
    return evaluate(model, labeled.texts, labeled.labels)
