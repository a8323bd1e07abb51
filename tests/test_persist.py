import json

import pytest

from stancekit import ModelFileError, TfidfClassifier, load_model
from stancekit.models.tfidf import WEIGHTS_FILE


@pytest.fixture
def saved(tiny_stance, tmp_path):
    model = TfidfClassifier(min_df=1).fit(*tiny_stance)
    return model, model.save(tmp_path / "model")


def test_folder_holds_json_config_and_no_pickle(saved):
    _, path = saved
    names = sorted(p.name for p in path.iterdir())
    assert names == ["config.json", WEIGHTS_FILE]
    config = json.loads((path / "config.json").read_text())
    assert config["stancekit_model"] == "TfidfClassifier"
    assert config["classes"] == ["cooperative", "critical", "neutral"]
    assert len(config["training_fingerprint"]) == 16
    import zipfile

    assert zipfile.is_zipfile(path / WEIGHTS_FILE)


def test_tampered_or_truncated_weights_are_refused(saved):
    _, path = saved
    weights = path / WEIGHTS_FILE
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ModelFileError, match="truncated or was modified"):
        load_model(path)


def test_unexpected_file_is_refused(saved):
    _, path = saved
    (path / "payload.pkl").write_bytes(b"\x80\x04")
    with pytest.raises(ModelFileError, match="payload.pkl"):
        load_model(path)


def test_unknown_class_and_missing_config(saved, tmp_path):
    _, path = saved
    config = json.loads((path / "config.json").read_text())
    config["stancekit_model"] = "os.system"
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="not one of"):
        load_model(path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelFileError, match="no config.json"):
        load_model(tmp_path / "empty")


def test_other_version_warns(saved, tiny_stance):
    model, path = saved
    config = json.loads((path / "config.json").read_text())
    config["stancekit_version"] = "0.0.1"
    (path / "config.json").write_text(json.dumps(config))
    with pytest.warns(UserWarning, match="saved by stancekit 0.0.1"):
        loaded = load_model(path)
    assert list(loaded.predict(tiny_stance[0])) == list(model.predict(tiny_stance[0]))


def test_interrupted_save_leaves_old_model_untouched(saved, tiny_stance, monkeypatch):
    model, path = saved
    before = {p.name: p.read_bytes() for p in path.iterdir()}

    def boom(self, folder):
        (folder / WEIGHTS_FILE).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(TfidfClassifier, "_write_weights", boom)
    with pytest.raises(KeyboardInterrupt):
        model.save(path)
    assert {p.name: p.read_bytes() for p in path.iterdir()} == before
    assert [p.name for p in path.parent.iterdir()] == ["model"]  # no temporary folder left


def test_saving_over_a_non_model_folder_is_refused(tiny_stance, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "paper.tex").write_text("draft")
    with pytest.raises(ModelFileError, match="not a stancekit model folder"):
        TfidfClassifier(min_df=1).fit(*tiny_stance).save(folder)
    assert (folder / "paper.tex").read_text() == "draft"
