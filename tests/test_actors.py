"""Actor mentions, codes and dyads."""

import pytest

from stancekit.actors.dyads import decide_dyad
from stancekit.actors.extract import ActorExtractor, DocumentMemory
from stancekit.actors.gazetteer import Gazetteer, bundled_gazetteer


@pytest.fixture(scope="module")
def extractor():
    return ActorExtractor()


def mentions(extractor, text, memory=None):
    found = extractor.extract(text, memory)
    for m in found:
        assert text[m.start:m.end] == m.text
    return [(m.text, m.code, m.kind) for m in found]


def test_names_metonyms_demonyms_and_igos(extractor):
    text = "Washington and the Kremlin traded accusations as U.S. officials met the UN Security Council and Brussels."
    assert mentions(extractor, text) == [
        ("Washington", "USA", "state"), ("Kremlin", "RUS", "institution"), ("U.S. officials", "USA", "institution"),
        ("UN Security Council", "UN", "igo"), ("Brussels", "EU", "igo"),
    ]


def test_people_with_titles_are_remembered_across_the_document(extractor):
    memory = DocumentMemory()
    assert mentions(extractor, "Colombian Justice Minister Tomas Arbelaez met Brazil's foreign minister.", memory) == [
        ("Colombian Justice Minister Tomas Arbelaez", "COL", "person"), ("Brazil's foreign minister", "BRA", "person")]
    assert mentions(extractor, "Arbelaez said the talks went well.", memory) == [("Arbelaez", "COL", "person")]
    # without the document's memory the surname is unknown and not guessed
    assert mentions(extractor, "Arbelaez said the talks went well.") == []


def test_appositions_give_the_name_its_code(extractor):
    assert mentions(extractor, "Paulo Mendes, Brazil's foreign minister, said Lima agreed.") == [
        ("Paulo Mendes", "BRA", "person"), ("Brazil's foreign minister", "BRA", "person"), ("Lima", "PER", "state")]


def test_places_and_fixed_names_are_not_actors(extractor):
    assert mentions(extractor, "Talks in Geneva covered the Indian Ocean, British Columbia and 40 U.S. dollars.") == []
    assert mentions(extractor, "Delegates met in Nairobi.") == []
    assert [m[1] for m in mentions(extractor, "Sino-Indian talks resumed.")] == ["CHN", "IND"]


def test_acronyms_need_their_case(extractor):
    assert mentions(extractor, "The WHO said who would pay.") == [("WHO", "WHO", "igo")]
    assert mentions(extractor, "They told us the US would pay.") == [("US", "USA", "state")]


def test_office_holder_from_the_gazetteer_by_date():
    from datetime import date

    gaz = bundled_gazetteer()
    holder = gaz.office_holder("Narendra Modi", date(2020, 1, 1))
    assert holder is not None and holder.code == "IND"


def test_gazetteer_add_and_file(tmp_path):
    gaz = Gazetteer.bundled()
    extractor = ActorExtractor(gaz)
    assert mentions(extractor, "Casa Verde said no.") == []
    gaz.add("Casa Verde", "ARG", "institution")
    assert mentions(extractor, "Casa Verde said no.") == [("Casa Verde", "ARG", "institution")]
    path = tmp_path / "extra.tsv"
    path.write_text("code\talias\tkind\nPER\tPalacio de Gobierno\tinstitution\n")
    gaz.add_file(path)
    assert mentions(extractor, "Palacio de Gobierno said no.")[0][1] == "PER"
    with pytest.raises(ValueError, match="unknown code 'XXX'"):
        gaz.add("Nowhere", "XXX")
    assert mentions(ActorExtractor(), "Casa Verde said no.") == []  # the bundled one is untouched


def dyad(extractor, text, memory=None, stance=None):
    return decide_dyad(text, extractor.extract(text, memory), memory, stance)


def test_dyads(extractor):
    assert dyad(extractor, "Brazil and Argentina agreed to cut tariffs.") == ("BRA", "ARG")
    assert dyad(extractor, "Under pressure from Washington, Mexico agreed to deploy troops.") == ("MEX", "USA")
    assert dyad(extractor, "Iran was condemned by the EU for the raids.") == ("EU", "IRN")
    assert dyad(extractor, "Tokyo will not lift its curbs until Beijing acts, Japanese officials said.") == ("JPN", "CHN")
    assert dyad(extractor, "Kenya thanked Uganda and said the border would reopen.") == ("KEN", "UGA")
    assert dyad(extractor, "Gunmen attacked a market on Sunday.") == (None, None)
    assert dyad(extractor, "Peru signed the accord.") == ("PER", None)


def test_neutral_sentences_have_no_target(extractor):
    text = "Trade between Chile and Peru reached $5 billion last year."
    assert dyad(extractor, text, stance="neutral")[1] is None


def test_pronoun_keeps_the_previous_source(extractor):
    memory = DocumentMemory()
    assert dyad(extractor, "Colombian Foreign Minister Ana Ruiz praised Ecuador.", memory) == ("COL", "ECU")
    assert dyad(extractor, "She also criticised Venezuela.", memory) == ("COL", "VEN")


def test_actor_report_counts_by_code_and_span():
    from stancekit.actors.evaluate import actor_report

    gold = [{"actors": [{"start": 0, "end": 4, "code": "PER"}, {"start": 9, "end": 14, "code": "CHL"}],
             "source": "PER", "target": "CHL"}]
    pred = [{"actors": [{"start": 0, "end": 4, "code": "PER"}, {"start": 9, "end": 20, "code": "CHL"}],
             "source": "PER", "target": None}]
    report = actor_report(gold, pred)
    assert report["mentions_by_code"]["f1"] == 1.0
    assert report["mentions_by_span"]["f1"] == 0.5
    assert report["source_accuracy"] == 1.0 and report["target_accuracy"] == 0.0


def test_bundled_gazetteer_covers_every_un_member():
    import pycountry

    from stancekit.codes import state_regions

    gaz = bundled_gazetteer()
    codes = {a.code for aliases in gaz._index.values() for a in aliases}
    assert set(state_regions()) - {"HKG", "MAC", "PRI", "ESH"} <= codes | {c.alpha_3 for c in pycountry.countries} 
    assert len(gaz.office_holders) >= 500 and len(gaz.titles) >= 100
