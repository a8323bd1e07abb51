"""Match the diplomatic cue lexicon (a readable TSV) against sentences.

A term is a phrase of lower-case words; a trailing ``*`` on a word matches any
word with that prefix. Determiners and possessives between the words of a phrase
are skipped, so "lifted the sanctions" matches ``lift* sanction*``. A cue preceded
closely by a negator ("did not condemn", "refused to sign") is reported as negated.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

POLARITIES = ("cooperative", "critical")
SKIPPABLE = frozenset(
    "the a an its their his her all some new further any this these those our".split()
)
NEGATORS = frozenset(
    "not no never without neither nor n't refused refuses refusing declined declines "
    "declining failed fails failing".split()
)
NEGATION_WINDOW = 3  # tokens before a cue in which a negator negates it
_TOKEN = re.compile(r"n't|[a-z0-9]+(?:['’][a-z]+)?")


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens, with "n't" split off as its own token."""
    return _TOKEN.findall(text.lower().replace("’", "'").replace("n't", " n't"))


@dataclass(frozen=True)
class Cue:
    term: str
    polarity: str
    weight: float
    category: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class CueMatch:
    cue: Cue
    start: int  # token index
    end: int
    negated: bool


def _word_matches(pattern: str, token: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


class CueLexicon:
    """A set of cues indexed by their first word for fast matching."""

    def __init__(self, cues: list[Cue]):
        self.cues = cues
        self._exact: dict[str, list[Cue]] = {}
        self._prefix: dict[str, list[Cue]] = {}
        for cue in cues:
            first = cue.words[0]
            if first.endswith("*"):
                self._prefix.setdefault(first[:-1], []).append(cue)
            else:
                self._exact.setdefault(first, []).append(cue)
        self._prefix_lengths = sorted({len(p) for p in self._prefix})

    @classmethod
    def from_tsv(cls, path: str | Path | None = None) -> "CueLexicon":
        """Read a lexicon TSV (``term, polarity, weight, category``); default: the bundled one."""
        if path is None:
            text = resources.files("stancekit").joinpath("data", "lexicon", "diplomatic_cues.tsv").read_text(encoding="utf-8")
            name = "diplomatic_cues.tsv"
        else:
            text = Path(path).read_text(encoding="utf-8")
            name = str(path)
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        cues = []
        for number, row in enumerate(csv.DictReader(lines, delimiter="\t"), start=2):
            try:
                polarity = row["polarity"].strip()
                if polarity not in POLARITIES:
                    raise ValueError(f"polarity {polarity!r} is not one of {POLARITIES}")
                term = row["term"].strip().lower()
                cues.append(Cue(term, polarity, float(row["weight"]), row["category"].strip(),
                                tuple(term.split())))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ValueError(f"{name}: entry {number}: {exc}") from None
        return cls(cues)

    def _candidates(self, token: str) -> list[Cue]:
        found = list(self._exact.get(token, ()))
        for length in self._prefix_lengths:
            if length > len(token):
                break
            found.extend(self._prefix.get(token[:length], ()))
        return found

    def _match_at(self, cue: Cue, tokens: list[str], i: int) -> int | None:
        j = i + 1
        for pattern in cue.words[1:]:
            while j < len(tokens) and tokens[j] in SKIPPABLE and not _word_matches(pattern, tokens[j]):
                j += 1
            if j >= len(tokens) or not _word_matches(pattern, tokens[j]):
                return None
            j += 1
        return j

    def match(self, text: str) -> list[CueMatch]:
        """All cue matches in ``text``; a longer phrase hides the shorter ones inside it."""
        tokens = tokenize(text)
        matches: list[CueMatch] = []
        for i, token in enumerate(tokens):
            for cue in self._candidates(token):
                end = self._match_at(cue, tokens, i)
                if end is None:
                    continue
                window = tokens[max(0, i - NEGATION_WINDOW) : i]
                matches.append(CueMatch(cue, i, end, any(t in NEGATORS for t in window)))
        matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[CueMatch] = []
        covered_until = -1
        for m in matches:
            if m.end <= covered_until and kept and kept[-1].start <= m.start:
                continue
            kept.append(m)
            covered_until = max(covered_until, m.end)
        return kept


@lru_cache(maxsize=8)
def bundled_lexicon() -> CueLexicon:
    return CueLexicon.from_tsv(None)
