"""The contract every stance model follows (run over every model)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score

from stancekit import LexiconClassifier, NotFittedError, TfidfClassifier, load_model

STANCE_MODELS = [
    pytest.param(lambda: LexiconClassifier(), id="lexicon"),
    pytest.param(lambda: TfidfClassifier(min_df=1), id="tfidf"),
]


@pytest.mark.parametrize("make", STANCE_MODELS)
def test_fit_returns_self_and_probabilities_sum_to_one(make, tiny_stance):
    model = make()
    assert model.fit(*tiny_stance) is model
    proba = model.predict_proba(tiny_stance[0])
    assert proba.shape == (len(tiny_stance[0]), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model.classes_) == ["cooperative", "critical", "neutral"]
    # predict agrees with the most probable column of predict_proba
    assert list(model.predict(tiny_stance[0])) == list(model.classes_[proba.argmax(axis=1)])


@pytest.mark.parametrize("make", STANCE_MODELS)
def test_unfitted_model_raises_clear_error(make):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        make().predict(["Talks resumed."])


@pytest.mark.parametrize("make", STANCE_MODELS)
def test_clone_and_cross_val_score(make, tiny_stance):
    model = make()
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    scores = cross_val_score(model, tiny_stance[0], tiny_stance[1], cv=3)
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)


@pytest.mark.parametrize("make", STANCE_MODELS)
def test_save_load_gives_identical_probabilities(make, tiny_stance, tmp_path):
    model = make().fit(*tiny_stance)
    model.save(tmp_path / "m")
    for loaded in (type(model).load(tmp_path / "m"), load_model(tmp_path / "m")):
        assert type(loaded) is type(model)
        np.testing.assert_array_equal(loaded.predict_proba(tiny_stance[0]), model.predict_proba(tiny_stance[0]))
        assert loaded.get_params() == model.get_params()


@pytest.mark.parametrize("make", STANCE_MODELS)
def test_same_seed_same_model(make, tiny_stance):
    a = make().fit(*tiny_stance).predict_proba(tiny_stance[0])
    b = make().fit(*tiny_stance).predict_proba(tiny_stance[0])
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", STANCE_MODELS)
def test_bad_training_data_is_refused(make, tiny_stance):
    texts, labels = tiny_stance
    with pytest.raises(ValueError, match="allowed labels: cooperative, critical, neutral"):
        make().fit(texts, labels[:-1] + ["positive"])
    with pytest.raises(ValueError, match="must match"):
        make().fit(texts, labels[:-1])
    with pytest.raises(ValueError, match="fewer than 2 examples"):
        make().fit(texts[:11], labels[:10] + ["neutral"])
    with pytest.raises(TypeError, match="single string"):
        make().fit(*tiny_stance).predict("one sentence")


@pytest.mark.parametrize("make", STANCE_MODELS)
def test_empty_input_gives_empty_output(make, tiny_stance):
    model = make().fit(*tiny_stance)
    assert model.predict_proba([]).shape == (0, 3)
