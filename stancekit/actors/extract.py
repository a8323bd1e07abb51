"""Find actor mentions in sentences and resolve them to codes.

A mention is anchored on a gazetteer entry (a state name, abbreviation, demonym,
capital, institution, IGO or office holder) and extended over the titles and the
person's name that follow it, as the codebook's spans run:
"[Colombian Justice Minister Tomas Arbelaez]", "[U.S. officials]", "[Brazil's
foreign minister]". Names seen with a title are remembered for the rest of the
document, so a later "[Arbelaez] said" resolves too, and appositions
("Paulo Mendes, Brazil's foreign minister,") give the name its code. A mention that
cannot be resolved is never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from stancekit.actors.gazetteer import Alias, Gazetteer, bundled_gazetteer
from stancekit.actors.tokens import Token, fold, is_capitalized, tokenize
from stancekit.codes import code_kind

# Which alias wins when one span has several ("Brussels": the EU, not Belgium).
KIND_PRIORITY = ("not_actor", "person", "name", "abbreviation", "acronym", "demonym", "institution", "body", "metonym", "capital")
# Lower-case words that may stand between a state word and a title
# ("Brazil's deputy foreign minister", "Ugandan presidential spokesman").
TITLE_MODIFIERS = frozenset(
    """deputy vice acting chief senior top foreign interior defence defense finance trade
    economy energy health justice home security environment information presidential
    government military state federal national border customs naval maritime special
    policy former outgoing incoming new permanent assistant principal junior climate
    water agriculture labour labor commerce transport public anti-narcotics counter-narcotics
    intelligence coast army police grid development""".split()
)
# Lower-case words that end a title scan: a verb of speech or a clause word means the
# title that follows belongs to another phrase ("UNODC said the agency …").
CLAUSE_WORDS = frozenset(
    """said says told added warned noted stated announced urged called asked agreed
    which who that whose while when where as after before because if""".split()
)
CONNECTORS = frozenset({"of", "for", "and", "on", "to", "the"})
NAME_PARTICLES = frozenset({"bin", "bint", "ibn", "al", "el", "de", "da", "del", "dos", "van", "von", "le", "la", "abu"})
# Places named with a locative preposition are places, not actors ("talks in Geneva").
LOCATIVE = frozenset({"in", "at", "near", "outside", "inside", "into", "across", "around", "via"})
# Capitalised short names that refer back to the latest IGO of the document
# ("the Fund" after "the International Monetary Fund"); lower-case descriptions
# ("the bloc") are not mentions, as the codebook says.
IGO_SHORT_NAMES = frozenset({"Fund", "Commission", "Council", "Court", "Forum", "Bank", "Assembly",
                             "Alliance", "Agency", "Union", "Organisation", "Organization", "Secretariat"})
MAX_NAME_TOKENS = 5


@dataclass
class Mention:
    start: int
    end: int
    text: str
    code: str | None
    kind: str
    # How the mention was found (alias kind: "name", "demonym", "capital", …); a bare
    # demonym ("Afghan refugees") names a state without the state acting.
    via: str = field(default="", compare=False)

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "code": self.code, "kind": self.kind}


@dataclass
class DocumentMemory:
    """What earlier sentences of a document tell about later ones."""

    names: dict[str, str] = field(default_factory=dict)  # folded name or surname -> code
    state_counts: dict[str, int] = field(default_factory=dict)  # mentions per state so far
    last_igo: str | None = None
    last_source: str | None = None
    when: date | None = None

    @property
    def home(self) -> str | None:
        """The state the document is about (for "the Health Ministry"): the state with
        the most mentions so far, a person or body counting twice."""
        return max(self.state_counts, key=self.state_counts.get) if self.state_counts else None

    def remember_name(self, tokens: list[str], code: str) -> None:
        if not tokens:
            return
        self.names[fold(" ".join(tokens))] = code
        self.names[fold(tokens[-1])] = code


def _choose(aliases: list[Alias]) -> Alias:
    return min(aliases, key=lambda a: (KIND_PRIORITY.index(a.kind) if a.kind in KIND_PRIORITY else 99,
                                       code_kind(a.code) != "igo"))


class ActorExtractor:
    """Extract actor mentions (and, with :mod:`stancekit.actors.dyads`, source and target).

    Parameters
    ----------
    gazetteer
        A :class:`~stancekit.actors.gazetteer.Gazetteer`; default: the bundled one.
    """

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.gazetteer = gazetteer

    @property
    def gaz(self) -> Gazetteer:
        if self.gazetteer is None:
            self.gazetteer = bundled_gazetteer()
        return self.gazetteer

    # ----- matching ---------------------------------------------------------------
    def _alias_at(self, tokens: list[Token], i: int) -> tuple[int, Alias] | None:
        """Longest gazetteer match starting at token ``i``: (end index, alias)."""
        gaz = self.gaz
        for length in gaz.lengths_from(fold(tokens[i].text)):
            if i + length > len(tokens):
                continue
            span = tokens[i:i + length]
            candidates = gaz.lookup(tuple(fold(t.text) for t in span))
            if not candidates:
                continue
            fitting = [a for a in candidates if self._case_fits(a, span)]
            if fitting:
                return i + length, _choose(fitting)
        return None

    @staticmethod
    def _case_fits(alias: Alias, span: list[Token]) -> bool:
        if alias.exact_case:
            return " ".join(t.text for t in span).replace(" .", ".") == alias.alias or \
                [t.text for t in span] == [t.text for t in tokenize(alias.alias)]
        return is_capitalized(span[0].text)

    def _extend(self, tokens: list[Token], j: int) -> tuple[int, int, str | None]:
        """After an anchor ending at ``j``: (title end, name end, title kind)."""
        k = j
        if k < len(tokens) and tokens[k].text.lower() in ("'s", "’s"):
            k += 1
        title_end, title_kind = None, None
        scan = k
        unknown = 0  # other lower-case words allowed before a title ("drug enforcement agents")
        while scan < len(tokens) and scan - k < 8:
            word = tokens[scan].text
            kind = self.gaz.title_kind(word)
            if kind:
                title_end, title_kind = scan + 1, kind
            elif word.lower() in TITLE_MODIFIERS or word in CONNECTORS:
                pass
            elif word.isalpha() and word.islower() and unknown < 2 and title_end is None \
                    and word not in CLAUSE_WORDS:
                unknown += 1
            elif is_capitalized(word) and self._alias_at(tokens, scan) is None:
                pass
            else:
                break
            scan += 1
        if title_end is None:
            return j, j, None
        name_end = title_end
        while name_end < len(tokens) and name_end - title_end < MAX_NAME_TOKENS:
            word = tokens[name_end].text
            if (is_capitalized(word) and not self.gaz.title_kind(word) and self._alias_at(tokens, name_end) is None) \
                    or (word.lower() in NAME_PARTICLES and name_end > title_end) or fold(word).startswith(("al-", "el-")):
                name_end += 1
            else:
                break
        while name_end > title_end and tokens[name_end - 1].text.lower() in NAME_PARTICLES:
            name_end -= 1
        return title_end, name_end, title_kind

    def extract(self, text: str, memory: DocumentMemory | None = None) -> list[Mention]:
        """Mentions in one sentence; ``memory`` carries names across a document."""
        memory = memory if memory is not None else DocumentMemory()
        tokens = tokenize(text)
        mentions: list[Mention] = []
        spans: list[tuple[int, int]] = []  # token spans of the mentions
        i = 0
        while i < len(tokens):
            if mentions and mentions[-1].code is not None and code_kind(mentions[-1].code) == "igo":
                memory.last_igo = mentions[-1].code
            found = self._alias_at(tokens, i)
            if found is None and "-" in tokens[i].text:
                found = self._hyphen_part(tokens[i], i, text, mentions, spans)
                if found is True:
                    i += 1
                    continue
            if found is not None and found is not True:
                j, alias = found
                if alias.kind == "not_actor":
                    i = j
                    continue
                mention = self._anchored(tokens, i, j, alias, text, memory)
                if mention is not None:
                    mentions.append(mention[0])
                    spans.append((i, mention[1]))
                    i = mention[1]
                    continue
                i = j
                continue
            remembered = self._remembered(tokens, i, memory)
            if remembered is not None:
                end, code = remembered
                mentions.append(Mention(tokens[i].start, tokens[end - 1].end, text[tokens[i].start:tokens[end - 1].end], code, "person"))
                spans.append((i, end))
                i = end
                continue
            body = self._named_body(tokens, i, memory)
            if body is not None:
                end, code = body
                begin, finish = tokens[i].start, tokens[end - 1].end
                mentions.append(Mention(begin, finish, text[begin:finish], code, "institution", "context"))
                spans.append((i, end))
                i = end
                continue
            anaphor = self._igo_anaphor(tokens, i, memory)
            if anaphor is not None:
                mentions.append(Mention(tokens[i].start, tokens[i].end, tokens[i].text, anaphor, "igo"))
                spans.append((i, i + 1))
            i += 1
        self._appositions(tokens, text, mentions, spans, memory)
        for m in mentions:
            if m.code is not None and code_kind(m.code) == "state":
                weight = 2 if m.kind in ("person", "institution") else 1
                memory.state_counts[m.code] = memory.state_counts.get(m.code, 0) + weight
        return sorted(mentions, key=lambda m: m.start)

    def _named_body(self, tokens, i, memory: DocumentMemory) -> tuple[int, str] | None:
        """"the Health Ministry", "the Treasury": a capitalised body with no state word,
        resolved to the document's home state."""
        if i == 0 or tokens[i - 1].text.lower() != "the" or not is_capitalized(tokens[i].text) or memory.home is None:
            return None
        end = i
        while end < len(tokens) and end - i < 4 and is_capitalized(tokens[end].text) \
                and self._alias_at(tokens, end) is None:
            end += 1
        words = [t.text for t in tokens[i:end]]
        if not words or self.gaz.title_kind(words[-1]) != "body" or words[-1].lower() in ("officials", "authorities"):
            return None
        return end, memory.home

    def _anchored(self, tokens, i, j, alias: Alias, text, memory) -> tuple[Mention, int] | None:
        if alias.kind == "person":
            holder = self.gaz.office_holder(" ".join(t.text for t in tokens[i:j]), memory.when)
            code = holder.code if holder else alias.code
            memory.remember_name([t.text for t in tokens[i:j]], code)
            return Mention(tokens[i].start, tokens[j - 1].end, text[tokens[i].start:tokens[j - 1].end], code, "person"), j
        title_end, name_end, title_kind = self._extend(tokens, j)
        if title_end == j and code_kind(alias.code) == "igo":
            # "WHO Yemen representative Amira Sallam": an IGO's official for a country
            merged = self._igo_official(tokens, i, j, alias.code, text, memory)
            if merged is not None:
                return merged
        if alias.kind == "capital" and i >= 2 and tokens[i - 1].text.lower() in ("'s", "’s") \
                and tokens[i - 2].text.islower():
            return None  # "the bank's Dhaka office": an office of the one named before
        if title_end == j:
            if alias.kind == "capital" and i > 0 and tokens[i - 1].text.lower() in LOCATIVE:
                return None
            kind = "igo" if code_kind(alias.code) == "igo" else ("institution" if alias.kind in ("institution", "body") else "state")
            return Mention(tokens[i].start, tokens[j - 1].end, text[tokens[i].start:tokens[j - 1].end], alias.code, kind,
                           alias.kind), j
        end = name_end
        if name_end > title_end:
            memory.remember_name([t.text for t in tokens[title_end:name_end]], alias.code)
            kind = "person"
        else:
            kind = "person" if title_kind == "person" else "institution"
        return Mention(tokens[i].start, tokens[end - 1].end, text[tokens[i].start:tokens[end - 1].end], alias.code, kind,
                       "title"), end

    def _igo_official(self, tokens, i, j, code: str, text, memory) -> tuple[Mention, int] | None:
        """One mention, coded to the IGO, for "<IGO> <state> <title> [<name>]"."""
        following = self._alias_at(tokens, j) if j < len(tokens) else None
        if following is None or code_kind(following[1].code) != "state" or following[1].kind not in ("name", "abbreviation"):
            return None
        title_end, name_end, title_kind = self._extend(tokens, following[0])
        if title_end == following[0]:
            return None
        if name_end > title_end:
            memory.remember_name([t.text for t in tokens[title_end:name_end]], code)
        kind = "person" if name_end > title_end or title_kind == "person" else "institution"
        end = name_end
        return Mention(tokens[i].start, tokens[end - 1].end, text[tokens[i].start:tokens[end - 1].end], code, kind,
                       "title"), end

    def _hyphen_part(self, token: Token, i, text, mentions, spans):
        """Mentions inside hyphenated words: "Sino-Indian" → CHN, IND."""
        offset = token.start
        added = False
        for part in token.text.split("-"):
            sub = [Token(part, offset, offset + len(part))]
            found = self._alias_at(sub, 0)
            if found is not None and found[1].kind in ("demonym", "name", "abbreviation"):
                code = found[1].code
                mentions.append(Mention(offset, offset + len(part), part, code, "state", found[1].kind))
                spans.append((i, i + 1))
                added = True
            offset += len(part) + 1
        return True if added else None

    def _remembered(self, tokens, i, memory: DocumentMemory) -> tuple[int, str] | None:
        word = tokens[i].text
        if not memory.names or not (is_capitalized(word) or fold(word).startswith(("al-", "el-"))):
            return None
        for length in range(min(4, len(tokens) - i), 0, -1):
            key = fold(" ".join(t.text for t in tokens[i:i + length]))
            if key in memory.names:
                return i + length, memory.names[key]
        return None

    @staticmethod
    def _igo_anaphor(tokens, i, memory: DocumentMemory) -> str | None:
        if tokens[i].text not in IGO_SHORT_NAMES or i == 0 or tokens[i - 1].text.lower() != "the":
            return None
        return memory.last_igo

    def _appositions(self, tokens, text, mentions, spans, memory) -> None:
        """"Paulo Mendes, Brazil's foreign minister," and "Brazil's foreign minister, Paulo Mendes,"."""
        taken = {k for a, b in spans for k in range(a, b)}
        for (a, b), mention in list(zip(spans, mentions)):
            if mention.kind not in ("person", "institution") or mention.code is None:
                continue
            if a >= 2 and tokens[a - 1].text == ",":
                end = a - 1
                start = end
                while start > 0 and end - start < 4 and is_capitalized(tokens[start - 1].text) and (start - 1) not in taken \
                        and self._alias_at(tokens, start - 1) is None and not self.gaz.title_kind(tokens[start - 1].text):
                    start -= 1
                if end - start >= 2:
                    self._add_person(tokens, start, end, mention.code, text, mentions, spans, memory, taken)
            if b + 1 < len(tokens) and tokens[b].text == ",":
                start = b + 1
                end = start
                while end < len(tokens) and end - start < 4 and is_capitalized(tokens[end].text) and end not in taken \
                        and self._alias_at(tokens, end) is None and not self.gaz.title_kind(tokens[end].text):
                    end += 1
                if end - start >= 2 and end < len(tokens) and tokens[end].text == ",":
                    self._add_person(tokens, start, end, mention.code, text, mentions, spans, memory, taken)

    @staticmethod
    def _add_person(tokens, start, end, code, text, mentions, spans, memory, taken) -> None:
        begin, finish = tokens[start].start, tokens[end - 1].end
        mentions.append(Mention(begin, finish, text[begin:finish], code, "person"))
        spans.append((start, end))
        taken.update(range(start, end))
        memory.remember_name([t.text for t in tokens[start:end]], code)

    def extract_document(self, sentences: list[str], when: date | None = None) -> list[list[Mention]]:
        """Mentions for each sentence of one document, in order, sharing memory."""
        memory = DocumentMemory(when=when)
        return [self.extract(sentence, memory) for sentence in sentences]
