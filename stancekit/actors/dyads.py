"""Decide the dyad of a sentence: the source that acts or speaks, and its target.

Rules, in order (no parser needed; see ``ParserDyads`` for the dependency-parse version):

1. Reported speech with an own stance: the speaker ("…, X said", "according to X",
   "X said …", "said X").
2. A passive with an agent: "Y was condemned by X" → source X, target Y.
3. Otherwise the first mention that heads the main clause — not inside a
   prepositional phrase ("Under pressure from Washington, Mexico agreed …" → MEX).
4. A sentence that opens with a pronoun or a bare title ("He said …", "The minister
   …") keeps the previous sentence's source.

The target is the first mention with another code, preferring one marked by a
preposition of direction ("with", "against", "toward", "on", "to", "from", "over")
or the object after the source, then any other mention.
"""

from __future__ import annotations

import re

from stancekit.actors.extract import DocumentMemory, Mention

SPEECH_VERBS = frozenset(
    """said says say told tells added adds stated states announced announces noted notes
    warned warns insisted insists argued argues wrote writes declared declares confirmed
    confirms acknowledged acknowledges replied replies urged urges cautioned
    explained explains stressed stresses reported reports asserted asserts""".split()
)
PREPOSITIONS = frozenset(
    """with against toward towards on to from over by for between at of in into upon
    under about among amid across than like including via within without""".split()
)
TARGET_MARKERS = frozenset({"with", "against", "toward", "towards", "on", "to", "from", "over", "at"})
OPENING_PRONOUNS = frozenset({"he", "she", "they", "it", "his", "her", "its", "their", "we", "i"})
CONNECTIVES = frozenset({"but", "and", "however", "yet", "still", "also", "meanwhile", "separately", "instead"})
GENERIC_SUBJECTS = frozenset(
    """minister ministry spokesman spokeswoman spokesperson president prime government
    envoy ambassador official officials agency bloc commission statement embassy foreign
    secretary chancellor delegation leader leaders""".split()
)
OWNED_TITLES = frozenset(
    """minister official delegation member leader spokesman spokeswoman spokesperson
    representative envoy ambassador president head chief secretary-general secretary
    government council commission board""".split()
)
_WORD = re.compile(r"[\w'’.-]+|[^\w\s]")


def _words_before(text: str, position: int, n: int = 3) -> list[str]:
    return [w.lower() for w in _WORD.findall(text[:position])][-n:]


def _speaker(text: str, mentions: list[Mention]) -> Mention | None:
    """The mention that a speech verb attributes the sentence to, if any."""
    lowered = text.lower()
    for m in mentions:  # "according to X"
        if re.search(r"according to(?: the)?\s*$", lowered[:m.start]):
            return m
    # lower-case in the text itself, and not inside a mention ("United States")
    verbs = [w for w in re.finditer(r"\b[a-z]+\b", text) if w.group(0) in SPEECH_VERBS
             and not any(m.start <= w.start() < m.end for m in mentions)]
    if not verbs:
        return None
    verb = verbs[0]
    lead_in = lowered[:verb.start()].split()[-1:]
    if lead_in and lead_in[0] in OPENING_PRONOUNS:
        return None  # "…, which he said …": a pronoun speaks; the main clause decides
    if lead_in and lead_in[0] in ("and", "but"):
        # "X thanked Y and said …": the speaker is the subject of the whole clause
        heads = [m for m in mentions if m.end <= verb.start() and not _in_prepositional_phrase(text, m, mentions)]
        return heads[0] if heads else None
    before = [m for m in mentions if m.end <= verb.start()]
    # "X said …", "X, who …, said …": the nearest mention before the verb that heads
    # its clause (not inside a prepositional phrase), with no sentence break between.
    for m in reversed(before):
        gap = lowered[m.end:verb.start()]
        if any(stop in gap for stop in (".", ";", " that ")) or len(gap.split()) > 12:
            break
        if not _in_prepositional_phrase(text, m, mentions):
            return _coordination_head(text, m, mentions)
    # "…, said X"
    after = [m for m in mentions if m.start >= verb.end() and m.start - verb.end() < 12]
    if after and lowered[:verb.start()].rstrip().endswith((",", '"', "”")):
        return after[0]
    return None


def _coordination_head(text: str, m: Mention, mentions: list[Mention]) -> Mention:
    """In "Hungary and Slovakia said", the first of the coordinated actors."""
    head = m
    for other in reversed([o for o in mentions if o.end <= head.start]):
        gap = text[other.end:head.start].strip().lower()
        # "Mali, Niger and Chad" is a list; "from Washington, Mexico agreed" is not
        listed = gap == "," and re.match(r"[\w .'-]{0,40}\b(and|or)\b", text[m.end:m.end + 45])
        if gap in ("and", "or", ", and", ", or") or listed:
            head = other
        else:
            break
    return head


