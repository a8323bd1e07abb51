"""Classify shards of JSONL or Parquet on a Dask cluster: one task per shard.

Why Dask: it is plain Python and pip-installable; the same code runs on a laptop
(``LocalCluster``) and on an HPC cluster through ``dask-jobqueue`` (SLURM, PBS, SGE,
LSF), which submits the workers as ordinary batch jobs, so nothing has to be installed
on the cluster beyond this Python environment. The scheduler already does what a
home-made pool would have to: a task that raises is retried (``retries=``), a task on
a worker that dies is rescheduled on another, and the dashboard shows progress.

Each worker process loads the models once (a per-process cache keyed by the model
folder) and keeps them for every shard it runs. A shard's output is written to a
temporary name in the output folder and renamed when complete, and each attempt uses
its own temporary name, so a failed or repeated attempt never leaves half a shard or
a record twice; the task then checks that the output holds the input's records, once
each, in order (by ``id`` when the records have one).
"""

from __future__ import annotations

import glob
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from stancekit.errors import StancekitError
from stancekit.pipeline import BATCH_SIZE

FORMATS = {".jsonl": "jsonl", ".parquet": "parquet"}
RETRIES = 3


class ShardError(StancekitError, RuntimeError):
    """Some shards failed; the others are complete. ``report`` says which is which.
    Run the same call with ``resume=True`` to redo only the failed ones."""

    def __init__(self, message: str, report: "ClusterReport"):
        super().__init__(message)
        self.report = report


@dataclass
class ShardReport:
    input: str
    output: str
    records: int = 0  # records written
    skipped: list[str] = field(default_factory=list)  # invalid input lines (skip_invalid)
    kept: bool = False  # the output existed already and resume=True kept it
    error: str | None = None


@dataclass
class ClusterReport:
    shards: list[ShardReport]

    @property
    def records(self) -> int:
        return sum(s.records for s in self.shards)

    @property
    def failed(self) -> list[ShardReport]:
        return [s for s in self.shards if s.error is not None]


