"""From text to a sentence table: split, classify stance and issues, find actors."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np

from stancekit.labels import STANCES

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


def _predict(texts: list[str], models, batch_size: int) -> list[dict]:
    """Stance and issues for each text, without actors."""
    results: list[dict] = []
    for start in range(0, len(texts), batch_size):
        batch = texts[start:start + batch_size]
        if not batch:
            continue
        proba = models.stance.predict_proba(batch)
        stances = models.stance.classes_[np.argmax(proba, axis=1)]
        issues = models.issues.predict(batch) if models.issues is not None else [[] for _ in batch]
        for row, stance, issue_list in zip(proba, stances, issues):
            results.append({
                "stance": str(stance),
                "stance_scores": {str(c): float(p) for c, p in zip(models.stance.classes_, row)},
                "issues": issue_list,
            })
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
    """
    from stancekit.actors.extract import DocumentMemory
    from stancekit.models.base import as_texts

    models = _models(models)
    texts = as_texts(texts)
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
        ``actors``, ``source``, ``target``.

    Examples
    --------
    >>> import stancekit
    >>> table = stancekit.analyze("Chile and Peru sign a water pact. Lima praised the deal.")  # doctest: +SKIP
    """
    import pandas as pd

    from stancekit.actors.extract import DocumentMemory
    from stancekit.text.sentences import split_sentences

    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, not str")
    if doc_ids is None:
        doc_ids = list(range(len(texts)))
    elif len(doc_ids) != len(texts):
        raise ValueError(f"got {len(doc_ids)} doc_ids for {len(texts)} texts")
    models = _models(models)
    rows = []
    for doc_id, text in zip(doc_ids, texts):
        for index, span in enumerate(split_sentences(text)):
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
                   target=result["target"])
    columns = ["doc_id", "sentence_index", "start", "end", "text", "stance"] + [f"p_{l}" for l in STANCES] + [
        "issues", "actors", "source", "target"]
    return pd.DataFrame(rows, columns=columns)
