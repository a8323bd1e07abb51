"""stancekit benchmark: models × datasets × seeds, with learning curves and plots.

    python benchmarks/run.py --quick                       # a few minutes on 2 CPU cores
    python benchmarks/run.py --newsmtsc DIR --semeval DIR   # the full run

Each (model, dataset, seed) job runs in a fresh process so that its peak memory can
be measured. Results go to benchmarks/results/*.json, plots to benchmarks/results/*.png
and the table to benchmarks/README.md. Models are trained on train (and dev for early
stopping); test splits are only predicted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
# Published reference points (macro-F1 for NewsMTSC, F-avg for SemEval-2016).
REFERENCES = {
    "newsmtsc_rw": "GRU-TSC (Hamborg & Donnay 2021): F1m 83.1",
    "newsmtsc_mt": "GRU-TSC (Hamborg & Donnay 2021): F1m 82.5",
    "semeval2016": "F-avg: RoBERTa-base 68.0, BERTweet 71.2, best (TimeLMs) 72.9",
    "corpus": "—",
}
MAIN_METRIC = {"corpus": "macro_f1", "newsmtsc_rw": "macro_f1", "newsmtsc_mt": "macro_f1", "semeval2016": "f_avg"}


# ----- models ---------------------------------------------------------------------
class VaderPeer:
    """VADER alone, with its authors' usual thresholds (compound ±0.05)."""

    classes_ = ["cooperative", "critical", "neutral"]

    def fit(self, texts, labels):
        return self

    def predict(self, texts):
        from stancekit.text.vader import vader

        scores = [vader().polarity_scores(t)["compound"] for t in texts]
        return ["cooperative" if s >= 0.05 else "critical" if s <= -0.05 else "neutral" for s in scores]


def make_model(name: str, seed: int, quick: bool):
    import stancekit

    if name == "lexicon":
        return stancekit.LexiconClassifier()
    if name == "tfidf":
        return stancekit.TfidfClassifier(random_state=seed)
    if name == "embedding":
        return stancekit.EmbeddingClassifier(random_state=seed)
    if name == "transformer":
        settings = {"epochs": 1} if quick else {}  # otherwise the defaults, chosen on the corpus dev split
        return stancekit.TransformerClassifier(**settings, random_state=seed, progress=False)
    if name == "peer_vader":
        return VaderPeer()
    if name == "peer_sklearn_tfidf":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000, random_state=seed))
    raise ValueError(f"unknown model {name!r}")


# ----- datasets -------------------------------------------------------------------
def load_dataset(name: str, args) -> list[dict]:
    """A dataset as a list of parts: {name, train, dev, test}, each (texts, labels, targets)."""
    import stancekit
    from stancekit import adapters

    def triple(data):
        return (data.texts, data.labels, data.targets)

    if name == "corpus":
        from stancekit.corpus.load import corpus_path

        parts = {s: stancekit.load_labeled(corpus_path(s)) for s in ("train", "dev", "test")}
        return [{"name": "corpus", **{k: triple(v) for k, v in parts.items()}}]
    if name == "newsmtsc":  # one training, two test sets: devtest_rw and devtest_mt
        train = adapters.load_newsmtsc(args.newsmtsc, "train")
        cut = len(train.texts) * 9 // 10  # the last tenth of train is dev, for early stopping
        split = lambda a, b: (train.texts[a:b], train.labels[a:b], train.targets[a:b])
        tests = {f"newsmtsc_{k}": triple(adapters.load_newsmtsc(args.newsmtsc, f"devtest_{k}")) for k in ("rw", "mt")}
        return [{"name": "newsmtsc", "train": split(0, cut), "dev": split(cut, None), "tests": tests}]
    if name in ("semeval", "semeval2016"):
        return [{"name": f"semeval2016/{t}", **{k: triple(adapters.load_semeval2016(args.semeval, t, s))
                 for k, s in (("train", "train"), ("dev", "val"), ("test", "test"))}}
                for t in adapters.SEMEVAL_TARGETS]
    raise ValueError(name)


def part_tests(part: dict) -> dict:
    """The test sets of a part, by the dataset name they are reported under."""
    return part.get("tests") or {part["name"].split("/")[0]: part["test"]}


