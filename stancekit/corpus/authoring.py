"""Parse the human-written article files under ``data/articles/``.

The articles are written in a line format that is easy to read and review; the
builder turns them into the JSONL corpus with character offsets, so offsets can
never drift from the text.

Format::

    # ARTICLE lat-01 | BOGOTA | 2025-03-14
    H | cooperative | drugs,diplomacy | COL>USA | [Colombia|COL] and [U.S.|USA] sign coca pact
    S | neutral | drugs | COL>- | The accord follows ...

Each sentence line has five fields separated by `` | ``: the kind (``H`` headline,
``SH`` subhead, ``S`` body sentence), the stance, comma-separated issues (``-`` for
none), ``SOURCE>TARGET`` codes (``-`` for null) and the text.  In the text an
actor mention is written ``[mention text|CODE]``.  Lines starting with ``//`` and
blank lines are ignored.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from stancekit.labels import ISSUES, STANCES

KINDS = ("H", "SH", "S")
_HEADER = re.compile(r"^# ARTICLE\s+(\S+)\s*\|\s*([^|]+?)\s*\|\s*(\d{4}-\d{2}-\d{2})\s*$")
_MENTION = re.compile(r"\[([^\[\]|]+)\|([A-Z][A-Z0-9]{1,11})\]")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")


class AuthoringError(ValueError):
    """A line of an article file breaks the authoring format."""


@dataclass
class Sentence:
    kind: str
    stance: str
    issues: list[str]
    source: str | None
    target: str | None
    text: str
    actors: list[dict]
    line: int


@dataclass
class Article:
    article_id: str
    dateline: str
    date: str
    path: str
    line: int
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def title(self) -> str:
        heads = [s.text for s in self.sentences if s.kind == "H"]
        return heads[0] if heads else ""


def parse_markup(marked: str) -> tuple[str, list[dict]]:
    """Return the plain text and the actor mentions with character offsets."""
    plain_parts: list[str] = []
    actors: list[dict] = []
    pos = 0
    length = 0
    for match in _MENTION.finditer(marked):
        before = marked[pos : match.start()]
        plain_parts.append(before)
        length += len(before)
        mention = match.group(1)
        actors.append(
            {"start": length, "end": length + len(mention), "text": mention, "code": match.group(2)}
        )
        plain_parts.append(mention)
        length += len(mention)
        pos = match.end()
    plain_parts.append(marked[pos:])
    text = "".join(plain_parts)
    if "[" in text or "]" in text:
        raise AuthoringError("unbalanced or malformed [mention|CODE] markup")
    return text, actors


def _parse_code(value: str, what: str) -> str | None:
    value = value.strip()
    if value == "-":
        return None
    if not _CODE.match(value):
        raise AuthoringError(f"{what} code {value!r} is not an upper-case code or '-'")
    return value


def parse_sentence_line(raw: str, line: int) -> Sentence:
    parts = [p.strip() for p in raw.split(" | ", 4)]
    if len(parts) != 5:
        raise AuthoringError("expected 5 fields 'KIND | stance | issues | SRC>TGT | text'")
    kind, stance, issues_field, dyad, marked = parts
    if kind not in KINDS:
        raise AuthoringError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if stance not in STANCES:
        raise AuthoringError(f"stance {stance!r} is not one of {', '.join(STANCES)}")
    issues = [] if issues_field == "-" else [i.strip() for i in issues_field.split(",")]
    for issue in issues:
        if issue not in ISSUES:
            raise AuthoringError(f"issue {issue!r} is not one of {', '.join(ISSUES)}")
    if len(set(issues)) != len(issues):
        raise AuthoringError("an issue is listed twice")
    if dyad.count(">") != 1:
        raise AuthoringError(f"dyad {dyad!r} must be SOURCE>TARGET, '-' for none")
    source, target = (_parse_code(v, w) for v, w in zip(dyad.split(">"), ("source", "target")))
    text, actors = parse_markup(marked)
    if not text.strip():
        raise AuthoringError("empty sentence text")
    return Sentence(kind, stance, issues, source, target, text, actors, line)


def parse_file(path: str | Path) -> list[Article]:
    """Parse one article file; raise :class:`AuthoringError` naming file and line."""
    path = Path(path)
    articles: list[Article] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("//"):
            continue
        try:
            if stripped.startswith("#"):
                match = _HEADER.match(stripped)
                if not match:
                    raise AuthoringError("header must be '# ARTICLE ID | DATELINE | YYYY-MM-DD'")
                articles.append(Article(match[1], match[2], match[3], str(path), number))
            else:
                if not articles:
                    raise AuthoringError("sentence before the first '# ARTICLE' header")
                articles[-1].sentences.append(parse_sentence_line(stripped, number))
        except AuthoringError as exc:
            raise AuthoringError(f"{path}:{number}: {exc}") from None
    return articles


def article_problems(article: Article) -> list[str]:
    """Soft checks on one article (size, headline) reported by the checker."""
    where = f"{article.path}:{article.line}: article {article.article_id}"
    problems = []
    n = len(article.sentences)
    if not 8 <= n <= 25:
        problems.append(f"{where} has {n} sentences (8-25 allowed)")
    if not article.sentences or article.sentences[0].kind != "H":
        problems.append(f"{where} does not start with an H (headline) line")
    for s in article.sentences:
        codes = {a["code"] for a in s.actors}
        for role, code in (("source", s.source), ("target", s.target)):
            if code is not None and code not in codes:
                problems.append(
                    f"{article.path}:{s.line}: {role} {code} is not among the sentence's "
                    f"mentions {sorted(codes)} (fine only for a pronoun or 'the ministry')"
                )
        words = len(s.text.split())
        if words > 60:
            problems.append(f"{article.path}:{s.line}: {words} words (60 at most)")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check article files: ``python -m stancekit.corpus.authoring FILE...``."""
    from collections import Counter

    paths = argv if argv is not None else sys.argv[1:]
    stances: Counter = Counter()
    issues: Counter = Counter()
    codes: Counter = Counter()
    n_articles = n_sentences = words = 0
    seen_ids: set[str] = set()
    status = 0
    for path in paths:
        try:
            articles = parse_file(path)
        except AuthoringError as exc:
            print(f"ERROR {exc}")
            status = 1
            continue
        for article in articles:
            if article.article_id in seen_ids:
                print(f"ERROR {path}:{article.line}: duplicate article id {article.article_id}")
                status = 1
            seen_ids.add(article.article_id)
            for problem in article_problems(article):
                print(f"WARN  {problem}")
            n_articles += 1
            for s in article.sentences:
                n_sentences += 1
                words += len(s.text.split())
                stances[s.stance] += 1
                issues.update(s.issues)
                codes.update({a["code"] for a in s.actors})
    print(f"\n{n_articles} articles, {n_sentences} sentences, {words / max(n_sentences, 1):.1f} words/sentence")
    for label in STANCES:
        print(f"  {label:12s} {stances[label]:5d}  {stances[label] / max(n_sentences, 1):.0%}")
    print("issues: " + ", ".join(f"{i}={issues[i]}" for i in ISSUES))
    print(f"{len(codes)} actor codes: " + ", ".join(f"{c}={n}" for c, n in codes.most_common()))
    return status


if __name__ == "__main__":
    sys.exit(main())
