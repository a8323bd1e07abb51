import json

import pytest

from stancekit.cli import main


def write_records(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def trained(tiny_stance, tmp_path):
    from stancekit import TfidfClassifier

    return TfidfClassifier(min_df=1).fit(*tiny_stance).save(tmp_path / "model")


def test_classify_keeps_fields_and_adds_predictions(trained, tmp_path, default_models):
    source = tmp_path / "in.jsonl"
    write_records(source, [{"id": 7, "text": "Officials welcomed the accord.", "outlet": "x"},
                           {"id": 8, "text": "The ministry condemned the strikes."}])
    out = tmp_path / "out.jsonl"
    assert main(["classify", str(source), "-o", str(out), "--model", str(trained), "--batch-size", "1"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [7, 8] and rows[0]["outlet"] == "x"
    assert {"stance", "stance_scores", "issues", "actors", "source", "target"} <= set(rows[0])
    assert rows[0]["stance"] == "cooperative" and rows[1]["stance"] == "critical"
    assert not (tmp_path / "out.jsonl.part").exists()


def test_classify_stdin_to_stdout(trained, monkeypatch, capsys, default_models):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"text": "Officials welcomed the accord."}) + "\n"))
    assert main(["classify", "-", "-o", "-", "--model", str(trained)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["stance"] == "cooperative"


def test_classify_bad_line_names_file_and_line_and_skip_invalid(trained, tmp_path, capsys, default_models):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Officials welcomed the accord."}\n{broken\n{"body": "no text"}\n')
    out = tmp_path / "out.jsonl"
    assert main(["classify", str(source), "-o", str(out), "--model", str(trained)]) == 2
    assert f"{source}:2: invalid JSON" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "out.jsonl.part").exists()
    assert main(["classify", str(source), "-o", str(out), "--model", str(trained), "--skip-invalid"]) == 0
    err = capsys.readouterr().err
    assert "skipped 2 invalid line(s)" in err and f"{source}:3: missing field 'text'" in err
    assert len(out.read_text().splitlines()) == 1


@pytest.fixture
def labeled_csv(tmp_path):
    data = tmp_path / "labels.csv"
    rows = ["text,stance"] + [f"Officials welcomed accord number {i}.,cooperative" for i in range(6)] + [
        f"Officials condemned attack number {i}.,critical" for i in range(6)]
    data.write_text("\n".join(rows) + "\n")
    return data


def test_train_and_evaluate_round_trip(labeled_csv, tmp_path, capsys):
    data, out = labeled_csv, tmp_path / "m"
    assert main(["train", str(data), "--model", "tfidf", "--out", str(out), "--seed", "3"]) == 0
    assert main(["evaluate", str(out), str(data), "--json", str(tmp_path / "r.json")]) == 0
    printed = capsys.readouterr().out
    assert "accuracy=1.000" in printed and "confusion matrix" in printed
    assert json.loads((tmp_path / "r.json").read_text())["macro_f1"] == 1.0
    assert json.loads((out / "config.json").read_text())["params"]["random_state"] == 3


def test_train_takes_model_settings(labeled_csv, tmp_path, capsys):
    data, out = labeled_csv, tmp_path / "m"
    assert main(["train", str(data), "--out", str(out), "--set", "C=0.5", "--set", "min_df=1"]) == 0
    params = json.loads((out / "config.json").read_text())["params"]
    assert params["C"] == 0.5 and params["min_df"] == 1
    assert main(["train", str(data), "--out", str(out), "--set", "epochs=3"]) == 2
    assert "TfidfClassifier has no setting 'epochs'; its settings are: C," in capsys.readouterr().err
    assert main(["train", str(data), "--out", str(out), "--set", "epochs"]) == 2
    assert "--set 'epochs' is not SETTING=VALUE" in capsys.readouterr().err


def test_train_reports_bad_labels(tmp_path, capsys):
    data = tmp_path / "labels.csv"
    data.write_text("text,stance\nA pact was signed.,positive\n")
    assert main(["train", str(data), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert "labels.csv:2: field 'stance' has 'positive'; allowed labels: cooperative, critical, neutral" in err


def test_analyze_prints_a_table_and_writes_files(tmp_path, capsys, default_models):
    from conftest import REPO

    article = REPO / "data" / "examples" / "andes_water_talks.txt"
    assert main(["analyze", str(article)]) == 0
    printed = capsys.readouterr().out
    assert "stance" in printed and "Peru and Bolivia agree" in printed
    for suffix in ("csv", "jsonl"):
        out = tmp_path / f"t.{suffix}"
        assert main(["analyze", str(article), "-o", str(out)]) == 0
        assert out.stat().st_size > 0


def test_validate_bundled_corpus(capsys):
    assert main(["validate", "--strict"]) == 0
    out = capsys.readouterr().out
    assert "near-duplicate" in out and "every issue on >= 120 sentences" in out


def test_module_entry_point_runs():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "stancekit", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("stancekit ")
