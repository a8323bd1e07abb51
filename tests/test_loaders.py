import json

import pandas as pd
import pytest

from stancekit import DataError, load_labeled


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


ROWS = [
    {"id": "a", "text": "Kenya and Uganda signed a pact.", "stance": "cooperative", "issues": ["trade"]},
    {"id": "b", "text": "Ankara condemned the raid.", "stance": "critical", "issues": []},
]


def test_jsonl_csv_dataframe_and_datasets_agree(tmp_path):
    from datasets import Dataset, DatasetDict

    frame = pd.DataFrame(ROWS)
    frame.to_csv(tmp_path / "d.csv", index=False)
    sources = [write_jsonl(tmp_path / "d.jsonl", ROWS), tmp_path / "d.csv", frame, Dataset.from_pandas(frame)]
    for source in sources:
        data = load_labeled(source)
        assert data.texts == [r["text"] for r in ROWS]
        assert data.labels == ["cooperative", "critical"]
    data = load_labeled(DatasetDict({"train": Dataset.from_pandas(frame)}), split="train", task="issues")
    assert data.labels == [["trade"], []]
    with pytest.raises(ValueError, match="needs split="):
        load_labeled(DatasetDict({"train": Dataset.from_pandas(frame)}))


def test_column_mapping_and_issue_strings(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("sentence,label,topics\nLima hailed the accord.,cooperative,trade;energy\n", encoding="utf-8")
    data = load_labeled(path, text_column="sentence", label_column="label")
    assert data.texts == ["Lima hailed the accord."] and data.labels == ["cooperative"]
    issues = load_labeled(path, task="issues", text_column="sentence", label_column="topics")
    assert issues.labels == [["trade", "energy"]]


def test_bad_label_names_file_line_field_and_allowed_labels(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", ROWS + [{"text": "x y", "stance": "positive"}])
    with pytest.raises(DataError, match=r"bad.jsonl:3: field 'stance' has 'positive'; allowed labels: cooperative, critical, neutral"):
        load_labeled(path)


def test_missing_field_and_invalid_json(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"sentence": "no text field", "stance": "neutral"}])
    with pytest.raises(DataError, match=r"bad.jsonl:1: missing field 'text'.*text_column="):
        load_labeled(path)
    path.write_text('{"text": "ok", "stance": "neutral"}\n{not json\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.jsonl:2: invalid JSON"):
        load_labeled(path)


def test_wrong_encoding_and_unknown_suffix(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("text,stance\nBogotá signed,cooperative\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        load_labeled(path)
    other = tmp_path / "data.xlsx"
    other.write_text("x")
    with pytest.raises(DataError, match="unknown file type"):
        load_labeled(other)
    with pytest.raises(FileNotFoundError):
        load_labeled(tmp_path / "absent.jsonl")


def test_skip_invalid_reports_what_it_skipped(tmp_path):
    path = write_jsonl(tmp_path / "mixed.jsonl", ROWS + [{"text": "", "stance": "neutral"}, {"text": "ok", "stance": "nope"}])
    with pytest.warns(UserWarning, match="skipped 2 invalid"):
        data = load_labeled(path, skip_invalid=True)
    assert len(data) == 2
    assert len(data.skipped) == 2 and "mixed.jsonl:3" in data.skipped[0] and "mixed.jsonl:4" in data.skipped[1]


def test_conflicting_duplicates_warn(tmp_path):
    path = write_jsonl(tmp_path / "dup.jsonl", [
        {"text": "Seoul  recalled its envoy.", "stance": "critical"},
        {"text": "Seoul recalled its envoy.", "stance": "neutral"},
    ])
    with pytest.warns(UserWarning, match="1 text"):
        load_labeled(path)


def test_same_sentence_with_different_targets_is_not_a_conflict():
    import warnings

    from stancekit.loaders import warn_conflicting_duplicates

    texts = ["Seoul and Tokyo traded barbs.", "Seoul and Tokyo traded barbs."]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_conflicting_duplicates(texts, ["critical", "neutral"], ["Seoul", "Tokyo"]) == 0
    with pytest.warns(UserWarning, match="1 text"):
        assert warn_conflicting_duplicates(texts, ["critical", "neutral"]) == 1
