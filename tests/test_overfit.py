"""Per trainable model: overfit a tiny set, save, reload, identical predictions, evaluate."""

import numpy as np
import pytest

from stancekit import IssueClassifier, LexiconClassifier, TfidfClassifier, evaluate, load_model


@pytest.mark.parametrize("model", [TfidfClassifier(min_df=1, C=100.0), LexiconClassifier(C=100.0)], ids=["tfidf", "lexicon"])
def test_overfit_save_load_evaluate(model, tiny_stance, tmp_path):
    texts, labels = tiny_stance
    model.fit(texts, labels)
    report = evaluate(model, texts, labels)
    # TF-IDF memorises the tiny set; the lexicon's eight features separate most of it.
    assert report["accuracy"] >= (1.0 if isinstance(model, TfidfClassifier) else 0.8)
    model.save(tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict(texts), model.predict(texts))
    assert evaluate(loaded, texts, labels) == report


def test_issue_classifier_overfit_save_load(tiny_issues, tmp_path):
    texts, labels = tiny_issues
    model = IssueClassifier(min_df=1, C=100.0).fit(texts, labels)
    assert model.predict(texts) == labels
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 10)
    model.save(tmp_path / "issues")
    loaded = load_model(tmp_path / "issues")
    assert loaded.predict(texts) == labels
    np.testing.assert_array_equal(loaded.thresholds_, model.thresholds_)
    report = evaluate(loaded, texts, labels)
    assert report["micro_f1"] == 1.0


def test_issue_classifier_tunes_thresholds_on_dev(tiny_issues):
    texts, labels = tiny_issues
    model = IssueClassifier(min_df=1).fit(texts, labels, dev_texts=texts, dev_labels=labels)
    assert model.thresholds_.shape == (10,)
    assert ((model.thresholds_ > 0) & (model.thresholds_ < 1)).all()


def test_issue_classifier_rejects_unknown_issue_and_too_few_examples(tiny_issues):
    texts, labels = tiny_issues
    with pytest.raises(ValueError, match="unknown issue"):
        IssueClassifier().fit(texts, labels[:-1] + [["sports"]])
    with pytest.raises(ValueError, match="fewer than 2 positive"):
        IssueClassifier().fit(texts[:10], labels[:10])
