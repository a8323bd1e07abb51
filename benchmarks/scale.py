"""Scale: identity of classify_dataset and the Dask path with single-process classify,
throughput at 1 and 2 workers (TF-IDF default models and a transformer), Dask overhead.

1. Identity: N records (default 100,000; corpus sentences cycled, each with an id,
   with an empty, a null and an HTML text every 997 records) are classified by
   single-process ``stancekit.classify`` (the reference), by ``classify_dataset``
   (``num_proc=2``) and by ``classify_shards`` on a Dask ``LocalCluster`` (2 worker
   processes, one thread each, 8 JSONL shards); every output row must equal the
   reference row, ids in order, none lost or doubled.
2. Throughput: ``classify_file`` (what ``stancekit classify`` runs) with ``workers=1``
   and ``workers=2`` on the first M records, with the default models and with a
   ``TransformerClassifier`` (MiniLM, fine-tuned for one epoch on 64 sentences: enough
   for its speed, not its accuracy; issues from the default model). Wall time includes
   starting the workers and handing them the models; that start is also timed alone
   (a one-batch run) and reported, with the efficiency without it. Scaling
   efficiency = speed-up / workers. CPU time (the workers' included) shows whether
   the run got its cores: ``cpus_busy`` is CPU seconds per wall second.
3. Dask overhead: ``classify_shards`` with 1 and 2 workers on the same M records (in
   4 shards, models already loaded in the workers) against the plain single-process
   ``classify_file`` loop.

    python benchmarks/scale.py                      # the full run (about 15-25 min on 2 cores)
    python benchmarks/scale.py --records 2000 --throughput-records 1000 --transformer-records 200 --output /tmp/s.json

Writes benchmarks/results/scale.json. Other work on the machine slows the runs
unevenly; the load average and CPU pressure before and after are recorded with them.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "scale.json"
ODD_EVERY = 997
ODD_TEXTS = ["", None, "<p>Kenya <b>condemned</b> the raid&nbsp;on Tuesday.</p>"]


def make_records(n: int) -> list[dict]:
    import stancekit

    texts = stancekit.load_corpus("all")["text"].tolist()
    records = []
    for i, text in zip(range(n), itertools.cycle(texts)):
        if i % ODD_EVERY == ODD_EVERY - 1:
            text = ODD_TEXTS[(i // ODD_EVERY) % len(ODD_TEXTS)]
        records.append({"id": i, "text": text})
    return records


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def write_shards(folder: Path, records: list[dict], n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-len(records) // n)
    return [write_jsonl(folder / f"part-{k:03d}.jsonl", records[i:i + size])
            for k, i in enumerate(range(0, len(records), size))]


def mismatches(rows: list[dict], records: list[dict], reference: list[dict]) -> dict:
    """Rows that differ from ``{**record, **classify result}`` (``no_content`` False where
    classify leaves it out), and whether the ids are complete, once each, in order."""
    bad = []
    for i, (row, record, result) in enumerate(zip(rows, records, reference)):
        want = {**record, **result, "no_content": result.get("no_content", False)}
        if {**row, "no_content": row.get("no_content", False)} != want:
            bad.append(i)
    ids = [row["id"] for row in rows]
    return {"rows": len(rows), "mismatching_rows": len(bad) + abs(len(rows) - len(records)),
            "first_mismatches": bad[:5], "ids_complete_once_in_order": ids == [r["id"] for r in records],
            "identical": not bad and len(rows) == len(records) and ids == [r["id"] for r in records]}


def rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1)


def machine_state() -> dict:
    state = {"loadavg": os.getloadavg()}
    try:
        state["cpu_pressure"] = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        pass
    return state


def _warm(source):  # runs on each Dask worker: load the models before timing
    from stancekit.workers import worker_models

    worker_models(source)


def _worker_cpu() -> float:  # runs on each Dask worker
    import psutil

    times = psutil.Process().cpu_times()
    return times.user + times.system


def dask_run(shards: list[Path], out: Path, models_path, n_workers: int, batch_size: int) -> dict:
    """classify_shards on a LocalCluster, timed once the workers hold the models. CPU
    time: the worker processes' plus this one's (the scheduler and client run here)."""
    from distributed import Client, LocalCluster

    from stancekit.cluster import _models_source, classify_shards

    start = time.perf_counter()
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.run(_warm, _models_source(models_path))
        ready, cpu, workers_cpu = time.perf_counter(), cpu_seconds(), sum(client.run(_worker_cpu).values())
        report = classify_shards(shards, out, models_path, client, batch_size=batch_size)
        seconds = time.perf_counter() - ready
        cpu = cpu_seconds() - cpu + sum(client.run(_worker_cpu).values()) - workers_cpu
    return {"workers": n_workers, "shards": len(shards), "records": report.records, "seconds": round(seconds, 2),
            "sentences_per_second": rate(report.records, seconds), "cpu_seconds": round(cpu, 2),
            "cpus_busy": round(cpu / seconds, 2), "cpu_ms_per_sentence": round(1000 * cpu / report.records, 3),
            "cluster_start_and_model_load_seconds": round(ready - start, 2)}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished (reaped) child processes."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def file_run(source: Path, out: Path, models, workers: int, batch_size: int) -> dict:
    """classify_file, timed. CPU time counts the pool's workers too (they are reaped when
    the pool closes): ``cpus_busy`` near ``workers`` means the run got that many cores;
    near 1 with 2 workers means other work held the second core."""
    from stancekit.stream import classify_file

    cpu, start = cpu_seconds(), time.perf_counter()
    report = classify_file(source, out, models, batch_size=batch_size, progress=False, workers=workers)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return {"workers": workers, "records": report.records, "seconds": round(seconds, 2),
            "sentences_per_second": rate(report.records, seconds), "cpu_seconds": round(cpu, 2),
            "cpus_busy": round(cpu / seconds, 2), "cpu_ms_per_sentence": round(1000 * cpu / report.records, 3)}


def workers_run(source: Path, out: Path, models, workers: int, batch_size: int) -> dict:
    """file_run, plus for several workers the wall time of a one-batch run: about what
    starting the pool and handing each worker the models costs, paid once per run."""
    row = file_run(source, out, models, workers, batch_size)
    if workers > 1:
        with source.open(encoding="utf-8") as handle:
            first = list(itertools.islice(handle, batch_size))
        one_batch = source.with_name(source.stem + "-one-batch.jsonl")
        one_batch.write_text("".join(first), encoding="utf-8")
        start = time.perf_counter()
        file_run(one_batch, out.with_name(out.stem + "-one-batch.jsonl"), models, workers, batch_size)
        row["pool_start_seconds"] = round(time.perf_counter() - start, 2)
    return row


def transformer_bundle(folder: Path, log) -> tuple[Path | None, str]:
    """A bundle folder with a quickly fine-tuned TransformerClassifier for stance."""
    try:
        import stancekit
        from stancekit import Models, TransformerClassifier

        train = stancekit.load_corpus("train").sample(64, random_state=0)
        stance = TransformerClassifier(epochs=1, progress=False, random_state=0).fit(
            train["text"].tolist(), train["stance"].tolist())
        Models(stance, stancekit.load().issues).save(folder)
        return folder, "TransformerClassifier (all-MiniLM-L6-v2, fp32), 1 epoch on 64 train sentences"
    except Exception as exc:  # noqa: BLE001 (the transformer is optional: report and go on)
        log(f"transformer skipped: {type(exc).__name__}: {exc}")
        return None, f"skipped: {type(exc).__name__}: {exc}"


def versions() -> dict:
    import datasets
    import distributed
    import numpy
    import sklearn

    import stancekit

    found = {"stancekit": stancekit.__version__, "python": platform.python_version(), "numpy": numpy.__version__,
             "scikit-learn": sklearn.__version__, "datasets": datasets.__version__,
             "distributed": distributed.__version__}
    try:
        import torch
        import transformers

        found.update(torch=torch.__version__, transformers=transformers.__version__)
    except ImportError:
        pass
    return found


def table(result: dict) -> str:
    lines = [f"{'model':<12} {'runner':<28} {'workers':>7} {'records':>8} {'seconds':>8} {'sent/s':>8}"]
    for row in result["throughput"]:
        lines.append(f"{row['model']:<12} {row['runner']:<28} {row['workers']:>7} {row['records']:>8} "
                     f"{row['seconds']:>8} {row['sentences_per_second']:>8}")
    for model, scaling in result["scaling"].items():
        lines.append(f"{model}: speed-up at 2 workers {scaling['speedup']}, efficiency {scaling['efficiency']} "
                     f"({scaling['efficiency_excluding_pool_start']} without the pool start), "
                     f"CPUs busy at 2 workers {scaling['cpus_busy_at_2_workers']}, "
                     f"CPU per sentence 2/1 workers {scaling['cpu_per_sentence_2_over_1']}")
    for name, check in result["identity"].items():
        if isinstance(check, dict) and "identical" in check:
            lines.append(f"identity on {result['identity']['records']} records, {name}: {check['identical']} "
                         f"({check['mismatching_rows']} mismatching rows)")
    lines.append(f"Dask overhead vs plain loop: 1 worker {result['dask_overhead']['one_worker']} "
                 f"(CPU per sentence {result['dask_overhead']['one_worker_cpu']}), "
                 f"2 workers vs pool {result['dask_overhead']['two_workers_vs_pool']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000, help="records for the identity checks")
    parser.add_argument("--throughput-records", type=int, default=30_000)
    parser.add_argument("--transformer-records", type=int, default=4_000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    import stancekit
    from stancekit.dataset import classify_dataset

    started = time.time()
    log = lambda message: print(f"[{time.time() - started:7.1f}s] {message}", flush=True)  # noqa: E731
    before = machine_state()
    models = stancekit.load()  # train and cache the default models before timing
    records = make_records(args.records)
    result = {"benchmark": "scale",
              "settings": {"records": args.records, "throughput_records": args.throughput_records,
                           "transformer_records": args.transformer_records, "batch_size": args.batch_size,
                           "odd_text_every": ODD_EVERY, "identity_shards": 8, "overhead_shards": 4},
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "versions": versions(),
              "models": {"tfidf": "default (TfidfClassifier stance + IssueClassifier)"}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = write_jsonl(tmp / "in.jsonl", records)
        result["data_fingerprint"] = hashlib.sha256(source.read_bytes()).hexdigest()[:16]

        # 1. identity on all records
        log(f"reference: single-process classify on {len(records)} records")
        start = time.perf_counter()
        reference = stancekit.classify([r["text"] for r in records], models, args.batch_size)
        ref_seconds = time.perf_counter() - start
        identity = {"records": len(records), "reference": {
            "runner": "stancekit.classify (one process, in memory)", "seconds": round(ref_seconds, 2),
            "sentences_per_second": rate(len(records), ref_seconds)}}
        log(f"reference: {identity['reference']}")

        from datasets import Dataset

        ds = Dataset.from_list(records)
        start = time.perf_counter()
        coded = classify_dataset(ds, models, batch_size=args.batch_size, num_proc=2)
        ds_seconds = time.perf_counter() - start
        identity["classify_dataset"] = {"num_proc": 2, "seconds": round(ds_seconds, 2),
                                        "sentences_per_second": rate(len(records), ds_seconds),
                                        **mismatches(coded.to_list(), records, reference)}
        del coded, ds
        log(f"classify_dataset: {identity['classify_dataset']}")

        shards = write_shards(tmp / "shards", records, 8)
        run = dask_run(shards, tmp / "dask-out", None, 2, args.batch_size)
        rows = [row for shard in shards for row in read_jsonl(tmp / "dask-out" / shard.name)]
        identity["dask"] = {**run, **mismatches(rows, records, reference)}
        del rows
        log(f"dask: {identity['dask']}")
        result["identity"] = identity

        # 2. throughput at 1 and 2 workers
        subset = records[:args.throughput_records]
        small = write_jsonl(tmp / "small.jsonl", subset)
        throughput = []
        for workers in (1, 2):
            row = workers_run(small, tmp / f"tfidf-{workers}.jsonl", None, workers, args.batch_size)
            throughput.append({"model": "tfidf", "runner": "classify_file (--workers)", **row})
            log(throughput[-1])
        same = (tmp / "tfidf-1.jsonl").read_bytes() == (tmp / "tfidf-2.jsonl").read_bytes()
        result["workers_2_output_identical_to_1"] = {"tfidf": same}
        bundle, described = transformer_bundle(tmp / "transformer-bundle", log)
        result["models"]["transformer"] = described
        if bundle is not None:
            tiny = write_jsonl(tmp / "tiny.jsonl", records[:args.transformer_records])
            loaded = stancekit.load(bundle)  # here, before timing, as the default models are
            for workers in (1, 2):
                row = workers_run(tiny, tmp / f"tr-{workers}.jsonl", loaded, workers, args.batch_size)
                throughput.append({"model": "transformer", "runner": "classify_file (--workers)", **row})
                log(throughput[-1])
            one, two = read_jsonl(tmp / "tr-1.jsonl"), read_jsonl(tmp / "tr-2.jsonl")
            # One worker uses torch on every CPU, each of two on one: sums in another order.
            result["workers_2_output_identical_to_1"]["transformer"] = {
                "identical": one == two, "same_stance": sum(a["stance"] == b["stance"] for a, b in zip(one, two)),
                "records": len(one), "max_score_difference": max(
                    (abs(a["stance_scores"][k] - b["stance_scores"][k]) for a, b in zip(one, two)
                     for k in a["stance_scores"]), default=0.0)}

        # 3. Dask against the plain loop on the same records
        overhead_shards = write_shards(tmp / "small-shards", subset, 4)
        for workers in (1, 2):
            row = dask_run(overhead_shards, tmp / f"small-dask-{workers}", None, workers, args.batch_size)
            throughput.append({"model": "tfidf", "runner": "dask classify_shards", **row})
            log(throughput[-1])
    result["throughput"] = throughput

    def seconds(model, runner, workers):
        return next(r["seconds"] for r in throughput if (r["model"], r["runner"], r["workers"]) == (model, runner, workers))

    def row(model, workers):
        return next(r for r in throughput if (r["model"], r["runner"], r["workers"]) == (model, "classify_file (--workers)", workers))

    result["scaling"] = {}
    for model in sorted({r["model"] for r in throughput}):
        one, two = row(model, 1), row(model, 2)
        speedup = one["seconds"] / two["seconds"]
        rest = two["seconds"] - two["pool_start_seconds"]
        steady = one["seconds"] / rest if rest > two["seconds"] / 2 else None  # else too short to say
        result["scaling"][model] = {
            "speedup": round(speedup, 3), "efficiency": round(speedup / 2, 3),
            "speedup_excluding_pool_start": steady and round(steady, 3),
            "efficiency_excluding_pool_start": steady and round(steady / 2, 3),
            "cpus_busy_at_2_workers": two["cpus_busy"],
            # CPU per sentence at 2 workers over 1: near 1.0 means the work itself
            # parallelises; the wall-clock speed-up then depends on free cores.
            "cpu_per_sentence_2_over_1": round(two["cpu_ms_per_sentence"] / one["cpu_ms_per_sentence"], 3)}
    plain = seconds("tfidf", "classify_file (--workers)", 1)
    dask_one = next(r for r in throughput if (r["runner"], r["workers"]) == ("dask classify_shards", 1))
    result["dask_overhead"] = {
        "one_worker": round(seconds("tfidf", "dask classify_shards", 1) / plain - 1, 3),
        "one_worker_cpu": round(dask_one["cpu_ms_per_sentence"] / row("tfidf", 1)["cpu_ms_per_sentence"] - 1, 3),
        "two_workers_vs_pool": round(seconds("tfidf", "dask classify_shards", 2)
                                     / seconds("tfidf", "classify_file (--workers)", 2) - 1, 3),
        "meaning": "extra wall time (one_worker_cpu: extra CPU per sentence) relative to classify_file "
                   "(0.05 = 5% more), cluster start and model loading excluded for Dask, pool start and "
                   "model loading included for --workers 2"}
    result["machine_state"] = {"before": before, "after": machine_state()}
    result["command"] = "python " + " ".join(sys.argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
