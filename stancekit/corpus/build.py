"""Build the JSONL corpus from the article files and fix its splits.

Run ``python -m stancekit.corpus.build`` after editing ``data/articles/*.txt``;
the tests fail while the built files are out of date.

Splits are by article, stratified by the article-id prefix (one prefix per batch
of articles, usually a world region), in a fixed seeded order: about 70 / 15 / 15.
The seed was chosen once, among 400 candidates, as the one whose splits come
closest to the whole corpus's stance and issue shares; it is fixed so the splits
never move when the code runs again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from stancekit.corpus.authoring import Article, AuthoringError, parse_file

SPLITS = ("train", "dev", "test")
SPLIT_SHARES = (0.70, 0.15, 0.15)
SPLIT_SEED = "stancekit-corpus-v1-285"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPO_ROOT / "data" / "articles"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "data" / "corpus"


def _order_key(article_id: str) -> str:
    return hashlib.sha256(f"{SPLIT_SEED}:{article_id}".encode()).hexdigest()


def assign_splits(articles: list[Article]) -> dict[str, str]:
    """Map article id → split, stratified by id prefix."""
    by_prefix: dict[str, list[str]] = {}
    for article in articles:
        by_prefix.setdefault(article.article_id.rsplit("-", 1)[0], []).append(article.article_id)
    splits: dict[str, str] = {}
    for ids in by_prefix.values():
        ids = sorted(ids, key=_order_key)
        n_dev = round(len(ids) * SPLIT_SHARES[1])
        n_test = round(len(ids) * SPLIT_SHARES[2])
        for position, article_id in enumerate(ids):
            if position < n_test:
                splits[article_id] = "test"
            elif position < n_test + n_dev:
                splits[article_id] = "dev"
            else:
                splits[article_id] = "train"
    return splits


def sentence_records(article: Article) -> list[dict]:
    return [
        {
            "id": f"{article.article_id}-{index:02d}",
            "article_id": article.article_id,
            "sentence_index": index,
            "kind": s.kind,
            "text": s.text,
            "stance": s.stance,
            "issues": s.issues,
            "actors": s.actors,
            "source": s.source,
            "target": s.target,
        }
        for index, s in enumerate(article.sentences)
    ]


def read_articles(source: Path = DEFAULT_SOURCE) -> list[Article]:
    files = sorted(Path(source).glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"no article files (*.txt) in {source}")
    articles = [a for path in files for a in parse_file(path)]
    seen: set[str] = set()
    for article in articles:
        if article.article_id in seen:
            raise AuthoringError(f"{article.path}:{article.line}: duplicate article id {article.article_id}")
        seen.add(article.article_id)
    return articles


def build(source: Path = DEFAULT_SOURCE, output: Path = DEFAULT_OUTPUT) -> dict[str, int]:
    """Write ``{train,dev,test}.jsonl`` and ``articles.jsonl`` to ``output``."""
    articles = read_articles(source)
    splits = assign_splits(articles)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split in SPLITS:
        lines = [
            json.dumps(record, ensure_ascii=False)
            for article in sorted(articles, key=lambda a: a.article_id)
            if splits[article.article_id] == split
            for record in sentence_records(article)
        ]
        _write_atomic(output / f"{split}.jsonl", lines)
        counts[split] = len(lines)
    meta = [
        json.dumps({"article_id": a.article_id, "split": splits[a.article_id], "title": a.title,
                    "dateline": a.dateline, "date": a.date, "sentences": len(a.sentences),
                    "source_file": Path(a.path).name}, ensure_ascii=False)
        for a in sorted(articles, key=lambda a: a.article_id)
    ]
    _write_atomic(output / "articles.jsonl", meta)
    return counts


def _write_atomic(path: Path, lines: list[str]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else DEFAULT_SOURCE
    output = Path(args[1]) if len(args) > 1 else DEFAULT_OUTPUT
    counts = build(source, output)
    print(f"wrote {output}: " + ", ".join(f"{k} {v} sentences" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
