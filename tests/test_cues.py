import pytest

from stancekit.text.cues import Cue, CueLexicon, bundled_lexicon, tokenize


def lexicon(*entries):
    return CueLexicon([Cue(t, p, 1.0, "x", tuple(t.split())) for t, p in entries])


def test_prefix_phrases_skip_determiners():
    lex = lexicon(("lift* sanction*", "cooperative"), ("impos* sanction*", "critical"))
    [m] = lex.match("Washington lifted all the sanctions on Caracas.")
    assert m.cue.polarity == "cooperative" and not m.negated
    [m] = lex.match("Brussels imposed new sanctions.")
    assert m.cue.polarity == "critical"
    assert lex.match("Sanctions remain in force.") == []


def test_negation_is_detected_within_the_window():
    lex = lexicon(("condemn*", "critical"), ("sign*", "cooperative"))
    assert lex.match("Beijing refused to condemn the coup.")[0].negated
    assert lex.match("Seoul didn't sign the treaty.")[0].negated
    assert not lex.match("Seoul did nothing to stop it and then signed the treaty.")[0].negated


def test_longer_phrase_hides_the_shorter_inside():
    lex = lexicon(("recall* ambassador", "critical"), ("recall*", "critical"))
    matches = lex.match("Rabat recalled its ambassador.")
    assert [m.cue.term for m in matches] == ["recall* ambassador"]


def test_tokenize_splits_contractions():
    assert tokenize("Don't sign") == ["do", "n't", "sign"]


def test_bundled_lexicon_reads_and_has_both_polarities():
    lex = bundled_lexicon()
    polarities = {c.polarity for c in lex.cues}
    assert polarities == {"cooperative", "critical"}
    assert len(lex.cues) >= 200
    terms = [c.term for c in lex.cues]
    assert len(terms) == len(set(terms))


def test_bad_lexicon_file_names_the_entry(tmp_path):
    path = tmp_path / "lex.tsv"
    path.write_text("term\tpolarity\tweight\tcategory\nsigned\tfriendly\t1.0\tx\n")
    with pytest.raises(ValueError, match="lex.tsv: entry 2: polarity 'friendly'"):
        CueLexicon.from_tsv(path)
