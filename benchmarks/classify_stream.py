"""Throughput and peak memory of streaming classification (`stancekit classify`).

Builds JSONL inputs of N records from the bundled corpus sentences (cycled, each
with its own id), classifies each size in a fresh process with the default models,
and records sentences per second and peak resident memory.

    python benchmarks/classify_stream.py --sizes 10000 100000

Writes benchmarks/results/classify_stream.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "classify_stream.json"


def make_input(path: Path, n: int) -> None:
    import stancekit

    texts = stancekit.load_corpus("all")["text"].tolist()
    with path.open("w", encoding="utf-8") as handle:
        for i, text in zip(range(n), itertools.cycle(texts)):
            handle.write(json.dumps({"id": i, "text": text}) + "\n")


def run_one(input_path: str, output_path: str, batch_size: int) -> dict:
    """Classify in this process; return timing and peak memory."""
    import stancekit
    from stancekit.stream import classify_file

    models = stancekit.load()
    rss_after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    report = classify_file(input_path, output_path, models=models, batch_size=batch_size, progress=False)
    seconds = time.perf_counter() - start
    return {
        "records": report.records,
        "seconds": round(seconds, 2),
        "sentences_per_second": round(report.records / seconds, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_after_model_load_mib": round(rss_after_load / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--one", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one, args.batch_size)))
        return
    import stancekit

    stancekit.load()  # train and cache the default models before timing
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            source, target = Path(tmp) / f"in-{n}.jsonl", Path(tmp) / f"out-{n}.jsonl"
            make_input(source, n)
            out = subprocess.run([sys.executable, __file__, "--one", str(source), str(target),
                                  "--batch-size", str(args.batch_size)],
                                 check=True, capture_output=True, text=True).stdout
            row = {"size": n, **json.loads(out.strip().splitlines()[-1])}
            ids = [json.loads(line)["id"] for line in target.open()]
            row["ids_complete_and_in_order"] = ids == list(range(n))
            rows.append(row)
            print(row, flush=True)
    result = {
        "benchmark": "classify_stream",
        "model": "default (TfidfClassifier stance + IssueClassifier)",
        "batch_size": args.batch_size,
        "stancekit_version": stancekit.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} CPUs",
        "results": rows,
    }
    if len(rows) >= 2:
        result["peak_memory_ratio_largest_vs_smallest"] = round(rows[-1]["peak_rss_mib"] / rows[0]["peak_rss_mib"], 3)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
