"""Classify JSONL records in a stream, batch by batch, with flat memory."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from stancekit.errors import DataError
from stancekit.pipeline import BATCH_SIZE, _models, classify


@dataclass
class StreamReport:
    records: int = 0
    skipped: list[str] = field(default_factory=list)


@contextmanager
def _open_input(path: str | Path) -> Iterator[IO[str]]:
    if str(path) == "-":
        yield sys.stdin
        return
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such input file: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        yield handle


@contextmanager
def _open_output(path: str | Path) -> Iterator[IO[str]]:
    """Write to ``PATH.part`` and rename on success, so a failed run leaves no
    half-written output under the final name."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(path)
    part = path.with_name(path.name + ".part")
    try:
        with part.open("w", encoding="utf-8") as handle:
            yield handle
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _read_records(handle: IO[str], name: str, text_field: str, report: StreamReport,
                  skip_invalid: bool) -> Iterator[dict]:
    number = 0
    while True:
        try:
            line = handle.readline()
        except UnicodeDecodeError as exc:
            raise DataError(f"{name}:{number + 1}: not UTF-8 text ({exc.reason}); re-encode it as UTF-8") from None
        if not line:
            return
        number += 1
        if not line.strip():
            continue
        try:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{name}:{number}: invalid JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise DataError(f"{name}:{number}: expected a JSON object")
            if text_field not in record:
                raise DataError(f"{name}:{number}: missing field {text_field!r}; use --text-field to name yours")
            text = record[text_field]
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{name}:{number}: field {text_field!r} must be a non-empty string")
        except DataError as exc:
            if not skip_invalid:
                raise
            report.skipped.append(str(exc))
            continue
        yield record


def classify_file(input_path: str | Path, output_path: str | Path, models=None, *,
                  batch_size: int = BATCH_SIZE, text_field: str = "text",
                  skip_invalid: bool = False, progress: bool | None = None) -> StreamReport:
    """Classify a JSONL file of records with a ``text`` field into another JSONL file.

    Each output record is the input record, unchanged, plus ``stance``,
    ``stance_scores``, ``issues``, ``actors``, ``source`` and ``target``. ``-`` reads
    stdin or writes stdout. Records are read, classified and written one batch at a
    time, so memory does not grow with the file. A progress bar goes to stderr when
    it is a terminal (``progress=None``), always (``True``) or never (``False``).
    """
    from tqdm.auto import tqdm

    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    models = _models(models)
    report = StreamReport()
    name = "<stdin>" if str(input_path) == "-" else str(input_path)
    disable = None if progress is None else not progress
    with _open_input(input_path) as source, _open_output(output_path) as sink, \
            tqdm(desc="classify", unit="rec", disable=disable, file=sys.stderr) as bar:
        batch: list[dict] = []
        records = _read_records(source, name, text_field, report, skip_invalid)
        while True:
            record = next(records, None)
            if record is not None:
                batch.append(record)
            if batch and (record is None or len(batch) >= batch_size):
                results = classify([r[text_field] for r in batch], models, batch_size)
                sink.write("".join(json.dumps({**r, **res}, ensure_ascii=False) + "\n"
                                   for r, res in zip(batch, results)))
                report.records += len(batch)
                bar.update(len(batch))
                batch = []
            if record is None:
                break
    return report
