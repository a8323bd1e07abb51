"""The bundled corpus: in sync with its sources, valid, and meeting its targets."""

import filecmp

import pytest

import stancekit
from stancekit.corpus.build import DEFAULT_SOURCE, build
from stancekit.corpus.load import corpus_dir
from stancekit.corpus.validate import validate_corpus


def test_built_corpus_is_in_sync_with_article_files(tmp_path):
    if not DEFAULT_SOURCE.exists():
        pytest.skip("article sources are not in this installation (data/articles/)")
    build(DEFAULT_SOURCE, tmp_path)
    for name in ("train.jsonl", "dev.jsonl", "test.jsonl", "articles.jsonl"):
        assert filecmp.cmp(tmp_path / name, corpus_dir() / name, shallow=False), (
            f"{name} is out of date: run python -m stancekit.corpus.build")


@pytest.fixture(scope="module")
def report():
    return validate_corpus()


def test_bundled_corpus_is_valid(report):
    assert report.errors == []


def test_bundled_corpus_meets_every_target(report):
    table = report.table()
    unmet = [name for name, _, met in report.target_checks() if not met]
    assert unmet == [], table


def test_load_corpus_by_split():
    train = stancekit.load_corpus("train")
    test = stancekit.load_corpus("test")
    assert set(train["article_id"]).isdisjoint(test["article_id"])
    assert {"id", "article_id", "text", "stance", "issues", "actors", "source", "target"} <= set(train.columns)
    assert len(stancekit.load_corpus("all")) == sum(len(stancekit.load_corpus(s)) for s in ("train", "dev", "test"))
    with pytest.raises(ValueError, match="split must be one of"):
        stancekit.load_corpus("validation")


def test_validator_names_file_line_and_field(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "x-1", "article_id": "x", "text": "Peru spoke.", "stance": "happy", "issues": [], "actors": [{"start": 0, "end": 4, "text": "Peru", "code": "PER"}]}\n'
        '{"id": "x-1", "article_id": "x", "text": "Chile spoke.", "stance": "neutral", "issues": ["sport"], "actors": [{"start": 0, "end": 3, "text": "Chile", "code": "CHL"}]}\n'
        '{"id": "x-3", "article_id": "x", "text": "Mars spoke.", "stance": "neutral", "issues": [], "actors": [{"start": 0, "end": 4, "text": "Mars", "code": "MRS"}]}\n'
        '{"id": "x-4", "article_id": "x", "text": "no issues field", "stance": "neutral", "actors": []}\n'
    )
    errors = validate_corpus(path).errors
    joined = "\n".join(errors)
    assert f"{path}:1: field 'stance' has 'happy'" in joined
    assert f"{path}:2: field 'issues' has 'sport'" in joined
    assert f"{path}:2: actors[0] offsets 0-3 give 'Chi', not 'Chile'" in joined
    assert f"{path}:2: field 'id' 'x-1' also at {path}:1" in joined
    assert f"{path}:3: actors[0] has unknown code 'MRS'" in joined
    assert f"{path}:4: missing field 'issues'" in joined


def test_near_duplicates_are_found_with_names_swapped():
    from stancekit.corpus.validate import near_duplicates

    def record(i, text, mention):
        start = text.index(mention)
        return {"id": str(i), "text": text, "actors": [{"start": start, "end": start + len(mention), "text": mention, "code": "X"}]}

    records = [
        record(1, "Peru accused its neighbour of stalling the water talks for a third month.", "Peru"),
        record(2, "Chile accused its neighbour of stalling the water talks for a third month.", "Chile"),
        record(3, "Grain exports rose by a tenth after the harbour reopened in May.", "Grain"),
    ]
    share, examples = near_duplicates(records)
    assert share == pytest.approx(2 / 3)
    assert examples[0][:2] == ("1", "2")


@pytest.mark.slow
def test_tfidf_on_corpus_scores_in_the_intended_band():
    """Real news is hard: a corpus on which TF-IDF scores above 0.90 is too regular."""
    from stancekit import TfidfClassifier, stance_report

    train, test = stancekit.load_corpus("train"), stancekit.load_corpus("test")
    model = TfidfClassifier().fit(train["text"].tolist(), train["stance"].tolist())
    f1 = stance_report(test["stance"], model.predict(test["text"].tolist()))["macro_f1"]
    assert 0.60 <= f1 <= 0.90
