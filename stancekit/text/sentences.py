"""Split news text into sentences, keeping character offsets.

News needs more than splitting on full stops: headlines and subheads stand on
their own lines without a final stop, abbreviations ("U.S.", "Gen.", "Jan.") and
initials end in a stop mid-sentence, decimals contain one, and a sentence may end
inside a closing quote or bracket.
"""

from __future__ import annotations

import re
from typing import NamedTuple

ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cmdr adm sgt rep sen gov pres amb sec min
    st mt ft no nos vol fig approx est dept univ corp inc ltd co jr sr rev hon
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun
    u.s u.k u.n e.u u.s.a d.c a.m p.m e.g i.e etc vs al
    """.split()
)
# A candidate boundary: ., ! or ? (possibly repeated), then closing quotes or
# brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_NEXT_START = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9]")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


class SentenceSpan(NamedTuple):
    start: int
    end: int
    text: str


def _is_abbreviation(chunk: str) -> bool:
    """True when the stop ending ``chunk`` belongs to an abbreviation or initial."""
    match = _WORD_BEFORE.search(chunk)
    if not match:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():  # an initial: "John F. Kennedy"
        return True
    return word.lower().rstrip(".") in ABBREVIATIONS


def _split_line(text: str, offset: int) -> list[SentenceSpan]:
    spans: list[SentenceSpan] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        following = _NEXT_START.match(text, end)
        if following is None:
            continue
        stop = match.group(0)
        if stop.startswith(".") and len(stop.rstrip("\"'”’)]")) == 1 and _is_abbreviation(text[start:match.start() + 1]):
            continue
        spans.append(SentenceSpan(offset + start, offset + end, text[start:end]))
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    rest = text[start:].rstrip()
    if rest.strip():
        spans.append(SentenceSpan(offset + start, offset + start + len(rest), rest))
    return spans


def split_sentences(text: str) -> list[SentenceSpan]:
    """Split ``text`` into sentences with offsets into ``text``.

    Every non-empty line is split on its own, so headlines and subheads without a
    final stop become sentences of their own.

    Examples
    --------
    >>> [s.text for s in split_sentences("U.S. and Mexico sign pact\\nGen. Ruiz said it was 3.5 times larger. Talks end Jan. 5.")]
    ['U.S. and Mexico sign pact', 'Gen. Ruiz said it was 3.5 times larger.', 'Talks end Jan. 5.']
    """
    spans: list[SentenceSpan] = []
    position = 0
    for line in re.split(r"(\r\n|\r|\n)", text):
        if line in ("\r\n", "\r", "\n"):
            position += len(line)
            continue
        stripped = line.lstrip()
        if stripped.strip():
            spans.extend(_split_line(stripped, position + len(line) - len(stripped)))
        position += len(line)
    return spans
