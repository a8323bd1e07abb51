"""Fine-tuned MiniLM against TF-IDF and frozen MiniLM embeddings, on the bundled corpus.

Trains the three stance models on the corpus train split (the transformer with early
stopping on dev), reports stance macro-F1 on test, the fine-tuning wall time, and
inference throughput (sentences/s, batch 64, on the test sentences) for the fine-tuned
model in fp32 and with int8 dynamic quantisation, with the int8 model's macro-F1.

    python benchmarks/transformer.py                 # full run (minutes, on CPU)
    python benchmarks/transformer.py --quick         # small subsets, 1 epoch: a smoke test
    python benchmarks/transformer.py --dev-only ...  # dev scores only, for choosing settings

Hyper-parameters were chosen on the dev split only (see ``--dev-only``); the test split
is only ever scored. Writes benchmarks/results/transformer.json (not with --quick or
--dev-only unless --output is given).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "transformer.json"
# Targets from the issue (stancekit#5).
TARGET_GAIN_OVER_TFIDF = 0.08
TARGET_FP32_PER_S = 150
TARGET_INT8_PER_S = 300
TARGET_FINE_TUNE_S = 600
QUICK_SIZES = {"train": 240, "dev": 90, "test": 120}


def load_split(split: str, quick: bool) -> tuple[list[str], list[str]]:
    import stancekit

    frame = stancekit.load_corpus(split)
    if quick:
        frame = frame.sample(n=min(QUICK_SIZES[split], len(frame)), random_state=0)
    return frame["text"].tolist(), frame["stance"].tolist()


def split_fingerprint(split: str) -> str:
    from stancekit.corpus.load import corpus_path

    return hashlib.sha256(corpus_path(split).read_bytes()).hexdigest()[:16]


def macro_f1(model, texts, labels) -> float:
    from stancekit.metrics import stance_report

    return round(stance_report(labels, model.predict(texts), list(model.classes_))["macro_f1"], 4)


def throughput(model, texts: list[str], repeats: int) -> float:
    """Sentences per second of ``predict_proba`` over ``texts`` (best of ``repeats``)."""
    from stancekit.benchmark import best_rate

    model.predict_proba(texts[:model.predict_batch_size])  # warm-up (and quantise, if asked)
    return round(best_rate(lambda: model.predict_proba(texts), len(texts), repeats), 1)


def cpu_pressure() -> str | None:
    """Linux CPU pressure (share of time some task waited for a CPU): other load shows here."""
    try:
        return Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None


def throughput_only(args) -> None:
    """Throughput of MiniLM with an untrained head: speed does not depend on the weights,
    so this re-measures it in seconds, e.g. when the full run shared its CPUs."""
    from stancekit import TransformerClassifier

    train, test = load_split("train", True), load_split("test", False)
    result = {"command": "transformer.py " + " ".join(sys.argv[1:]), "n": len(test[0]),
              "batch_size": args.throughput_batch, "repeats": args.repeats, "by_num_layers": {}}
    for layers in args.num_layers or [None]:
        model = TransformerClassifier(epochs=0, predict_batch_size=args.throughput_batch, num_layers=layers).fit(*train)
        speed = {"fp32": throughput(model, test[0], args.repeats)}
        speed["int8"] = throughput(model.set_params(quantize=True), test[0], args.repeats)
        result["by_num_layers"][str(layers or "all")] = speed
    result.update(load_average=[round(x, 2) for x in os.getloadavg()], cpu_pressure=cpu_pressure(),
                  versions=versions())
    print(json.dumps(result, indent=1))
    out = RESULTS.parent / "transformer_throughput.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")


def versions() -> dict:
    import numpy
    import sklearn
    import torch
    import transformers

    import stancekit

    return {"python": platform.python_version(), "stancekit": stancekit.__version__, "torch": torch.__version__,
            "transformers": transformers.__version__, "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__}


# Flags that set a TransformerClassifier setting of the same name; unset ones keep the
# class default. For adapter_rank and ema_decay, 0 means None (off).
SETTING_FLAGS = ("learning_rate", "epochs", "batch_size", "max_length", "warmup_ratio", "weight_decay",
                 "patience", "dropout", "gradient_accumulation", "label_smoothing", "layer_decay", "ema_decay",
                 "adapter_rank", "freeze_embeddings")
RECORDED = SETTING_FLAGS + ("num_layers", "random_state", "class_weight", "quantize")


def transformer_settings(args) -> dict:
    """The transformer's settings: the class defaults, overridden by the flags given."""
    from stancekit import TransformerClassifier

    given = {name: getattr(args, name) for name in SETTING_FLAGS if getattr(args, name) is not None}
    for name in ("adapter_rank", "ema_decay"):
        if given.get(name) == 0:
            given[name] = None
    given["num_layers"] = args.num_layers[0] if args.num_layers else None
    given["random_state"] = args.seed
    params = TransformerClassifier(**given).get_params()
    return {name: params[name] for name in RECORDED}


