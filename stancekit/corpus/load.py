"""Load the bundled corpus by split."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from stancekit.corpus.build import SPLITS


def corpus_dir() -> Path:
    return Path(str(resources.files("stancekit").joinpath("data", "corpus")))


def corpus_path(split: str) -> Path:
    """Path of a split's JSONL file ("train", "dev" or "test")."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    return corpus_dir() / f"{split}.jsonl"


def read_split_records(split: str) -> list[dict]:
    with corpus_path(split).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_corpus(split: str | list[str] = "train"):
    """The bundled corpus as a pandas DataFrame, one row per sentence.

    Parameters
    ----------
    split
        ``"train"``, ``"dev"``, ``"test"``, ``"all"`` or a list of these.

    Examples
    --------
    >>> import stancekit
    >>> train = stancekit.load_corpus("train")
    >>> sorted(train["stance"].unique())
    ['cooperative', 'critical', 'neutral']
    """
    import pandas as pd

    splits = list(SPLITS) if split == "all" else [split] if isinstance(split, str) else list(split)
    frames = []
    for name in splits:
        frame = pd.DataFrame(read_split_records(name))
        frame.insert(2, "split", name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def load_articles():
    """Article metadata (id, split, title, dateline, date) as a DataFrame."""
    import pandas as pd

    return pd.read_json(corpus_dir() / "articles.jsonl", lines=True, dtype={"date": str})
