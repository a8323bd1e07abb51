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


def test_trailing_attribution_reports_the_act_of_the_opening_actor(extractor):
    # codebook, section 5: the reporter of an act is not its source
    text = "Iran cut gas deliveries to Iraq by half, Iraq's electricity ministry said."
    assert dyad(extractor, text, stance="critical") == ("IRN", "IRQ")
    # a sentence that opens with a quote is the speaker's own stance
    text = '"Iran must pay its debts," Iraq\'s electricity ministry said.'
    assert dyad(extractor, text, stance="critical")[0] == "IRQ"


def test_lower_case_references_stand_for_the_actor_named_before(extractor):
    memory = DocumentMemory()
    assert dyad(extractor, "The World Bank suspended a loan to Mozambique.", memory, "critical") == ("WB", "MOZ")
    text = "A bank spokesperson said payments could resume if Mozambique met the audit's terms."
    assert dyad(extractor, text, memory, "critical")[0] == "WB"
    memory = DocumentMemory()
    dyad(extractor, "Zimbabwe detained ten activists of the movement.", memory, "critical")
    assert dyad(extractor, "A police spokesman confirmed the arrests.", memory, "neutral") == ("ZWE", None)
    # "a state bank" or "a court complex" do not refer back to an IGO
    memory = DocumentMemory()
    dyad(extractor, "The World Bank met Iraqi officials.", memory, "neutral")
    text = "Payments are held at a state bank, and Iraqi officials draw on them for food."
    assert dyad(extractor, text, memory, "neutral")[0] == "IRQ"


def test_an_igo_official_for_a_country_is_coded_to_the_igo(extractor):
    memory = DocumentMemory()
    text = "WHO Yemen representative Amira Sallam urged the authorities in Sanaa to let teams in."
    assert mentions(extractor, text, memory)[0] == ("WHO Yemen representative Amira Sallam", "WHO", "person")
    assert mentions(extractor, "Sallam said the refusal was costing lives.", memory) == [("Sallam", "WHO", "person")]
    text = "The World Bank approved a loan to Bangladesh, the bank's Dhaka office said."
    assert [m[1] for m in mentions(extractor, text)] == ["WB", "BGD"]  # no "Dhaka office" of Bangladesh
    assert dyad(extractor, text, stance="cooperative") == ("WB", "BGD")


def test_a_title_does_not_run_across_a_verb(extractor):
    text = "A spokesperson for the UN Office on Drugs and Crime said the agency would train officers."
    assert mentions(extractor, text) == [("UN Office on Drugs and Crime", "UNODC", "igo")]
    assert dyad(extractor, text, stance="cooperative")[0] == "UNODC"


def test_a_neutral_description_of_a_state_has_no_source(extractor):
    text = "China is Australia's largest trading partner, buying a third of its exports."
    assert dyad(extractor, text, stance="neutral") == (None, None)
    assert dyad(extractor, "Iran was condemned by the EU.", stance="neutral")[0] == "EU"


def test_parsed_dyads_use_subject_and_passive_agent(extractor):
    pytest.importorskip("spacy")
    from stancekit.actors.parse import load_parser, parsed_dyad
    from stancekit.errors import MissingExtraError

    try:
        nlp = load_parser()
    except MissingExtraError as exc:
        pytest.skip(str(exc))
    for text, stance, expected in [
        ("Iran was condemned by the EU for the raids.", "critical", ("EU", "IRN")),
        ("Under pressure from Washington, Mexico agreed to deploy troops.", "cooperative", ("MEX", "USA")),
        ("Tokyo will not lift its curbs until Beijing acts, Japanese officials said.", "critical", ("JPN", "CHN")),
    ]:
        assert parsed_dyad(nlp(text), text, extractor.extract(text), None, stance) == expected
    with pytest.raises(MissingExtraError, match="not installed"):
        load_parser("no_such_spacy_pipeline")


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
