import numpy as np
import pytest

import stancekit
from stancekit import ISSUES, STANCES, Models, TfidfClassifier



@pytest.fixture
def article():
    from conftest import REPO

    return (REPO / "data" / "examples" / "andes_water_talks.txt").read_text(encoding="utf-8")


def test_analyze_gives_one_row_per_sentence(default_models, article):
    table = stancekit.analyze([article, "Talks resume. Ankara recalled its ambassador."], models=default_models,
                              doc_ids=["andes", "short"])
    assert list(table.columns) == ["doc_id", "sentence_index", "start", "end", "text", "stance",
                                   "p_cooperative", "p_critical", "p_neutral", "issues", "actors", "source", "target",
                                   "no_content"]
    assert len(table[table.doc_id == "andes"]) == len(stancekit.split_sentences(article))
    assert list(table[table.doc_id == "short"].sentence_index) == [0, 1]
    assert set(table.stance) <= set(STANCES)
    np.testing.assert_allclose(table[["p_cooperative", "p_critical", "p_neutral"]].sum(axis=1), 1.0)
    assert all(set(issues) <= set(ISSUES) for issues in table.issues)
    first = table.iloc[0]
    assert [(a["text"], a["code"]) for a in first.actors] == [("Peru", "PER"), ("Bolivia", "BOL")]
    assert (first.source, first.target) == ("PER", "BOL")
    for row in table.itertuples():
        for actor in row.actors:
            assert row.text[actor["start"]:actor["end"]] == actor["text"]


def test_analyze_accepts_a_single_string_and_a_single_model(tiny_stance):
    model = TfidfClassifier(min_df=1).fit(*tiny_stance)
    table = stancekit.analyze("Officials welcomed the accord. The talks are scheduled for Thursday.", models=model)
    assert len(table) == 2 and table.issues.tolist() == [[], []]
    assert table.actors.tolist() == [[], []] and table.source.isna().all()
    empty = stancekit.analyze("", models=model)
    assert len(empty) == 1 and empty.no_content.all() and empty.stance.tolist() == ["neutral"]


def test_analyze_rejects_non_text(tiny_stance):
    with pytest.raises(TypeError, match="text 1 is int"):
        stancekit.analyze(["ok", 3], models=TfidfClassifier(min_df=1).fit(*tiny_stance))


def test_classify_returns_the_record_fields(default_models):
    [result] = stancekit.classify(["Seoul and Tokyo agreed to resume joint naval drills."], default_models)
    assert set(result) == {"stance", "stance_scores", "issues", "actors", "source", "target"}
    assert [a["code"] for a in result["actors"]] == ["KOR", "JPN"] and result["source"] == "KOR"
    assert set(result["stance_scores"]) == set(STANCES)
    assert result["stance"] == max(result["stance_scores"], key=result["stance_scores"].get)


def test_default_models_load_from_cache(default_models):
    from stancekit.defaults import default_model_dir, load_bundle

    cached = load_bundle(default_model_dir())
    texts = ["Ankara recalled its ambassador.", "Lima and Quito signed a border accord."]
    np.testing.assert_array_equal(cached.stance.predict_proba(texts), default_models.stance.predict_proba(texts))
    assert isinstance(default_models, Models)
