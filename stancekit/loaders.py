"""Read labeled sentences from files, DataFrames and Hugging Face datasets.

Every reader returns a :class:`LabeledData` and checks each record: a bad record
raises :class:`~stancekit.errors.DataError` naming the file, line and field, unless
``skip_invalid=True``, in which case it is skipped, counted and listed.
"""

from __future__ import annotations

import csv
import json
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from stancekit.errors import DataError
from stancekit.labels import ISSUES, STANCES

TASKS = {"stance": STANCES, "issues": ISSUES}
DEFAULT_LABEL_COLUMN = {"stance": "stance", "issues": "issues"}


@dataclass
class LabeledData:
    """Texts with their labels (a string for stance, a list of strings for issues)."""

    texts: list[str]
    labels: list[Any]
    ids: list[str]
    task: str = "stance"
    skipped: list[str] = field(default_factory=list)
    # Target-aware data (NewsMTSC): the mention each label is about, per text.
    targets: list[str] | None = None

    def __len__(self) -> int:
        return len(self.texts)


def _allowed(task: str) -> tuple[str, ...]:
    if task not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}, got {task!r}")
    return TASKS[task]


def parse_label(value: Any, task: str, where: str, field_name: str) -> Any:
    """Check one label value for ``task`` and return it in canonical form."""
    allowed = _allowed(task)
    if task == "stance":
        if not isinstance(value, str) or value.strip() not in allowed:
            raise DataError(
                f"{where}: field {field_name!r} has {value!r}; allowed labels: {', '.join(allowed)}"
            )
        return value.strip()
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        items = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise DataError(
            f"{where}: field {field_name!r} must be a list of issues or a comma-separated "
            f"string, got {type(value).__name__}"
        )
    for item in items:
        if item not in allowed:
            raise DataError(
                f"{where}: field {field_name!r} has issue {item!r}; allowed: {', '.join(allowed)}"
            )
    return sorted(set(items), key=allowed.index)


def parse_text(value: Any, where: str, field_name: str) -> str:
    if not isinstance(value, str):
        raise DataError(
            f"{where}: field {field_name!r} must be a string, got {type(value).__name__}"
        )
    if not value.strip():
        raise DataError(f"{where}: field {field_name!r} is empty")
    return value


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield ``(line_number, record)``; a malformed line raises :class:`DataError`."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise DataError(f"{path}:{number}: expected a JSON object per line")
                yield number, record
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 text ({exc.reason}); re-encode it as UTF-8") from None


def _iter_csv(path: Path) -> Iterator[tuple[int, dict]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            for row in reader:
                yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason}); re-encode it as UTF-8") from None
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV ({exc})") from None


def _records(source: Any, split: str | None) -> tuple[str, Iterable[tuple[str, dict]]]:
    """Return a display name and an iterator of (where, record) for any source.

    ``where`` is ``"FILE:LINE"`` for files and ``"DataFrame row N"`` otherwise.
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a core dependency
        pd = None
    if pd is not None and isinstance(source, pd.DataFrame):
        return "DataFrame", ((f"DataFrame row {i}", row) for i, row in enumerate(source.to_dict("records")))
    module = type(source).__module__
    if module.startswith("datasets"):
        if type(source).__name__ == "DatasetDict":
            if split is None:
                raise ValueError(
                    f"a DatasetDict needs split=, one of {sorted(source.keys())}"
                )
            source = source[split]
        return "Dataset", ((f"Dataset row {i}", row) for i, row in enumerate(source))
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no such data file: {path}")
        suffix = path.suffix.lower()
        if suffix in (".jsonl", ".json", ".ndjson"):
            return str(path), ((f"{path}:{n}", r) for n, r in iter_jsonl(path))
        if suffix in (".csv", ".tsv"):
            return str(path), ((f"{path}:{n}", r) for n, r in _iter_csv(path))
        raise DataError(f"{path}: unknown file type {suffix!r}; use .jsonl, .csv or .tsv")
    raise TypeError(
        "data must be a path to a .jsonl/.csv file, a pandas DataFrame or a datasets "
        f"Dataset/DatasetDict, got {type(source).__name__}"
    )


def load_labeled(
    source: Any,
    *,
    task: str = "stance",
    text_column: str = "text",
    label_column: str | None = None,
    id_column: str = "id",
    split: str | None = None,
    skip_invalid: bool = False,
) -> LabeledData:
    """Read labeled sentences for ``task`` ("stance" or "issues").

    Parameters
    ----------
    source
        A ``.jsonl``/``.csv``/``.tsv`` path, a pandas DataFrame, or a Hugging Face
        ``Dataset`` / ``DatasetDict`` (with ``split=``).
    text_column, label_column, id_column
        Column mapping for other schemas; ``label_column`` defaults to the task name.
    skip_invalid
        Skip bad records instead of raising; the skipped ones are listed in
        ``LabeledData.skipped`` and a warning gives their count.

    Examples
    --------
    >>> data = load_labeled("my_labels.csv", text_column="sentence", label_column="label")  # doctest: +SKIP
    """
    _allowed(task)
    label_column = label_column or DEFAULT_LABEL_COLUMN[task]
    name, records = _records(source, split)
    texts: list[str] = []
    labels: list[Any] = []
    ids: list[str] = []
    skipped: list[str] = []
    for where, record in records:
        try:
            for column in (text_column, label_column):
                if column not in record:
                    raise DataError(
                        f"{where}: missing field {column!r} (fields present: {sorted(record)}); "
                        f"pass text_column=/label_column= to map your schema"
                    )
            text = parse_text(record[text_column], where, text_column)
            label = parse_label(record[label_column], task, where, label_column)
        except DataError as exc:
            if not skip_invalid:
                raise
            skipped.append(str(exc))
            continue
        texts.append(text)
        labels.append(label)
        ids.append(str(record.get(id_column, len(ids))))
    if skipped:
        warnings.warn(f"{name}: skipped {len(skipped)} invalid record(s); see LabeledData.skipped", stacklevel=2)
    warn_conflicting_duplicates(texts, labels)
    return LabeledData(texts, labels, ids, task, skipped)


def warn_conflicting_duplicates(texts: list[str], labels: list[Any], targets: list[Any] | None = None) -> int:
    """Warn when the same text (with the same target, if given) carries different
    labels; return how many texts do."""
    seen: dict[tuple, set] = {}
    for i, (text, label) in enumerate(zip(texts, labels)):
        key = (" ".join(text.split()), targets[i] if targets is not None else None)
        seen.setdefault(key, set()).add(tuple(label) if isinstance(label, list) else label)
    conflicting = sum(1 for values in seen.values() if len(values) > 1)
    if conflicting:
        warnings.warn(
            f"{conflicting} text(s) appear more than once with different labels", stacklevel=3
        )
    return conflicting


def label_counts(labels: Iterable[Any]) -> Counter:
    counts: Counter = Counter()
    for label in labels:
        counts.update(label if isinstance(label, list) else [label])
    return counts
