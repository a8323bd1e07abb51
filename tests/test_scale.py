"""Scale: classify_dataset, `classify --workers N` and the Dask path give exactly what
single-process `classify` gives; order, resume and a failed shard's retry lose nothing."""

import json

import pytest

import stancekit
from stancekit import IssueClassifier, Models, TfidfClassifier
from stancekit.cli import main
from stancekit.stream import classify_file, part_path

ODD = [None, "", "!!!", "<p>Kenya <b>condemned</b> the raid&nbsp;on Tuesday.</p>", "Peru\u200b and Chile signed."]


@pytest.fixture(scope="module")
def models():
    from conftest import ALL_ISSUES_TINY, TINY_STANCE

    texts, labels = zip(*TINY_STANCE)
    issue_texts, issue_labels = zip(*ALL_ISSUES_TINY)
    issues = IssueClassifier(min_df=1).fit(list(issue_texts), [list(l) for l in issue_labels])
    return Models(TfidfClassifier(min_df=1).fit(list(texts), list(labels)), issues)


@pytest.fixture(scope="module")
def bundle(models, tmp_path_factory):
    return models.save(tmp_path_factory.mktemp("bundle") / "models")


@pytest.fixture(scope="module")
def records():
    texts = stancekit.load_corpus("dev")["text"].tolist()[:200] + ODD
    return [{"id": f"r{i}", "outlet": "wire", "text": text} for i, text in enumerate(texts)]


@pytest.fixture(scope="module")
def expected(records, models):
    """What single-process classify says for each record."""
    return stancekit.classify([r["text"] for r in records], models)


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def same_as_classify(rows, records, expected):
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    for row, record, result in zip(rows, records, expected):
        assert {**record, **result, "no_content": result.get("no_content", False)} == \
               {**row, "no_content": row.get("no_content", False)}
    return True


@pytest.mark.parametrize("num_proc", [None, 2])
def test_classify_dataset_matches_classify(records, models, expected, num_proc):
    from datasets import Dataset

    ds = Dataset.from_list(records)
    out = stancekit.classify_dataset(ds, models, batch_size=32, num_proc=num_proc)
    assert out.column_names == ["id", "outlet", "text", "stance", "stance_scores", "issues", "actors",
                                "source", "target", "no_content"]
    assert same_as_classify(out.to_list(), records, expected)
    assert {"stance_scores.cooperative", "stance_scores.critical", "stance_scores.neutral"} <= set(
        out.flatten().column_names)
    with pytest.raises(ValueError, match="no column 'body'"):
        stancekit.classify_dataset(ds, models, text_column="body")


