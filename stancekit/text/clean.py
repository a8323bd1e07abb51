"""Make scraped text safe for the models without moving any character offset.

Control characters, zero-width characters, HTML tags and the common HTML entities
are replaced by spaces of the same length, so offsets into the cleaned text are
offsets into the original.
"""

from __future__ import annotations

import re

# C0/C1 controls except tab and newlines, zero-width and byte-order marks.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff]")
_TAG = re.compile(r"<[^<>\n]{0,200}>")
_ENTITIES = {"&amp;": "&", "&nbsp;": " ", "&quot;": '"', "&#39;": "'", "&apos;": "'", "&lt;": "<", "&gt;": ">"}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))


def clean_text(text: str) -> str:
    """Same-length copy of ``text`` with invisible characters and markup blanked.

    Examples
    --------
    >>> clean_text("<p>Kenya&amp;Uganda\u200b signed</p>")
    '   Kenya&    Uganda  signed    '
    """
    text = _INVISIBLE.sub(" ", text)
    text = _TAG.sub(lambda m: " " * len(m.group(0)), text)
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)].ljust(len(m.group(0))), text)


def has_content(text: str) -> bool:
    """True when the text has at least one letter or digit."""
    return any(c.isalnum() for c in text)
