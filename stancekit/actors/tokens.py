"""Word tokens with character offsets, shaped for actor matching.

"U.S." and "U.N." stay whole; a possessive "'s" is its own token; hyphenated words
stay whole ("Guinea-Bissau", "al-Badri") and are split by the matcher when needed
("Sino-Indian").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|\w+(?:[-'’](?![sS]\b)\w+)*|['’][sS]\b|\S")


class Token(NamedTuple):
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case without accents, for matching ("Bogotá" == "bogota")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def is_capitalized(token: str) -> bool:
    return token[:1].isupper()