def test_workers_keep_order_and_match_one_worker(records, expected, bundle, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", records)
    with source.open("a") as handle:
        handle.write('{"id": "bad"}\n{broken\n')
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    classify_file(source, one, bundle, batch_size=16, skip_invalid=True)
    report = classify_file(source, two, bundle, batch_size=16, skip_invalid=True, workers=2)
    assert report.records == len(records) and len(report.skipped) == 2
    assert two.read_bytes() == one.read_bytes()
    assert same_as_classify(read_jsonl(two), records, expected)


def test_workers_interrupted_then_resumed(records, expected, models, bundle, tmp_path, monkeypatch, capsys):
    import stancekit.workers as workers

    real = workers.classify_batches

    def interrupted(*args, **kwargs):  # the pool's batches, then Ctrl-C after the third
        for n, item in enumerate(real(*args, **kwargs)):
            if n == 3:
                raise KeyboardInterrupt
            yield item

    source = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    monkeypatch.setattr(workers, "classify_batches", interrupted)
    with pytest.raises(KeyboardInterrupt):
        classify_file(source, out, models, batch_size=20, workers=2)  # in-memory bundle: sent to each worker
    assert not out.exists() and len(part_path(out).read_text().splitlines()) == 60
    monkeypatch.setattr(workers, "classify_batches", real)
    assert main(["classify", str(source), "-o", str(out), "--model", str(bundle), "--resume",  # the CLI
                 "--workers", "2", "--batch-size", "20"]) == 0
    assert f"classified {len(records) - 60} records (after 60 already done)" in capsys.readouterr().err
    assert same_as_classify(read_jsonl(out), records, expected)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        classify_file(source, tmp_path / "x.jsonl", models, workers=0)


# -- Dask ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def shards(tmp_path, records, n=4):
    """The records split into n JSONL shards; the last one as Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    size = -(-len(records) // n)
    parts = [records[i:i + size] for i in range(0, len(records), size)]
    paths = [write_jsonl(tmp_path / f"part-{i}.jsonl", part) for i, part in enumerate(parts[:-1])]
    parquet = tmp_path / f"part-{len(parts) - 1}.parquet"
    pq.write_table(pa.Table.from_pylist(parts[-1]), parquet)
    return paths + [parquet]


def read_outputs(out_dir, inputs):
    import pyarrow.parquet as pq

    rows = []
    for path in inputs:
        output = out_dir / path.name
        rows += read_jsonl(output) if path.suffix == ".jsonl" else pq.read_table(output).to_pylist()
    return rows


def test_dask_matches_classify_and_loads_models_once_per_worker(client, records, expected, bundle, tmp_path):
    def count_loads():  # runs on each worker: count model loads from here on
        import stancekit.pipeline as pipeline
        import stancekit.workers as workers

        workers._CACHE.clear()
        real = getattr(pipeline._models, "real", pipeline._models)

        def counting(source):
            if source is None or isinstance(source, str):  # a load from disk, not a bundle passed through
                counting.loads += 1
            return real(source)

        counting.loads, counting.real = 0, real
        pipeline._models = counting

    def loads():
        import stancekit.pipeline as pipeline

        return pipeline._models.loads

    client.run(count_loads)
    inputs = shards(tmp_path, records)
    report = stancekit.classify_shards(inputs, tmp_path / "out", bundle, client, batch_size=16)
    assert report.records == len(records) and not report.failed
    assert same_as_classify(read_outputs(tmp_path / "out", inputs), records, expected)
    assert sorted(client.run(loads).values()) == [1, 1]  # 4 shards, 2 workers: one load each
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in inputs)


@pytest.mark.parametrize("failure", ["raises", "worker dies"])
def test_dask_retries_a_failed_shard_without_loss_or_duplicates(client, records, bundle, tmp_path, failure):
    flag = tmp_path / "fail-once"
    flag.write_text(failure)

    def fail_once(flag=str(flag)):  # runs on each worker: the first batch to claim the flag fails
        import os

        import stancekit.stream as stream

        real = getattr(stream.classify, "real", stream.classify)

        def flaky(texts, models, batch_size):
            if flaky.calls == 2 and os.path.exists(flag):
                try:
                    os.rename(flag, flag + ".claimed")  # atomic: one attempt in the whole cluster fails
                except OSError:
                    pass
                else:
                    if open(flag + ".claimed").read() == "worker dies":
                        os._exit(1)
                    raise RuntimeError("injected failure, after two batches were written")
            flaky.calls += 1
            return real(texts, models, batch_size)

        flaky.calls, flaky.real = 0, real
        stream.classify = flaky

    client.run(fail_once)
    inputs = [p for p in shards(tmp_path, records) if p.suffix == ".jsonl"]
    report = stancekit.classify_shards(inputs, tmp_path / "out", bundle, client, batch_size=10, retries=2)
    assert (tmp_path / "fail-once.claimed").exists()  # the failure happened
    ids = [r["id"] for r in read_outputs(tmp_path / "out", inputs)]
    assert ids == [r["id"] for path in inputs for r in read_jsonl(path)] == [r["id"] for r in records[:len(ids)]]
    assert len(ids) == len(set(ids)) == report.records
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in inputs)


def test_dask_bad_shard_is_reported_and_resume_redoes_only_it(client, records, bundle, tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", records[:30])
    bad = write_jsonl(tmp_path / "bad.jsonl", records[30:40])
    with bad.open("a") as handle:
        handle.write("{broken\n")
    from stancekit.cluster import ShardError

    with pytest.raises(ShardError, match="bad.jsonl: DataError: .*bad.jsonl:11: invalid JSON") as info:
        stancekit.classify_shards([good, bad], tmp_path / "out", bundle, client)
    assert [s.error is None for s in info.value.report.shards] == [True, False]
    assert not (tmp_path / "out" / "bad.jsonl").exists()
    write_jsonl(bad, records[30:40])
    report = stancekit.classify_shards([good, bad], tmp_path / "out", bundle, client, resume=True)
    assert [s.kept for s in report.shards] == [True, False] and report.records == 40
    with pytest.raises(ValueError, match="share a file name"):
        stancekit.classify_shards([good, tmp_path / "out" / "good.jsonl"], tmp_path / "x", bundle, client)
