"""Odd input, big input, interrupted runs: one output per record, clear errors, nothing lost."""

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stancekit
from stancekit import DataError, Models, TfidfClassifier
from stancekit.cli import main
from stancekit.stream import classify_file, part_path


@pytest.fixture(scope="module")
def models():
    from conftest import TINY_STANCE

    texts, labels = zip(*TINY_STANCE)
    return Models(TfidfClassifier(min_df=1).fit(list(texts), list(labels)))


ODD_TEXTS = {
    "empty": "",
    "whitespace": " \n\t ",
    "punctuation only": "!!! ... ???",
    "control and zero-width": "Peru\u200b and\x00 Chile\ufeff signed a pact.",
    "html remnants": "<p>Kenya <b>condemned</b> the raid&nbsp;on&amp;Tuesday.</p>",
    "emoji": "Leaders welcomed the accord 🎉🤝",
    "non-latin scripts": "الاتفاق بين مصر والأردن 中国与印度 Россия и Китай",
    "mixed newlines": "Peru signed.\r\nChile objected.\rBolivia waited.",
    "long sentence": "talks " * 8_000 + "ended.",
}


@pytest.mark.parametrize("name", list(ODD_TEXTS))
def test_odd_texts_get_one_result_each(models, name):
    text = ODD_TEXTS[name]
    [result] = stancekit.classify([text], models)
    assert result["stance"] in stancekit.STANCES
    assert math.isclose(sum(result["stance_scores"].values()), 1.0)
    for actor in result["actors"]:
        assert text[actor["start"]:actor["end"]] == actor["text"]
    assert result.get("no_content", False) == (name in ("empty", "whitespace", "punctuation only"))


def test_missing_and_wrong_types(models):
    results = stancekit.classify([None, float("nan"), "Peru signed.".encode()], models)
    assert [r.get("no_content", False) for r in results] == [True, True, False]
    with pytest.raises(TypeError, match="text 1 is int"):
        stancekit.classify(["ok", 3], models)
    with pytest.raises(DataError, match="text 0: bytes that are not UTF-8"):
        stancekit.classify([b"\xff\xfe"], models)
    table = stancekit.analyze(["", None, "Peru signed. Chile objected."], models)
    assert table.groupby("doc_id").size().tolist() == [1, 1, 2]
    assert table.no_content.tolist() == [True, True, False, False]


def test_html_and_control_characters_keep_offsets(models):
    text = "<p>Kenya\u200b condemned Uganda.</p>"
    [result] = stancekit.classify([text], models)
    assert [(a["text"], text[a["start"]:a["end"]]) for a in result["actors"]] == [("Kenya", "Kenya"), ("Uganda", "Uganda")]


def test_big_article(models):
    article = "\n".join(f"Officials in Lima met their counterparts for round {i}. The talks ended." for i in range(6000))
    assert len(article) > 300_000
    table = stancekit.analyze(article, models)
    assert len(table) == 12_000 and table.sentence_index.is_monotonic_increasing


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_empty_input_file_gives_empty_output(models, tmp_path):
    source = write_lines(tmp_path / "in.jsonl", [])
    report = classify_file(source, tmp_path / "out.jsonl", models)
    assert report.records == 0 and (tmp_path / "out.jsonl").read_text() == ""


def test_bad_files_name_file_line_and_field(models, tmp_path):
    cases = {
        '{"text": 5}': "field 'text' must be a string or null, got int",
        '{"body": "x"}': "missing field 'text'",
        '[1, 2]': "expected a JSON object",
        '{"text": "unterminated': "invalid JSON",
    }
    for line, message in cases.items():
        source = write_lines(tmp_path / "in.jsonl", ['{"text": "Peru signed."}', line])
        with pytest.raises(DataError, match=f"in.jsonl:2: .*{message[:20]}"):
            classify_file(source, tmp_path / "out.jsonl", models)
        assert not (tmp_path / "out.jsonl").exists() and not part_path(tmp_path / "out.jsonl").exists()
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"text": "Bogotá"}\n'.encode("latin-1"))
    with pytest.raises(DataError, match="latin.jsonl:1: not UTF-8"):
        classify_file(latin, tmp_path / "out.jsonl", models)