def run(args) -> dict:
    from stancekit import EmbeddingClassifier, TfidfClassifier, TransformerClassifier
    from stancekit.models.torch_utils import available_cpus

    train, dev = load_split("train", args.quick), load_split("dev", args.quick)
    test = None if args.dev_only else load_split("test", args.quick)
    settings = transformer_settings(args)
    result = {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "quick": args.quick,
        "settings": {"transformer": settings, "embedding": {"C": args.embedding_c},
                     "tfidf": "TfidfClassifier() defaults", "throughput_batch_size": args.throughput_batch,
                     "throughput_repeats": args.repeats, "seed": args.seed},
        "versions": versions(),
        "machine": {"cpus_available": available_cpus(), "cpu_count": os.cpu_count(),
                    "processor": platform.processor() or platform.machine(),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
                    "cpu_pressure_at_start": cpu_pressure()},
        "data": {split: {"n": len(data[0]), "fingerprint": split_fingerprint(split)}
                 for split, data in (("train", train), ("dev", dev), ("test", test)) if data is not None},
        "models": {},
    }
    scored = (("dev", dev),) if args.dev_only else (("dev", dev), ("test", test))

    def record(name, model, seconds, **extra):
        row = {"fit_seconds": round(seconds, 1), **{f"{split}_macro_f1": macro_f1(model, *data) for split, data in scored}}
        result["models"][name] = {**row, **extra}
        print(f"{name:<18}" + "  ".join(f"{k}={v}" for k, v in row.items()), file=sys.stderr, flush=True)

    if not args.skip_baselines:
        for name, model in (("tfidf", TfidfClassifier(random_state=args.seed)),
                            ("embedding", EmbeddingClassifier(C=args.embedding_c, random_state=args.seed))):
            start = time.perf_counter()
            model.fit(*train)
            record(name, model, time.perf_counter() - start)

    model = TransformerClassifier(**settings, progress=args.progress, predict_batch_size=args.throughput_batch)
    start = time.perf_counter()
    model.fit(*train, dev_texts=dev[0], dev_labels=dev[1])
    fine_tune = time.perf_counter() - start
    record("transformer", model, fine_tune, epochs_run=len(model.history_), history=model.history_)

    if not args.dev_only:
        texts = test[0]
        speed = {"fp32": throughput(model, texts, args.repeats)}
        model.set_params(quantize=True)
        speed["int8"] = throughput(model, texts, args.repeats)
        result["models"]["transformer_int8"] = {f"{split}_macro_f1": macro_f1(model, *data) for split, data in scored}
        result["throughput_sentences_per_second"] = speed
        gain = result["models"]["transformer"]["test_macro_f1"] - result["models"].get("tfidf", {}).get("test_macro_f1", float("nan"))
        result["targets"] = {
            "gain_over_tfidf": {"value": round(gain, 4), "target": TARGET_GAIN_OVER_TFIDF, "met": gain >= TARGET_GAIN_OVER_TFIDF},
            "fp32_sentences_per_second": {"value": speed["fp32"], "target": TARGET_FP32_PER_S, "met": speed["fp32"] >= TARGET_FP32_PER_S},
            "int8_sentences_per_second": {"value": speed["int8"], "target": TARGET_INT8_PER_S, "met": speed["int8"] >= TARGET_INT8_PER_S},
            "fine_tune_seconds": {"value": round(fine_tune, 1), "target": TARGET_FINE_TUNE_S, "met": fine_tune <= TARGET_FINE_TUNE_S},
        }
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["machine"]["cpu_pressure_at_end"] = cpu_pressure()
    return result


