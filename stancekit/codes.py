"""Actor codes: states (ISO 3166-1 alpha-3) with their regions, and IGOs."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources


def _read_tsv(name: str) -> list[dict]:
    text = resources.files("stancekit").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


@lru_cache(maxsize=1)
def state_regions() -> dict[str, str]:
    """ISO alpha-3 code → World Bank region, for every state the package knows."""
    return {row["code"]: row["region"] for row in _read_tsv("regions.tsv")}


@lru_cache(maxsize=1)
def igo_names() -> dict[str, str]:
    """IGO code → name."""
    return {row["code"]: row["name"] for row in _read_tsv("igos.tsv")}


def code_kind(code: str) -> str | None:
    """"state", "igo" or None for an unknown code."""
    if code in state_regions():
        return "state"
    if code in igo_names():
        return "igo"
    return None