def _passive_agent(text: str, mentions: list[Mention]) -> Mention | None:
    for m in mentions:
        before = _words_before(text, m.start, 2)
        if before and before[-1] == "by" or before[-2:] == ["by", "the"]:
            if re.search(r"\b(was|were|been|being|is|are)\s+\w+(ed|en)\b", text[:m.start]):
                return m
    return None


def _in_prepositional_phrase(text: str, m: Mention, mentions: list[Mention] | None = None) -> bool:
    """True when ``m`` sits in a prepositional phrase ("with China", "between the EU and
    Morocco" — a coordinated actor inherits the preposition of the first), but not
    when it owns a title ("Foreign ministers of the Group of Seven said")."""
    head = _coordination_head(text, m, mentions) if mentions else m
    preposition = _preposition_before(text, head)
    if preposition == "of":
        words = _words_before(text, head.start, 3)
        words = [w for w in words if w not in ("of", "the")]
        return not (words and words[-1].rstrip("s") in OWNED_TITLES)
    return preposition is not None


def _preposition_before(text: str, m: Mention) -> str | None:
    before = _words_before(text, m.start, 2)
    if not before:
        return None
    last = before[-1]
    if last in ("the", "a", "an") and len(before) > 1:
        last = before[-2]
    return last if last in PREPOSITIONS else None


def _can_act(text: str, m: Mention) -> bool:
    """False for a mention that names a state without it acting: a bare demonym on
    people or goods ("Afghan refugees", "Russian gas"), unless it shares a title by
    coordination ("Chinese and Mongolian officials")."""
    if m.via != "demonym":
        return True
    return re.match(r"\s+and\s+[A-Z]", text[m.end:m.end + 8]) is not None


def _opens_without_actor(text: str, mentions: list[Mention]) -> bool:
    words = [w.lower() for w in _WORD.findall(text)[:4] if w.isalpha()]
    while words and words[0] in CONNECTIVES:
        words.pop(0)
    if not words:
        return False
    if words[0] in OPENING_PRONOUNS:
        return not mentions or mentions[0].start > text.lower().find(words[0]) + len(words[0])
    if words[0] == "the" and len(words) > 1 and words[1] in GENERIC_SUBJECTS:
        return not mentions or mentions[0].start > 30
    return False


def _target(text: str, coded: list[Mention], source: str | None, source_mention: Mention | None) -> str | None:
    others = [m for m in coded if m.code != source]
    if not others:
        return None
    anchor = source_mention.end if source_mention is not None else 0
    for m in others:
        if m.start < anchor:
            continue
        preposition = _preposition_before(text, _coordination_head(text, m, coded))
        if preposition is None or preposition in TARGET_MARKERS:
            return m.code
    return others[0].code


def decide_dyad(text: str, mentions: list[Mention], memory: DocumentMemory | None = None,
                stance: str | None = None) -> tuple[str | None, str | None]:
    """Return (source, target) codes for one sentence.

    ``stance``, when known, sharpens the target: a neutral sentence (background,
    figures, schedules) is not directed at anyone, so it gets no target.
    """
    coded = [m for m in mentions if m.code is not None]
    source_mention = _speaker(text, coded)
    if source_mention is None:
        agent = _passive_agent(text, coded)
        if agent is not None:
            subject = next((m for m in coded if m.start < agent.start and m.code != agent.code), None)
            if memory is not None:
                memory.last_source = agent.code
            return agent.code, (subject.code if subject is not None and stance != "neutral" else None)
    if source_mention is not None:
        # "Chinese customs authorities suspended imports …, Mongolian officials said":
        # a trailing attribution reports the act of the actor who opens the sentence.
        opener = coded[0] if coded else None
        if opener is not None and opener is not source_mention and opener.start <= 4 and \
                opener.via == "title" and source_mention.start > len(text) * 0.6:
            source_mention = opener
        source = source_mention.code
    elif memory is not None and memory.last_source and _opens_without_actor(text, coded):
        source = memory.last_source
    else:
        heads = [m for m in coded if not _in_prepositional_phrase(text, m, coded)]
        acting = [m for m in heads if _can_act(text, m)]
        source_mention = (acting or heads or [None])[0]
        source = source_mention.code if source_mention else None
    target = None if stance == "neutral" else _target(text, coded, source, source_mention)
    if memory is not None and source is not None:
        memory.last_source = source
    return source, target
