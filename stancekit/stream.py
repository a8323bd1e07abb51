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
    records: int = 0  # records classified by this run
    resumed_from: int = 0  # records already in the partial output when resuming
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


def part_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".part")


def _completed_lines(part: Path) -> tuple[int, str | None]:
    """Count the complete lines of a partial output, cutting off a torn last line;
    return the count and the last complete line."""
    data = part.read_bytes()
    cut = data.rfind(b"\n") + 1
    if cut < len(data):
        with part.open("r+b") as handle:
            handle.truncate(cut)
    lines = data[:cut].splitlines()
    return len(lines), (lines[-1].decode("utf-8") if lines else None)


@contextmanager
def _open_output(path: str | Path, append: bool) -> Iterator[IO[str]]:
    """Write to ``PATH.part`` and rename it on success, so the final name never holds
    half an output. After a failure the ``.part`` file stays for ``resume``."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(path)
    part = part_path(path)
    try:
        with part.open("a" if append else "w", encoding="utf-8") as handle:
            yield handle
    except BaseException:
        if part.exists() and part.stat().st_size == 0:
            part.unlink()  # nothing done: nothing to resume
        raise
    os.replace(part, path)


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
            if text is not None and not isinstance(text, str):
                raise DataError(f"{name}:{number}: field {text_field!r} must be a string or null, "
                                f"got {type(text).__name__}")
        except DataError as exc:
            if not skip_invalid:
                raise
            report.skipped.append(str(exc))
            continue
        yield record


def classify_file(input_path: str | Path, output_path: str | Path, models=None, *,
                  batch_size: int = BATCH_SIZE, text_field: str = "text",
                  skip_invalid: bool = False, progress: bool | None = None,
                  resume: bool = False, workers: int = 1) -> StreamReport:
    """Classify a JSONL file of records with a ``text`` field into another JSONL file.

    Each output record is the input record, unchanged, plus ``stance``,
    ``stance_scores``, ``issues``, ``actors``, ``source`` and ``target``. ``-`` reads
    stdin or writes stdout. Records are read, classified and written one batch at a
    time, so memory does not grow with the file. A progress bar goes to stderr when
    it is a terminal (``progress=None``), always (``True``) or never (``False``).

    Output goes to ``OUTPUT.part`` and is renamed to ``OUTPUT`` when complete. If a
    run is interrupted, ``resume=True`` keeps the records already in ``OUTPUT.part``
    (a torn last line is dropped), skips as many input records and continues, so the
    result has every record once, in input order. A record with ``"text": null`` or
    text without letters or digits gets ``stance: "neutral"`` and ``no_content: true``.

    ``workers=N`` classifies batches in N processes, each receiving the models once;
    records are read, checked (``skip_invalid``) and written here, in input order, so
    the output, the ``.part`` file and ``resume`` are the same as with one worker.
    """
    from tqdm.auto import tqdm

    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    models = _models(models)
    report = StreamReport()
    name = "<stdin>" if str(input_path) == "-" else str(input_path)
    disable = None if progress is None else not progress
    done, last_line = 0, None
    if resume:
        if str(output_path) == "-":
            raise ValueError("resume needs an output file, not stdout")
        if part_path(output_path).exists():
            done, last_line = _completed_lines(part_path(output_path))
        elif Path(output_path).exists():
            raise ValueError(f"{output_path} is already complete; nothing to resume")
    report.resumed_from = done
    with _open_input(input_path) as source, _open_output(output_path, append=done > 0) as sink, \
            tqdm(desc="classify", unit="rec", disable=disable, file=sys.stderr, initial=done) as bar:
        records = _read_records(source, name, text_field, report, skip_invalid)
        for _ in range(done):
            record = next(records, None)
            if record is None:
                raise DataError(f"{output_path}.part holds {done} records but {name} has fewer; "
                                f"is it the same input?")
        if done and last_line is not None and "id" in record and json.loads(last_line).get("id") != record["id"]:
            raise DataError(f"{output_path}.part ends with id {json.loads(last_line).get('id')!r} but record "
                            f"{done} of {name} has id {record['id']!r}; is it the same input?")
        for batch, results in _classified(_batches(records, batch_size, text_field), models, batch_size, workers):
            sink.write("".join(json.dumps({**r, **res}, ensure_ascii=False) + "\n"
                               for r, res in zip(batch, results)))
            sink.flush()
            report.records += len(batch)
            bar.update(len(batch))
    return report


def _batches(records: Iterator[dict], batch_size: int, text_field: str) -> Iterator[tuple[list[dict], list]]:
    batch: list[dict] = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            yield batch, [r[text_field] for r in batch]
            batch = []
    if batch:
        yield batch, [r[text_field] for r in batch]


def _classified(batches, models, batch_size: int, workers: int):
    """``(records, results)`` per batch, in order: here, or in ``workers`` processes."""
    if workers == 1:
        for batch, texts in batches:
            yield batch, classify(texts, models, batch_size)
        return
    from stancekit.workers import classify_batches

    yield from classify_batches(batches, models, workers, batch_size)