def fingerprint(parts: list[dict]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        for split in [part["train"], part["dev"], *part_tests(part).values()]:
            for text, label in zip(split[0], split[1]):
                digest.update(f"{text}\t{label}\n".encode())
    return digest.hexdigest()[:16]


# ----- one job, in a child process --------------------------------------------------
def run_job(job: dict, queue) -> None:
    """Train on each part of a dataset, predict its test set(s); one result per
    reported dataset (NewsMTSC gives two: devtest_rw and devtest_mt)."""
    try:
        import numpy as np

        from stancekit.benchmark import fit_model, predict_timed, sample_per_class, score_predictions

        args = argparse.Namespace(**job["args"])
        parts = load_dataset(job["dataset"], args)
        outputs: dict[str, dict] = {}
        for part in parts:
            texts, labels, targets = part["train"]
            if job.get("per_class"):
                keep = sample_per_class(labels, job["per_class"], job["seed"])
                texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
                targets = [targets[i] for i in keep] if targets else None
            model = make_model(job["model"], job["seed"], job["quick"])
            seconds = fit_model(model, texts, labels, targets, dev=part["dev"])
            params = model.get_params() if hasattr(model, "get_params") else {}
            params = {k: v for k, v in params.items() if isinstance(v, (str, int, float, bool, type(None)))}
            if job.get("hf_peer"):  # throughput peer: the HF pipeline on this fine-tuned model
                from stancekit.benchmark import hf_pipeline_peer

                test_texts = next(iter(part_tests(part).values()))[0]
                outputs["_hf_peer"] = hf_pipeline_peer(model, test_texts, batch_size=model.predict_batch_size)
            for dataset, test in part_tests(part).items():
                out = outputs.setdefault(dataset, {"model": job["model"], "dataset": dataset, "seed": job["seed"],
                                                   "params": params, "parts": [], "fit_seconds": 0.0, "rates": []})
                y_pred, proba, rate = predict_timed(model, test[0], test[2])
                report = score_predictions(test[1], y_pred, proba, list(getattr(model, "classes_", [])),
                                           seed=job["seed"], n_boot=200 if job["quick"] else 1000)
                out["parts"].append({"name": part["name"], "report": report, "train_size": len(texts)})
                out["fit_seconds"] += seconds
                out["rates"].append(rate)
        peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        results = []
        hf_peer = outputs.pop("_hf_peer", None)
        for out in outputs.values():
            if hf_peer is not None:
                out["peer_hf_pipeline"] = hf_peer
            reports = [p["report"] for p in out["parts"]]
            eces = [r["ece"] for r in reports if r["ece"] is not None]
            out.update(
                fit_seconds=round(out["fit_seconds"], 2),
                sentences_per_second=round(float(np.mean(out.pop("rates"))), 1),
                peak_rss_mib=peak,
                macro_f1=float(np.mean([r["macro_f1"] for r in reports])),
                f_avg=float(np.mean([r["f_avg"] for r in reports])),
                accuracy=float(np.mean([r["accuracy"] for r in reports])),
                macro_f1_ci95=[float(np.mean([r["macro_f1_ci95"][k] for r in reports])) for k in (0, 1)],
                ece=float(np.mean(eces)) if eces else None,
            )
            results.append(out)
        queue.put(results)
    except BaseException as exc:  # report, don't hang the parent
        queue.put([{"error": f"{type(exc).__name__}: {exc}", **{k: job[k] for k in ("model", "dataset", "seed")}}])


def run_in_child(job: dict) -> list[dict]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=run_job, args=(job, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


# ----- output -----------------------------------------------------------------------
def write_plots(results: list[dict], curves: list[dict]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    written = []
    for dataset in sorted({r["dataset"] for r in results}):
        rows = [r for r in results if r["dataset"] == dataset and r["seed"] == min(x["seed"] for x in results)]
        fig, axes = plt.subplots(1, len(rows), figsize=(3.2 * len(rows), 3.2), squeeze=False)
        for ax, r in zip(axes[0], rows):
            matrix = np.sum([np.array(p["report"]["confusion_matrix"]) for p in r["parts"]], axis=0)
            labels = r["parts"][0]["report"]["labels"]
            ax.imshow(matrix, cmap="Blues")
            for (i, j), v in np.ndenumerate(matrix):
                ax.text(j, i, int(v), ha="center", va="center", fontsize=8)
            ax.set_xticks(range(len(labels)), [l[:4] for l in labels]); ax.set_yticks(range(len(labels)), [l[:4] for l in labels])
            ax.set_title(r["model"], fontsize=9); ax.set_xlabel("predicted")
        axes[0][0].set_ylabel("true")
        fig.suptitle(f"confusion matrices: {dataset}", fontsize=10); fig.tight_layout()
        path = RESULTS / f"confusion_{dataset.replace('/', '_')}.png"
        fig.savefig(path, dpi=110); plt.close(fig); written.append(path.name)
    if curves:
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        for model in sorted({c["model"] for c in curves}):
            points = sorted((c["per_class"] or 10_000, c["macro_f1"]) for c in curves if c["model"] == model)
            sizes = sorted({p[0] for p in points})
            means = [np.mean([f for s, f in points if s == size]) for size in sizes]
            ax.plot(range(len(sizes)), means, marker="o", label=model)
            ax.set_xticks(range(len(sizes)), [str(s) if s != 10_000 else "all" for s in sizes])
        ax.set_xlabel("training labels per class"); ax.set_ylabel("macro-F1 (corpus test)")
        ax.set_title("learning curves"); ax.legend(fontsize=8); fig.tight_layout()
        fig.savefig(RESULTS / "learning_curves.png", dpi=110); plt.close(fig); written.append("learning_curves.png")
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for r in results:
        if r["dataset"] == "corpus":
            ax.scatter(r["sentences_per_second"], r["macro_f1"]); ax.annotate(r["model"], (r["sentences_per_second"], r["macro_f1"]), fontsize=8)
    ax.set_xscale("log"); ax.set_xlabel("sentences per second (log)"); ax.set_ylabel("macro-F1 (corpus test)")
    ax.set_title("accuracy vs throughput"); fig.tight_layout()
    fig.savefig(RESULTS / "accuracy_vs_throughput.png", dpi=110); plt.close(fig); written.append("accuracy_vs_throughput.png")
    return written


def markdown_table(results: list[dict]) -> str:
    import numpy as np

    lines = ["| dataset | model | main metric | macro-F1 [95% CI] | accuracy | ECE | train s | sent/s | peak MiB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for dataset in [d for d in ("corpus", "newsmtsc_rw", "newsmtsc_mt", "semeval2016") if any(r["dataset"] == d for r in results)]:
        for model in sorted({r["model"] for r in results if r["dataset"] == dataset}):
            runs = [r for r in results if r["dataset"] == dataset and r["model"] == model]
            mean = lambda key: float(np.mean([r[key] for r in runs]))
            low, high = (100 * float(np.mean([r["macro_f1_ci95"][k] for r in runs])) for k in (0, 1))
            eces = [r["ece"] for r in runs if r["ece"] is not None]
            ece = f"{np.mean(eces):.3f}" if eces else "–"
            metric = MAIN_METRIC[dataset]
            lines.append(f"| {dataset} | {model} | {metric} {100 * mean(metric):.1f} | {100 * mean('macro_f1'):.1f} "
                         f"[{low:.1f}, {high:.1f}] | {100 * mean('accuracy'):.1f} | {ece} | {mean('fit_seconds'):.1f} "
                         f"| {mean('sentences_per_second'):,.0f} | {mean('peak_rss_mib'):,.0f} |")
        peers = [r["peer_hf_pipeline"] for r in results if r["dataset"] == dataset and "peer_hf_pipeline" in r]
        if peers:
            p = peers[0]
            lines.append(f"| {dataset} | peer: HF `pipeline(\"text-classification\")`, same fine-tuned encoder "
                         f"(speed only) | | | | | | {p['hf_pipeline_sentences_per_second']:,.0f} | |")
            lines.append(f"| {dataset} | transformer, measured beside it | | | | | | "
                         f"{p['stancekit_sentences_per_second']:,.0f} (×{p['ratio']:.2f}) | |")
        lines.append(f"| {dataset} | *published* | {REFERENCES[dataset]} | | | | | | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--newsmtsc", help="folder with NewsMTSC train.jsonl, devtest_rw.jsonl, devtest_mt.jsonl")
    parser.add_argument("--semeval", help="folder with SemEval-2016 stance in the TweetEval layout")
    parser.add_argument("--models", nargs="+", default=["peer_vader", "peer_sklearn_tfidf", "lexicon", "tfidf", "embedding", "transformer"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--transformer-seeds", type=int, nargs="+", default=[0],
                        help="seeds for the fine-tuned transformer (each costs minutes to hours on CPU)")
    parser.add_argument("--transformer-single-seed", nargs="*", default=["newsmtsc"], metavar="DATASET",
                        help="datasets on which the transformer runs only its first seed (NewsMTSC: about "
                             "15-20 min per seed on 2 CPU cores)")
    parser.add_argument("--curve-sizes", type=int, nargs="+", default=[8, 16, 32, 64, 128, 0], help="labels per class; 0 = all")
    parser.add_argument("--curve-models", nargs="+", default=["tfidf", "embedding", "transformer"])
    parser.add_argument("--quick", action="store_true", help="one seed, no transformer, small curves: a few minutes")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds = args.seeds[:1]
        args.models = [m for m in args.models if m != "transformer"]
        args.curve_models = [m for m in args.curve_models if m != "transformer"]
        args.curve_sizes = [s for s in args.curve_sizes if s in (8, 32, 0)]
    datasets = ["corpus"]
    for flag in ("newsmtsc", "semeval"):
        path = getattr(args, flag)
        if path and Path(path).exists():
            datasets += [flag]
        else:
            print(f"skipping {flag}: {'no --' + flag + ' given' if not path else path + ' does not exist'}", file=sys.stderr)
    job_args = {"newsmtsc": args.newsmtsc, "semeval": args.semeval}
    results, curves, errors = [], [], []
    for dataset in datasets:
        for model in args.models:
            seeds = args.transformer_seeds if model == "transformer" else args.seeds
            if model == "transformer" and dataset in args.transformer_single_seed:
                seeds = seeds[:1]
            for seed in (seeds if model not in ("peer_vader", "lexicon") else seeds[:1]):
                started = time.time()
                hf_peer = model == "transformer" and dataset == "corpus" and seed == seeds[0]
                for result in run_in_child({"model": model, "dataset": dataset, "seed": seed, "quick": args.quick,
                                            "args": job_args, "hf_peer": hf_peer}):
                    (errors if "error" in result else results).append(result)
                    shown = result.get("error") or f"macro-F1 {result['macro_f1']:.3f}, F-avg {result['f_avg']:.3f}"
                    print(f"{result['dataset']:13s} {model:20s} seed {seed}: {shown} ({time.time() - started:.0f} s)", flush=True)
    for model in args.curve_models:
        for size in args.curve_sizes:
            for seed in (args.transformer_seeds if model == "transformer" else args.seeds):
                full = [r for r in results if r["model"] == model and r["dataset"] == "corpus" and r["seed"] == seed]
                if size == 0 and full:  # the full-data point is the main run
                    curves.append({"model": model, "per_class": None, "seed": seed, "macro_f1": full[0]["macro_f1"]})
                    continue
                [result] = run_in_child({"model": model, "dataset": "corpus", "seed": seed, "quick": args.quick,
                                         "args": job_args, "per_class": size or None})
                if "error" in result:
                    errors.append(result); continue
                curves.append({"model": model, "per_class": size or None, "seed": seed, "macro_f1": result["macro_f1"]})
                print(f"curve {model:12s} {size or 'all':>4} per class, seed {seed}: {result['macro_f1']:.3f}", flush=True)
    import stancekit
    import sklearn

    from importlib.metadata import PackageNotFoundError, version

    def installed(package: str) -> str | None:
        try:
            return version(package)
        except PackageNotFoundError:
            return None

    meta = {"stancekit": stancekit.__version__, "python": platform.python_version(), "sklearn": sklearn.__version__,
            **{name: installed(name) for name in ("torch", "transformers", "numpy", "datasets", "vadersentiment")},
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs", "quick": args.quick, "seeds": args.seeds,
            "models": args.models, "datasets": datasets,
            "fingerprints": {d: fingerprint(load_dataset(d, argparse.Namespace(**job_args))) for d in datasets},
            "date": time.strftime("%Y-%m-%d %H:%M")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "quick" if args.quick else "full"
    (RESULTS / f"results_{name}.json").write_text(json.dumps({"meta": meta, "results": results, "learning_curves": curves,
                                                             "errors": errors}, indent=1) + "\n")
    plots = write_plots(results, curves)
    table = markdown_table(results)
    print(table)
    readme = HERE / "README.md"
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    begin, end = f"<!-- results:{name}:begin -->", f"<!-- results:{name}:end -->"
    block = f"{begin}\n_Generated by `python benchmarks/run.py{' --quick' if args.quick else ''} ...` on {meta['date']} ({meta['machine']}); seeds {args.seeds}._\n\n{table}\n\nPlots: {', '.join(plots)}\n{end}"
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):] if begin in text else text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text)
    print(f"wrote {RESULTS}/results_{name}.json, {len(plots)} plots and {readme}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
