"""Classify a Hugging Face ``datasets.Dataset`` with batched ``map``: Arrow in, Arrow out.

A dataset on disk is memory-mapped, so tens of millions of sentences stream through
without being held in memory, and ``num_proc`` spreads the batches over processes.
"""

from __future__ import annotations

from typing import Any

from stancekit.labels import STANCES
from stancekit.pipeline import BATCH_SIZE, _models

# The columns classify_dataset adds, in this order.
PREDICTION_COLUMNS = ("stance", "stance_scores", "issues", "actors", "source", "target", "no_content")


def prediction_features() -> dict:
    """The Arrow types of the prediction columns, as ``datasets`` features."""
    from datasets import Value

    # Plain lists ([feature]) mean an Arrow list in every datasets version; Sequence of a
    # dict would turn into a dict of lists in older ones.
    return {
        "stance": Value("string"),
        "stance_scores": {label: Value("float64") for label in STANCES},
        "issues": [Value("string")],
        "actors": [{"start": Value("int64"), "end": Value("int64"), "text": Value("string"),
                    "code": Value("string"), "kind": Value("string")}],
        "source": Value("string"),
        "target": Value("string"),
        "no_content": Value("bool"),
    }


def as_columns(results: list[dict]) -> dict[str, list]:
    """``classify`` results as one list per prediction column (``no_content`` False
    where the result has no such key)."""
    columns: dict[str, list] = {name: [] for name in PREDICTION_COLUMNS}
    for result in results:
        for name in PREDICTION_COLUMNS[:-1]:
            columns[name].append(result[name])
        columns["no_content"].append(bool(result.get("no_content", False)))
    return columns


class _ClassifyBatch:
    """The function ``map`` runs on each batch. It holds the loaded models, so
    ``datasets`` fingerprints (and caches) the result by the models' content, and each
    ``num_proc`` process receives the models once, with its shard, not once per batch."""

    def __init__(self, models, text_column: str, batch_size: int):
        self.models = models
        self.text_column = text_column
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, list]) -> dict[str, list]:
        from stancekit.pipeline import classify

        return as_columns(classify(batch[self.text_column], self.models, self.batch_size))


def classify_dataset(ds, models=None, text_column: str = "text", batch_size: int = BATCH_SIZE,
                     num_proc: int | None = None, **map_kwargs: Any):
    """Add stance, issues and actors to every row of a Hugging Face dataset.

    Parameters
    ----------
    ds
        A ``datasets.Dataset`` (``Dataset.from_json``, ``load_dataset``, ``load_from_disk``:
        memory-mapped Arrow) or a ``datasets.IterableDataset`` (streamed; no ``num_proc``).
    models
        ``None`` for the bundled default models, a ``Models`` bundle, a single stance
        model or a model folder path.
    text_column
        The column holding the sentences (``str`` or null).
    batch_size
        Rows per ``map`` batch and per model call.
    num_proc
        Processes for ``map``; each receives the loaded models once.
    **map_kwargs
        Passed on to ``Dataset.map`` (``cache_file_name``, ``keep_in_memory``, ``desc``, …).

    Returns
    -------
    datasets.Dataset
        The input columns plus ``stance`` (string); ``stance_scores``, a struct with one
        float field per stance (``cooperative``, ``critical``, ``neutral``; use
        ``ds.flatten()`` for one column per stance, ``stance_scores.critical`` etc.);
        ``issues`` (list of strings); ``actors`` (list of structs ``start``, ``end``,
        ``text``, ``code``, ``kind``); ``source`` and ``target`` (string or null); and
        ``no_content`` (bool). Each row holds what ``stancekit.classify`` returns for its
        text, with ``no_content`` False where ``classify`` leaves it out. An input column
        with one of these names is replaced.

    Examples
    --------
    >>> from datasets import Dataset
    >>> import stancekit
    >>> ds = Dataset.from_dict({"id": [1], "text": ["Peru and Chile signed a water pact."]})
    >>> stancekit.classify_dataset(ds)[0]["stance"]  # doctest: +SKIP
    'cooperative'
    """
    from datasets import Dataset, Features, IterableDataset

    if not isinstance(ds, (Dataset, IterableDataset)):
        raise TypeError(f"expected a datasets.Dataset or IterableDataset, got {type(ds).__name__}; "
                        f"for a DataFrame use datasets.Dataset.from_pandas(frame)")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    names = ds.column_names
    if names is not None and text_column not in names:
        raise ValueError(f"no column {text_column!r} in the dataset (columns: {', '.join(names)}); "
                         f"name yours with text_column=")
    function = _ClassifyBatch(_models(models), text_column, batch_size)
    features = None
    if ds.features is not None:
        added = prediction_features()  # an input column of the same name keeps its place, with the new type
        features = Features({**{k: added.get(k, v) for k, v in ds.features.items()}, **added})
    if isinstance(ds, IterableDataset):
        if num_proc not in (None, 1):
            raise ValueError("num_proc needs a Dataset; an IterableDataset is classified in this process")
        return ds.map(function, batched=True, batch_size=batch_size, features=features, **map_kwargs)
    map_kwargs.setdefault("desc", "classify")
    return ds.map(function, batched=True, batch_size=batch_size, num_proc=num_proc, features=features,
                  **map_kwargs)