def summarize(runs: list[dict]) -> dict:
    """Several seeds' runs in one result: the runs, per-seed scores, means, targets on means."""
    import numpy as np

    def mean(values):
        return round(float(np.mean(values)), 4)

    by_model = {name: {key: [r["models"][name][key] for r in runs]
                       for key in runs[0]["models"][name] if key.endswith("macro_f1") or key == "fit_seconds"}
                for name in runs[0]["models"]}
    summary = {"seeds": [r["settings"]["seed"] for r in runs], "by_model": by_model,
               "mean": {name: {key: mean(values) for key, values in keys.items()} for name, keys in by_model.items()}}
    if "targets" in runs[0] and "tfidf" in summary["mean"]:
        speeds = {kind: [r["throughput_sentences_per_second"][kind] for r in runs] for kind in ("fp32", "int8")}
        gain = summary["mean"]["transformer"]["test_macro_f1"] - summary["mean"]["tfidf"]["test_macro_f1"]
        slowest_fit = max(by_model["transformer"]["fit_seconds"])
        summary["throughput_sentences_per_second"] = speeds
        summary["targets"] = {
            "gain_over_tfidf (means)": {"value": round(gain, 4), "target": TARGET_GAIN_OVER_TFIDF,
                                        "met": gain >= TARGET_GAIN_OVER_TFIDF},
            "fp32_sentences_per_second (best run)": {"value": max(speeds["fp32"]), "target": TARGET_FP32_PER_S,
                                                     "met": max(speeds["fp32"]) >= TARGET_FP32_PER_S},
            "int8_sentences_per_second (best run)": {"value": max(speeds["int8"]), "target": TARGET_INT8_PER_S,
                                                     "met": max(speeds["int8"]) >= TARGET_INT8_PER_S},
            "fine_tune_seconds (slowest run)": {"value": slowest_fit, "target": TARGET_FINE_TUNE_S,
                                                "met": slowest_fit <= TARGET_FINE_TUNE_S},
        }
    return {"command": runs[0]["command"], "summary": summary, "mean": summary["mean"], "runs": runs}


def print_table(result: dict) -> None:
    splits = [s for s in ("dev", "test") if any(f"{s}_macro_f1" in m for m in result["models"].values())]
    print(f"\n{'model':<18}" + "".join(f"{s + ' macro-F1':>16}" for s in splits) + f"{'fit (s)':>10}")
    for name, row in result["models"].items():
        cells = "".join(f"{row.get(f'{s}_macro_f1', float('nan')):>16.3f}" for s in splits)
        fit = row.get("fit_seconds")
        print(f"{name:<18}{cells}{'' if fit is None else f'{fit:>10.1f}'}")
    speed = result.get("throughput_sentences_per_second")
    if speed:
        print(f"\nthroughput (batch {result['settings']['throughput_batch_size']}, "
              f"{result['machine']['cpus_available']} CPUs): fp32 {speed['fp32']:.0f}/s, int8 {speed['int8']:.0f}/s")
    for name, check in result.get("targets", {}).items():
        print(f"  {name:<28} {check['value']:>8} (target {check['target']}): {'met' if check['met'] else 'NOT met'}")
    print(f"load average start/end: {result['machine']['load_average_at_start']} / "
          f"{result['machine']['load_average_at_end']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--max-length", type=int)
    parser.add_argument("--warmup-ratio", type=float)
    parser.add_argument("--weight-decay", type=float)
    parser.add_argument("--patience", type=int)
    parser.add_argument("--dropout", type=float)
    parser.add_argument("--gradient-accumulation", type=int)
    parser.add_argument("--label-smoothing", type=float)
    parser.add_argument("--layer-decay", type=float)
    parser.add_argument("--ema-decay", type=float, help="0: no weight average")
    parser.add_argument("--adapter-rank", type=int, help="LoRA adapters of this rank; 0: full fine-tuning")
    parser.add_argument("--freeze-embeddings", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--embedding-c", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="run once per seed and report the means (each run as with --seed)")
    parser.add_argument("--throughput-batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3, help="throughput: best of this many passes")
    parser.add_argument("--quick", action="store_true", help="small subsets and 1 epoch (smoke test)")
    parser.add_argument("--dev-only", action="store_true", help="score on dev only (choosing settings)")
    parser.add_argument("--num-layers", type=int, nargs="+", default=None,
                        help="fine-tune a backbone cut to this many layers; with --throughput-only, "
                             "measure each of these")
    parser.add_argument("--throughput-only", action="store_true",
                        help="only re-measure inference speed (untrained head; prints, writes nothing)")
    parser.add_argument("--skip-baselines", action="store_true", help="only the transformer")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--output", type=Path, default=None, help=f"default: {RESULTS} (full runs only)")
    args = parser.parse_args(argv)
    if args.throughput_only:
        throughput_only(args)
        return
    if args.quick:
        args.epochs, args.repeats = 1, 1
    if args.seeds:
        runs = []
        for seed in args.seeds:
            args.seed = seed
            runs.append(run(args))
            print_table(runs[-1])
        result = summarize(runs)
        print(json.dumps(result["mean"], indent=1))
    else:
        result = run(args)
        print_table(result)
    output = args.output or (None if args.quick or args.dev_only else RESULTS)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {output}")


if __name__ == "__main__":
    main()