def test_skip_invalid_lists_what_it_skipped(models, tmp_path):
    source = write_lines(tmp_path / "in.jsonl", ['{"id": 1, "text": "Peru signed."}', "{oops", '{"id": 3}', '{"id": 4, "text": null}'])
    report = classify_file(source, tmp_path / "out.jsonl", models, skip_invalid=True)
    assert report.records == 2 and len(report.skipped) == 2
    assert "in.jsonl:2" in report.skipped[0] and "in.jsonl:3" in report.skipped[1]
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [1, 4] and rows[1]["no_content"] is True


def test_interrupted_run_resumes_without_loss_or_duplicates(models, tmp_path, monkeypatch, capsys):
    import stancekit.stream as stream

    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": i, "text": f"Peru signed accord {i}."}) for i in range(250)])
    out = tmp_path / "out.jsonl"
    real = stream.classify
    calls = []

    def interrupted(texts, models, batch_size):
        calls.append(len(texts))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(texts, models, batch_size)

    monkeypatch.setattr(stream, "classify", interrupted)
    with pytest.raises(KeyboardInterrupt):
        classify_file(source, out, models, batch_size=50)
    assert not out.exists()
    with part_path(out).open("a") as handle:
        handle.write('{"id": 100, "text": "torn')  # a line cut by the interruption
    monkeypatch.setattr(stream, "classify", real)
    report = classify_file(source, out, models, batch_size=50, resume=True)
    assert report.resumed_from == 100 and report.records == 150
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert ids == list(range(250))
    with pytest.raises(ValueError, match="already complete"):
        classify_file(source, out, models, resume=True)


def test_resume_refuses_a_different_input(models, tmp_path):
    out = tmp_path / "out.jsonl"
    part_path(out).write_text(json.dumps({"id": "x", "stance": "neutral"}) + "\n")
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": "a", "text": "Peru"}), json.dumps({"id": "b", "text": "Chile"})])
    with pytest.raises(DataError, match="same input"):
        classify_file(source, out, models, resume=True)


def test_cli_resume_flag(models, tmp_path, capsys):
    path = tmp_path / "model"
    models.stance.save(path)
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": i, "text": "Peru signed."}) for i in range(3)])
    out = tmp_path / "out.jsonl"
    part_path(out).write_text(json.dumps({"id": 0, "text": "Peru signed.", "stance": "neutral"}) + "\n")
    assert main(["classify", str(source), "-o", str(out), "--model", str(path), "--resume"]) == 0
    assert "classified 2 records (after 1 already done)" in capsys.readouterr().err
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [0, 1, 2]


def test_training_data_problems(tiny_stance):
    texts, labels = tiny_stance
    with pytest.warns(UserWarning, match="different labels"):
        TfidfClassifier(min_df=1).fit(texts + [texts[0]], labels + ["critical"])


TEXT = st.one_of(st.none(), st.floats(allow_nan=True), st.text(max_size=300),
                 st.text(alphabet=st.characters(codec="utf-8"), max_size=80).map(lambda t: "<p>" + t + "\u200b"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, max_size=8))
def test_classify_properties(models, texts):
    texts = [t if not isinstance(t, float) or t != t else None for t in texts]
    texts = [None if isinstance(t, float) else t for t in texts]
    first = stancekit.classify(texts, models)
    assert len(first) == len(texts)
    for text, result in zip(texts, first):
        assert np.isclose(sum(result["stance_scores"].values()), 1.0)
        assert result["stance"] == max(result["stance_scores"], key=result["stance_scores"].get) or result.get("no_content")
        for actor in result["actors"]:
            assert text[actor["start"]:actor["end"]] == actor["text"]
    assert stancekit.classify(texts, models) == first


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=400)), min_size=1, max_size=5))
def test_analyze_properties(models, texts):
    table = stancekit.analyze(texts, models)
    assert sorted(set(table.doc_id)) == list(range(len(texts)))  # every document is in the table
    np.testing.assert_allclose(table[["p_cooperative", "p_critical", "p_neutral"]].sum(axis=1), 1.0)
    for row in table.itertuples():
        source = texts[row.doc_id] or ""
        if not row.no_content:
            assert source[row.start:row.end].strip() != ""
    assert stancekit.analyze(texts, models).equals(table)
