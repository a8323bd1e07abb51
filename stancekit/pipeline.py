"""From text to a sentence table: split, classify stance and issues, find actors."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np

from stancekit.errors import DataError
from stancekit.labels import STANCES
from stancekit.text.clean import clean_text, has_content

BATCH_SIZE = 256


def _models(models):
    from stancekit.defaults import Models, load

    if models is None or isinstance(models, (str, bytes)) or hasattr(models, "__fspath__"):
        return load(models)
    if isinstance(models, Models):
        return models
    if hasattr(models, "predict_proba"):  # a single stance model
        return Models(models, None)
    raise TypeError(f"models must be a Models bundle, a model, a path or None, got {type(models).__name__}")


def as_input_texts(texts: Iterable[Any]) -> list[str]:
    """Texts as strings: ``None`` and NaN become "" (no content), bytes are decoded
    as UTF-8; anything else that is not a string is refused, naming its position."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("expected a list of texts, got a single text; wrap it: [text]")
    out = []
    for i, text in enumerate(texts):
        if text is None or (isinstance(text, float) and text != text):
            text = ""
        elif isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataError(f"text {i}: bytes that are not UTF-8 ({exc.reason}); decode them first") from None
        elif not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, not str")
        out.append(text)
    return out


def no_content_result() -> dict:
    """What a text without letters or digits gets: neutral, flagged, nothing found."""
    return {"stance": "neutral", "stance_scores": {label: float(label == "neutral") for label in STANCES},
            "issues": [], "no_content": True}


def _predict(texts: list[str], models, batch_size: int) -> list[dict]:
    """Stance and issues for each (cleaned) text, without actors."""
    results: list[dict | None] = [None] * len(texts)
    todo = [i for i, text in enumerate(texts) if has_content(text)]
    for i in set(range(len(texts))) - set(todo):
        results[i] = no_content_result()
    for start in range(0, len(todo), batch_size):
        index = todo[start:start + batch_size]
        batch = [texts[i] for i in index]
        proba = models.stance.predict_proba(batch)
        stances = models.stance.classes_[np.argmax(proba, axis=1)]
        issues = models.issues.predict(batch) if models.issues is not None else [[] for _ in batch]
        scores = {str(c): proba[:, j] for j, c in enumerate(models.stance.classes_)}
        for k, (i, stance, issue_list) in enumerate(zip(index, stances, issues)):
            results[i] = {
                "stance": str(stance),
                "stance_scores": {label: float(scores[label][k]) if label in scores else 0.0 for label in STANCES},
                "issues": issue_list,
            }
    return results


def _add_actors(result: dict, text: str, extractor, memory) -> dict:
    from stancekit.actors.dyads import decide_dyad

    mentions = extractor.extract(text, memory)
    source, target = decide_dyad(text, mentions, memory, stance=result["stance"])
    result.update(actors=[m.to_dict() for m in mentions], source=source, target=target)
    return result


def classify(texts: Sequence[str], models=None, batch_size: int = BATCH_SIZE) -> list[dict]:
    """Classify sentences that are already split, each on its own.

    Returns one dict per text with ``stance``, ``stance_scores`` ({label: p}),
    ``issues``, ``actors`` ([{start, end, text, code, kind}]), ``source`` and ``target``.
    A text with no letters or digits (empty, ``None``, NaN, only punctuation) gets
    stance ``neutral`` with ``no_content: True`` instead of a model's guess. Control
    and zero-width characters and HTML tags are blanked before classification;
    actor offsets still index the original text.
    """
    from stancekit.actors.extract import DocumentMemory

    models = _models(models)
    texts = [clean_text(t) for t in as_input_texts(texts)]
    return [_add_actors(result, text, models.actors, DocumentMemory())
            for text, result in zip(texts, _predict(texts, models, batch_size))]


def analyze(texts: str | Iterable[str], models=None, doc_ids: Sequence[Any] | None = None,
            batch_size: int = BATCH_SIZE):
    """Analyze articles: one row per sentence with stance, issues and actors.

    Sentences of one article are read in order, so a surname or "the Health Ministry"
    resolves from an earlier sentence, and "He said …" keeps the previous source.

    Parameters
    ----------
    texts
        One article (a string) or several.
    models
        ``None`` for the bundled default models, a :class:`~stancekit.defaults.Models`
        bundle, a single stance model, or a model folder path.
    doc_ids
        Identifiers for the articles; default 0, 1, 2, …

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id``, ``sentence_index``, ``start``, ``end``, ``text``,
        ``stance``, ``p_cooperative``, ``p_critical``, ``p_neutral``, ``issues``,
        ``actors``, ``source``, ``target``, ``no_content``. An article with no
        letters or digits (empty, ``None``, NaN) keeps one row, neutral and flagged
        ``no_content``; bytes are decoded as UTF-8.

    Examples
    --------
    >>> import stancekit
    >>> table = stancekit.analyze("Chile and Peru sign a water pact. Lima praised the deal.")  # doctest: +SKIP
    """
    import pandas as pd

    from stancekit.actors.extract import DocumentMemory
    from stancekit.text.sentences import split_sentences

    if isinstance(texts, (str, bytes)):
        texts = [texts]
    texts = [clean_text(t) for t in as_input_texts(texts)]
    if doc_ids is None:
        doc_ids = list(range(len(texts)))
    elif len(doc_ids) != len(texts):
        raise ValueError(f"got {len(doc_ids)} doc_ids for {len(texts)} texts")
    models = _models(models)
    rows = []
    for doc_id, text in zip(doc_ids, texts):
        spans = [span for span in split_sentences(text) if has_content(span.text)]
        if not spans:  # keep every document in the table, flagged
            rows.append({"doc_id": doc_id, "sentence_index": 0, "start": 0, "end": len(text), "text": text.strip()})
        for index, span in enumerate(spans):
            rows.append({"doc_id": doc_id, "sentence_index": index, "start": span.start,
                         "end": span.end, "text": span.text})
    results = _predict([r["text"] for r in rows], models, batch_size)
    memory = None
    for row, result in zip(rows, results):
        if row["sentence_index"] == 0:
            memory = DocumentMemory()
        _add_actors(result, row["text"], models.actors, memory)
        row["stance"] = result["stance"]
        for label in STANCES:
            row[f"p_{label}"] = result["stance_scores"].get(label, 0.0)
        row.update(issues=result["issues"], actors=result["actors"], source=result["source"],
                   target=result["target"], no_content=result.get("no_content", False))
    columns = ["doc_id", "sentence_index", "start", "end", "text", "stance"] + [f"p_{l}" for l in STANCES] + [
        "issues", "actors", "source", "target", "no_content"]
    return pd.DataFrame(rows, columns=columns)
