"""Decide the dyad of a sentence: the source that acts or speaks, and its target.

Rules, in order (no parser needed; :mod:`stancekit.actors.parse` has the version that
uses a dependency parse):

0. Lower-case references stand for actors named earlier in the document: "the fund",
   "a bank spokesperson" for the latest IGO whose name fits; "police", "a government
   spokesman" opening a sentence with no named actor for the document's home state.
1. Reported speech with an own stance: the speaker ("…, X said", "according to X",
   "X said …", "said X"). But a trailing attribution that only reports an act gives
   the act's actor: "Iran cut gas deliveries, Iraq's ministry said" → IRN.
2. A passive with an agent: "Y was condemned by X" → source X, target Y.
3. Otherwise the first mention that heads the main clause — not inside a
   prepositional phrase ("Under pressure from Washington, Mexico agreed …" → MEX) —
   unless a neutral sentence only describes it ("China is Australia's largest
   trading partner": no source).
4. A sentence that opens with a pronoun or a bare title ("He said …", "The minister
   …") keeps the previous sentence's source.

The target is the first mention with another code, preferring one marked by a
preposition of direction ("with", "against", "toward", "on", "to", "from", "over")
or the object after the source, then any other mention.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
# ("has" is left out: as an auxiliary it is too often an act, "China has built …")
DESCRIBING_VERBS = frozenset({"is", "are", "was", "were", "holds", "accounts", "remains", "ranks", "lies", "borders"})
NOT_DESCRIPTIVE = frozenset({"due", "set", "held", "made", "paid", "sent", "kept", "left", "led", "cut", "put",
                             "met", "not", "no", "been", "to", "about"})
AUXILIARIES = frozenset({"is", "are", "was", "were"})
# A trailing attribution (", X said") starts in the last part of the sentence, and the
# actor it reports opens the sentence (after at most a short phrase: "On Sunday, …").
TRAILING_SHARE = 0.5
MAX_OPENER_START = 25
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
    if preposition in ("of", "for"):  # "ministers of the G7", "a spokesperson for the UN"
        words = _words_before(text, head.start, 3)
        words = [w for w in words if w not in ("of", "for", "the")]
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


# Lower-case nouns that, with "the"/"a", refer back to the document's latest IGO
# ("the fund", "a bank spokesperson") or to the state the document is about
# ("police", "state prosecutors", "a government spokesman"). The codebook does not mark
# them as actor mentions, but the sentence's source may be the actor they stand for.
GENERIC_IGO_NOUNS = frozenset({"bloc", "alliance", "agency", "organisation", "organization", "secretariat"})
IGO_ANAPHORS = ("fund", "bank", "court", "commission", "union", "forum") + tuple(sorted(GENERIC_IGO_NOUNS))
HOME_ANAPHORS = ("police", "prosecutors", "government", "army", "military", "authorities", "ministry")
# "the fund", "the agency's director", "the ASEAN secretariat", but not "a state bank"
# or "the aid agency": between the article and the noun only a capitalised name may stand.
_IGO_ANAPHOR = re.compile(r"\b(?:[Tt]he|[Aa]n?)\s+(?:[A-Z][\w.-]*\s+)?(" + "|".join(IGO_ANAPHORS) + r")\b")
_HOME_ANAPHOR = re.compile(r"^(?:(?:but|and|however|meanwhile|separately),?\s+)?(?:(?:the|a|an)\s+)?"
                           r"(?:state\s+|national\s+|federal\s+)?(" + "|".join(HOME_ANAPHORS) + r")\b",
                           re.IGNORECASE)


@lru_cache(maxsize=None)
def _fits(noun: str, igo: str) -> bool:
    """True when ``noun`` may refer back to ``igo``: a generic word ("the bloc") or a
    word of one of its names in the bundled gazetteer ("the court" for the ICC)."""
    from stancekit.actors.gazetteer import bundled_gazetteer

    return noun in GENERIC_IGO_NOUNS or noun in bundled_gazetteer().name_words(igo)


def _anaphors(text: str, mentions: list[Mention], memory: DocumentMemory | None) -> list[Mention]:
    """Pseudo-mentions for lower-case references to actors named earlier: used to decide
    the dyad only, never reported as actor mentions."""
    if memory is None:
        return []
    found = []
    taken = [(m.start, m.end) for m in mentions]
    if memory.last_igo is not None:
        for match in _IGO_ANAPHOR.finditer(text):
            start, end = match.span(1)
            if _fits(match.group(1), memory.last_igo) and not any(a <= start < b for a, b in taken):
                found.append(Mention(start, end, match.group(1), memory.last_igo, "igo", via="anaphor"))
    if memory.home is not None and not mentions:
        match = _HOME_ANAPHOR.match(text)
        if match is not None:
            start, end = match.span(1)
            found.append(Mention(start, end, match.group(1), memory.home, "state", via="anaphor"))
    return found


def _only_described(text: str, m: Mention) -> bool:
    """True when a neutral sentence only describes the actor ("China is Australia's
    largest trading partner", "Bangladesh accounts for 0.5 percent …"): no act, no source."""
    after = [w for w in _WORD.findall(text[m.end:m.end + 40].lower()) if w.isalpha()][:3]
    after = [w for w in after if w not in ("also", "still", "now", "already", "only")]
    if not after or after[0] not in DESCRIBING_VERBS:
        return False
    if after[0] in AUXILIARIES and len(after) > 1 and \
            (re.search(r"(ed|en|wn|ne|ing)$", after[1]) or after[1] in NOT_DESCRIPTIVE):
        return False  # "the council is due to vote", "Iran was condemned"
    return True


def _reported_actor(text: str, coded: list[Mention], speaker: Mention) -> Mention | None:
    """The actor whose act a trailing attribution reports: in "Iran cut gas deliveries by
    half, Iraq's electricity ministry said", Iran (codebook, section 5). ``None`` when the
    sentence does not open with an acting actor before a trailing ", X said"."""
    if not coded or text.lstrip()[:1] in "\"“'‘":
        return None  # a sentence opening with a quote is the speaker's own words
    opener = coded[0]
    if opener is speaker or opener.code == speaker.code or opener.start > MAX_OPENER_START:
        return None
    if _in_prepositional_phrase(text, opener, coded) or not _can_act(text, opener):
        return None
    prefix = text[:opener.start].strip()
    words = [w.lower() for w in _WORD.findall(prefix) if w.isalpha()]
    if prefix and not prefix.endswith(",") and not all(w in CONNECTIVES or w == "the" for w in words):
        return None  # "Ministers also gave Kazakhstan …": the opener is not the subject
    lead = text[:speaker.start].rstrip()
    lead = re.sub(r"(?i)(?:\b(?:the|a|an|one of the|one of|two|some|senior|several)\s*)+$", "", lead).rstrip()
    if not lead.endswith((",", '"', "”")) or speaker.start < len(text) * TRAILING_SHARE:
        return None
    return opener


def decide_dyad(text: str, mentions: list[Mention], memory: DocumentMemory | None = None,
                stance: str | None = None) -> tuple[str | None, str | None]:
    """Return (source, target) codes for one sentence.

    ``stance``, when known, sharpens the target: a neutral sentence (background,
    figures, schedules) is not directed at anyone, so it gets no target.
    """
    coded = [m for m in mentions if m.code is not None]
    coded = sorted(coded + _anaphors(text, coded, memory), key=lambda m: m.start)
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
        opener = _reported_actor(text, coded, source_mention)
        if opener is not None:
            source_mention = opener
        source = source_mention.code
    elif memory is not None and memory.last_source and _opens_without_actor(text, coded):
        source = memory.last_source
    else:
        heads = [m for m in coded if not _in_prepositional_phrase(text, m, coded)]
        acting = [m for m in heads if _can_act(text, m)]
        source_mention = (acting or heads or [None])[0]
        if source_mention is not None and stance == "neutral" and _only_described(text, source_mention):
            source_mention = None
        source = source_mention.code if source_mention else None
    target = None if stance == "neutral" else _target(text, coded, source, source_mention)
    if memory is not None and source is not None:
        memory.last_source = source
    return source, target
