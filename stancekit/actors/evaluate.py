"""Actor metrics: mention precision/recall/F1 by code and by exact span, and
source and target accuracy."""

from __future__ import annotations

from collections import Counter
from typing import Sequence


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "gold": n_gold, "predicted": n_pred}


def _code(value) -> str | None:
    """A code or None (pandas gives NaN for a missing code)."""
    return value if isinstance(value, str) else None


def actor_report(gold: Sequence[dict], predicted: Sequence[dict]) -> dict:
    """Compare predicted records with gold ones (both with ``actors``, ``source``, ``target``).

    Mentions "by code" compare each sentence's multiset of codes, so a mention counts
    when its code is right even if its span differs; "by span" needs the exact
    ``start``, ``end`` and code.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold records but {len(predicted)} predictions")
    tp_code = tp_span = n_gold = n_pred = 0
    source_hits = target_hits = 0
    for g, p in zip(gold, predicted):
        gold_codes = Counter(a["code"] for a in g["actors"])
        pred_codes = Counter(a["code"] for a in p["actors"] if a.get("code") is not None)
        tp_code += sum((gold_codes & pred_codes).values())
        gold_spans = {(a["start"], a["end"], a["code"]) for a in g["actors"]}
        tp_span += sum((a["start"], a["end"], a.get("code")) in gold_spans for a in p["actors"])
        n_gold += sum(gold_codes.values())
        n_pred += sum(pred_codes.values())
        source_hits += _code(g.get("source")) == _code(p.get("source"))
        target_hits += _code(g.get("target")) == _code(p.get("target"))
    n = max(len(gold), 1)
    return {
        "sentences": len(gold),
        "mentions_by_code": _prf(tp_code, n_pred, n_gold),
        "mentions_by_span": _prf(tp_span, n_pred, n_gold),
        "source_accuracy": source_hits / n,
        "target_accuracy": target_hits / n,
    }


def predict_actors(records: Sequence[dict], models=None, use_stance: bool = True,
                   parser: str | None = None) -> list[dict]:
    """Actors, source and target for labeled records, read article by article.

    Records with the same ``article_id`` are read in order as one document; the
    stance conditioning the dyad comes from ``models.stance`` (predicted, never the
    gold label). ``parser``: the name of a spaCy pipeline to decide dyads with a
    dependency parse (:mod:`stancekit.actors.parse`); ``None`` = the rules alone.
    """
    from stancekit.actors.dyads import decide_dyad
    from stancekit.actors.extract import DocumentMemory
    from stancekit.pipeline import _models, _predict

    models = _models(models)
    texts = [r["text"] for r in records]
    stances = [p["stance"] for p in _predict(texts, models, 256)] if use_stance else [None] * len(texts)
    docs = [None] * len(texts)
    if parser is not None:
        from stancekit.actors.parse import parse, parsed_dyad

        docs = parse(texts, parser)
    predictions, memory, current = [], None, object()
    for record, stance, doc in zip(records, stances, docs):
        article = record.get("article_id", id(record))
        if article != current:
            memory, current = DocumentMemory(), article
        mentions = models.actors.extract(record["text"], memory)
        if doc is None:
            source, target = decide_dyad(record["text"], mentions, memory, stance)
        else:
            source, target = parsed_dyad(doc, record["text"], mentions, memory, stance)
        predictions.append({"actors": [m.to_dict() for m in mentions], "source": source, "target": target})
    return predictions


def evaluate_actors(records: Sequence[dict], models=None, parser: str | None = None) -> dict:
    """:func:`actor_report` of :func:`predict_actors` against the records' gold labels."""
    return actor_report(records, predict_actors(records, models, parser=parser))


def format_actor_report(report: dict) -> str:
    lines = [f"{report['sentences']} sentences", f"{'mentions':<18}{'precision':>10}{'recall':>8}{'f1':>8}"]
    for key in ("mentions_by_code", "mentions_by_span"):
        row = report[key]
        lines.append(f"{key[9:]:<18}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>8.3f}")
    lines.append(f"source accuracy {report['source_accuracy']:.3f}, target accuracy {report['target_accuracy']:.3f}")
    return "\n".join(lines)
