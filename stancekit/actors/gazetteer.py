"""The gazetteer: names, abbreviations, demonyms, capitals, institutions, IGOs,
office holders and titles, each resolved to an actor code.

Country names and codes come from ``pycountry``; everything else is in readable
TSV files under ``stancekit/data/gazetteer/`` that a user can extend, in code with
:meth:`Gazetteer.add` or on the command line with ``--gazetteer FILE`` (a TSV with
``code, alias, kind`` columns).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

from stancekit.actors.tokens import fold, tokenize

ALIAS_KINDS = ("not_actor", "name", "abbreviation", "demonym", "capital", "institution", "acronym", "body", "metonym", "person")
GAZETTEER_FILES = ("state_aliases.tsv", "igo_aliases.tsv")
NOT_ACTOR = "-"  # the code of a not_actor entry: a place or thing named after a state


@dataclass(frozen=True)
class Alias:
    code: str
    alias: str
    kind: str

    @property
    def exact_case(self) -> bool:
        """Acronyms match only in their own case ("WHO", not "who")."""
        letters = [c for c in self.alias if c.isalpha()]
        return len(letters) <= 5 and all(c.isupper() for c in letters) and self.kind in ("abbreviation", "acronym")


@dataclass(frozen=True)
class OfficeHolder:
    code: str
    name: str
    role: str
    start: date | None
    end: date | None

    def in_office(self, when: date | None) -> bool:
        if when is None:
            return True
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


def _read_rows(text: str, name: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    rows = []
    for number, row in enumerate(csv.DictReader(lines, delimiter="\t"), start=2):
        if None in row or any(v is None for v in row.values()):
            raise ValueError(f"{name}: entry {number} has the wrong number of fields")
        rows.append({k.strip(): v.strip() for k, v in row.items()})
    return rows


def _bundled(name: str) -> str:
    path = resources.files("stancekit").joinpath("data", "gazetteer", name)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _parse_date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


class Gazetteer:
    """Aliases indexed by their folded token sequence for longest-match lookup."""

    def __init__(self, aliases: list[Alias] = (), office_holders: list[OfficeHolder] = (),
                 titles: dict[str, str] | None = None):
        self._index: dict[tuple[str, ...], list[Alias]] = {}
        self._lengths: dict[str, list[int]] = {}  # first folded token -> alias lengths, longest first
        self.max_tokens = 1
        self.office_holders: list[OfficeHolder] = []
        self.titles: dict[str, str] = {}
        for title, kind in (titles or {}).items():
            self.add_title(title, kind)
        for alias in aliases:
            self._add_alias(alias)
        for holder in office_holders:
            self.add_office_holder(holder)

    # ----- building --------------------------------------------------------------
    def _add_alias(self, alias: Alias) -> None:
        key = tuple(fold(t.text) for t in tokenize(alias.alias))
        if not key:
            return
        entries = self._index.setdefault(key, [])
        if alias not in entries:
            entries.append(alias)
        lengths = self._lengths.setdefault(key[0], [])
        if len(key) not in lengths:
            lengths.append(len(key))
            lengths.sort(reverse=True)
        self.max_tokens = max(self.max_tokens, len(key))

    def add(self, alias: str, code: str | None, kind: str = "name") -> "Gazetteer":
        """Add an alias for a code, e.g. ``gaz.add("Casa Rosada", "ARG", "institution")``;
        ``gaz.add("Gulf of Aden", None, "not_actor")`` hides the aliases inside a place name."""
        from stancekit.codes import code_kind

        if kind not in ALIAS_KINDS:
            raise ValueError(f"kind {kind!r} is not one of {', '.join(ALIAS_KINDS)}")
        if kind == "not_actor":
            code = NOT_ACTOR
        elif code_kind(code) is None:
            raise ValueError(f"unknown code {code!r}: use an ISO 3166-1 alpha-3 code or an IGO code from igos.tsv")
        self._add_alias(Alias(code, alias, kind))
        return self

    def add_title(self, title: str, kind: str) -> None:
        """A title or role noun; a multi-word title also teaches its head word
        ("foreign secretary" → "secretary")."""
        if kind not in ("person", "body"):
            raise ValueError(f"title kind must be 'person' or 'body', got {kind!r}")
        words = fold(title).split()
        if words:
            self.titles[" ".join(words)] = kind
            self.titles.setdefault(words[-1], kind)

    def add_office_holder(self, holder: OfficeHolder) -> None:
        self.office_holders.append(holder)
        self._add_alias(Alias(holder.code, holder.name, "person"))

    def add_file(self, path: str | Path) -> "Gazetteer":
        """Add aliases from a TSV file with ``code``, ``alias`` and ``kind`` columns."""
        for row in _read_rows(Path(path).read_text(encoding="utf-8"), str(path)):
            self.add(row["alias"], row["code"], row.get("kind") or "name")
        return self

    @classmethod
    def bundled(cls) -> "Gazetteer":
        """The gazetteer shipped with stancekit (pycountry names plus the TSV files)."""
        import pycountry

        from stancekit.codes import igo_names, state_regions

        listed = [Alias(row["code"], row["alias"], row["kind"])
                  for file_name in GAZETTEER_FILES for row in _read_rows(_bundled(file_name), file_name)]
        # A hand-written alias overrides a pycountry name with the same words
        # ("Congo" in news is the DR Congo, not pycountry's Republic of the Congo).
        listed_keys = {tuple(fold(t.text) for t in tokenize(a.alias)) for a in listed}
        aliases = []
        for country in pycountry.countries:
            if country.alpha_3 not in state_regions():
                continue
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if value and "," not in value and tuple(fold(t.text) for t in tokenize(value)) not in listed_keys:
                    aliases.append(Alias(country.alpha_3, value, "name"))
        for code, name in igo_names().items():
            aliases.append(Alias(code, name, "name"))
            aliases.append(Alias(code, code, "acronym"))
        aliases.extend(listed)
        holders = [
            OfficeHolder(row["code"], row["name"], row["role"], _parse_date(row["start"]), _parse_date(row["end"]))
            for row in _read_rows(_bundled("leaders.tsv"), "leaders.tsv")
        ]
        for row in _read_rows(_bundled("not_actors.tsv"), "not_actors.tsv"):
            aliases.append(Alias(NOT_ACTOR, row["alias"], "not_actor"))
        titles = {fold(row["title"]): row["kind"] for row in _read_rows(_bundled("titles.tsv"), "titles.tsv")}
        return cls(aliases, holders, titles)

    # ----- lookup ----------------------------------------------------------------
    def name_words(self, code: str) -> frozenset[str]:
        """Folded words of every alias of ``code`` ("court" for the ICC, "commission"
        for the EU): what a lower-case reference to that actor may use."""
        return frozenset(word for key, aliases in self._index.items()
                         if any(a.code == code for a in aliases) for word in key)

    def lengths_from(self, first_folded: str) -> list[int]:
        """Token lengths of the aliases that start with this folded word, longest first."""
        return self._lengths.get(first_folded, [])

    def lookup(self, folded_tokens: tuple[str, ...]) -> list[Alias]:
        return self._index.get(folded_tokens, [])

    def title_kind(self, word: str) -> str | None:
        """"person" or "body" for a title or role noun ("minister", "officials")."""
        return self.titles.get(fold(word))

    def office_holder(self, name: str, when: date | None = None) -> OfficeHolder | None:
        folded = fold(name)
        matches = [h for h in self.office_holders if fold(h.name) == folded]
        current = [h for h in matches if h.in_office(when)]
        return (current or matches or [None])[0]

    def __len__(self) -> int:
        return sum(len(v) for v in self._index.values())


@lru_cache(maxsize=1)
def bundled_gazetteer() -> Gazetteer:
    return Gazetteer.bundled()