def shard_paths(input_paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Input shards as absolute paths: a list of files, a folder (its ``*.jsonl`` and
    ``*.parquet`` files) or a glob pattern (``"data/part-*.jsonl"``), sorted."""
    if isinstance(input_paths, (str, os.PathLike)):
        name = os.fspath(input_paths)
        if Path(name).is_dir():
            paths = sorted(p for p in Path(name).iterdir() if p.suffix in FORMATS)
        elif glob.has_magic(name):
            paths = sorted(Path(p) for p in glob.glob(name))
        else:
            paths = [Path(name)]
    else:
        paths = [Path(p) for p in input_paths]
    if not paths:
        raise FileNotFoundError(f"no .jsonl or .parquet shards found in {input_paths!r}")
    for path in paths:
        if path.suffix not in FORMATS:
            raise ValueError(f"{path}: a shard must be .jsonl or .parquet")
        if not path.is_file():
            raise FileNotFoundError(f"no such input shard: {path}")
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"shards share a file name ({', '.join(twice[:5])}); their outputs would collide; "
                         f"rename them or classify each folder into its own output_dir")
    return [p.resolve() for p in paths]


def classify_shards(input_paths, output_dir: str | os.PathLike, models_path: str | os.PathLike | None = None,
                    client=None, *, text_field: str = "text", batch_size: int = BATCH_SIZE,
                    skip_invalid: bool = False, resume: bool = False, retries: int = RETRIES) -> ClusterReport:
    """Classify JSONL or Parquet shards on a Dask cluster, one task per shard.

    Parameters
    ----------
    input_paths
        Shard files (``.jsonl`` or ``.parquet``), a folder of them, or a glob pattern.
        Workers read them by path, so they must be on a filesystem the workers share.
    output_dir
        Where each shard's output goes, under the shard's file name and in its format:
        each input record plus ``stance``, ``stance_scores``, ``issues``, ``actors``,
        ``source``, ``target`` (JSONL: as ``stancekit classify`` writes; Parquet: the
        columns and types of :func:`~stancekit.classify_dataset`, with ``no_content``).
    models_path
        A model folder the workers can read (as ``stancekit classify --model``). ``None``
        uses the default models: this process trains them if needed and the workers
        load them from its cache folder, which they must be able to read.
    client
        A ``dask.distributed.Client``; ``None`` uses the current one.
    text_field, batch_size, skip_invalid
        As for :func:`~stancekit.classify_file`.
    resume
        Keep the outputs that exist already (they are complete: outputs are renamed
        into place only when done) and classify only the other shards.
    retries
        How often Dask retries a shard whose task raised; a shard on a worker that dies
        is rescheduled on another worker as well. Bad data (a malformed line, a missing
        field) is not retried: it fails the same way every time.

    Returns
    -------
    ClusterReport
        One :class:`ShardReport` per shard. If any shard failed, :class:`ShardError` is
        raised after the others are complete, with the report attached.

    Examples
    --------
    >>> from dask.distributed import Client, LocalCluster
    >>> from stancekit import classify_shards
    >>> with Client(LocalCluster(n_workers=2, threads_per_worker=1)) as client:  # doctest: +SKIP
    ...     report = classify_shards("shards/*.jsonl", "coded/", "models/my-bundle", client)
    """
    from distributed import get_client, wait

    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    shards = shard_paths(input_paths)
    out_dir = Path(output_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    source = _models_source(models_path)
    if client is None:
        try:
            client = get_client()
        except ValueError:
            raise ValueError("no Dask client: start one first, e.g. Client(LocalCluster()) on one machine "
                             "or Client(SLURMCluster(...)) from dask_jobqueue, or pass client=") from None
    reports, futures = [], {}
    for index, shard in enumerate(shards):
        output = out_dir / shard.name
        if resume and output.exists():
            reports.append(ShardReport(str(shard), str(output), records=_count_records(output), kept=True))
            continue
        reports.append(None)
        futures[index] = client.submit(_classify_shard, str(shard), str(output), source, text_field, batch_size,
                                       skip_invalid, key=f"stancekit-shard-{index}-{uuid.uuid4().hex[:8]}",
                                       retries=retries, pure=False)
    wait(list(futures.values()))
    for index, future in futures.items():
        output = out_dir / shards[index].name
        if future.status == "finished":
            reports[index] = future.result()
        else:
            error = future.exception()
            reports[index] = ShardReport(str(shards[index]), str(output), error=f"{type(error).__name__}: {error}")
        _remove_attempts(output)
    report = ClusterReport(reports)
    if report.failed:
        lines = "; ".join(f"{Path(s.input).name}: {s.error}" for s in report.failed[:10])
        raise ShardError(f"{len(report.failed)} of {len(shards)} shard(s) failed ({lines}); the others are "
                         f"complete; fix the cause and run again with resume=True", report)
    return report


def _models_source(models_path) -> str | None:
    """The model folder as an absolute path the workers load from."""
    from stancekit.errors import ModelFileError

    if models_path is None or str(models_path) == "default":
        from stancekit.defaults import STANCE_DIR, default_model_dir, load

        folder = default_model_dir()
        if not (folder / STANCE_DIR).is_dir():
            load()  # train the defaults here, once, rather than on every worker at the same time
        return str(folder)
    path = Path(models_path).resolve()
    if not path.is_dir():
        raise ModelFileError(f"no model folder at {path}; the workers load the models from a folder they "
                             f"can read: save a bundle with Models.save(path) or train one with `stancekit train`")
    return str(path)


def _attempt_path(output: Path) -> Path:
    # Hidden, and unique per attempt: two attempts at one shard never share a file.
    return output.with_name(f".{output.name}.{uuid.uuid4().hex[:12]}.attempt")


def _remove_attempts(output: Path) -> None:
    """Remove what attempts killed mid-way left behind."""
    for leftover in output.parent.glob(f".{glob.escape(output.name)}.*.attempt*"):
        leftover.unlink(missing_ok=True)


def _classify_shard(input_path: str, output_path: str, source: str | None, text_field: str,
                    batch_size: int, skip_invalid: bool) -> ShardReport:
    """One shard, run on a worker: classify into a temporary file, check, rename."""
    from stancekit.stream import classify_file, part_path
    from stancekit.workers import worker_models

    models = worker_models(source)
    output = Path(output_path)
    attempt = _attempt_path(output)
    report = ShardReport(input_path, output_path)
    jsonl = FORMATS[Path(input_path).suffix] == "jsonl"
    try:
        if jsonl:
            stream = classify_file(input_path, attempt, models, batch_size=batch_size, text_field=text_field,
                                   skip_invalid=skip_invalid, progress=False)
            report.records, report.skipped = stream.records, stream.skipped
            expected, found = _jsonl_ids(input_path, text_field, skip_invalid), _jsonl_output_ids(attempt)
        else:
            report.records = _classify_parquet(input_path, attempt, models, text_field, batch_size)
            expected, found = _parquet_ids(input_path), _parquet_ids(str(attempt))
        if found != expected:
            raise RuntimeError(f"{output.name}: the output does not hold the input's records once each, in order "
                               f"({len(found)} written, {len(expected)} expected)")
        os.replace(attempt, output)
    except StancekitError as exc:  # bad data fails the same way every time: report it, do not retry
        report.error = f"{type(exc).__name__}: {exc}"
    finally:
        attempt.unlink(missing_ok=True)
        part_path(attempt).unlink(missing_ok=True)
    return report


def _jsonl_ids(path: str, text_field: str, skip_invalid: bool) -> list:
    """The ids (or line positions, for records without one) of the valid input records."""
    from stancekit.stream import StreamReport, _read_records

    with open(path, encoding="utf-8", newline="") as handle:
        records = _read_records(handle, path, text_field, StreamReport(), skip_invalid)
        return [record.get("id", ("#", n)) for n, record in enumerate(records)]


def _jsonl_output_ids(path: Path) -> list:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line).get("id", ("#", n)) for n, line in enumerate(handle)]


def _parquet_ids(path: str) -> list:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    if "id" in parquet.schema_arrow.names:
        return parquet.read(columns=["id"]).column("id").to_pylist()
    return [("#", n) for n in range(parquet.metadata.num_rows)]


def _count_records(path: Path) -> int:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def _classify_parquet(input_path: str, output: Path, models, text_field: str, batch_size: int) -> int:
    """Classify a Parquet shard batch by batch into ``output`` (Parquet, same columns
    plus the prediction columns); return the number of rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from datasets import Features

    from stancekit.dataset import PREDICTION_COLUMNS, as_columns, prediction_features
    from stancekit.errors import DataError
    from stancekit.pipeline import classify

    parquet = pq.ParquetFile(input_path)
    schema = parquet.schema_arrow
    if text_field not in schema.names:
        raise DataError(f"{input_path}: no column {text_field!r} (columns: {', '.join(schema.names)}); "
                        f"name yours with text_field=")
    if not (pa.types.is_string(schema.field(text_field).type) or pa.types.is_large_string(schema.field(text_field).type)
            or pa.types.is_null(schema.field(text_field).type)):
        raise DataError(f"{input_path}: column {text_field!r} must hold strings, not {schema.field(text_field).type}")
    added = pa.schema(list(Features(prediction_features()).type))
    kept = [f for f in schema if f.name not in PREDICTION_COLUMNS]
    out_schema = pa.schema(kept + list(added))
    rows = 0
    with pq.ParquetWriter(output, out_schema) as writer:
        for batch in parquet.iter_batches(batch_size=batch_size):
            columns = as_columns(classify(batch.column(text_field).to_pylist(), models, batch_size))
            arrays = [batch.column(f.name) for f in kept] + [pa.array(columns[f.name], type=f.type) for f in added]
            writer.write_table(pa.Table.from_arrays(arrays, schema=out_schema))
            rows += batch.num_rows
    return rows
