"""Adapters for public stance datasets, read from a user's own download.

Nothing here knows where a copy lives: every function takes the path.

- :func:`load_newsmtsc`: NewsMTSC (Hamborg & Donnay, EACL 2021), target-dependent
  sentiment in political news; polarity 2 / 4 / 6 → critical / neutral / cooperative.
- :func:`load_semeval2016`: SemEval-2016 Task 6 stance in the TweetEval layout
  (``{split}_text.txt`` / ``{split}_labels.txt``; 0 none, 1 against, 2 favor →
  neutral, critical, cooperative), with the literature's F-avg in :func:`f_avg`.
- Any other CSV / JSONL / DataFrame / Hugging Face dataset: :func:`stancekit.load_labeled`
  with a column mapping.
"""

from __future__ import annotations

from pathlib import Path

from stancekit.errors import DataError
from stancekit.loaders import LabeledData, iter_jsonl

NEWSMTSC_POLARITY = {2.0: "critical", 4.0: "neutral", 6.0: "cooperative"}
NEWSMTSC_SPLITS = ("train", "devtest_rw", "devtest_mt")
SEMEVAL_LABELS = {"0": "neutral", "1": "critical", "2": "cooperative"}
SEMEVAL_TARGETS = ("abortion", "atheism", "climate", "feminist", "hillary")
SEMEVAL_SPLITS = ("train", "val", "test")


def load_newsmtsc(path: str | Path, split: str = "train") -> LabeledData:
    """One example per target: the sentence, the target mention, and its polarity.

    ``path`` is the folder with ``train.jsonl``, ``devtest_rw.jsonl`` and
    ``devtest_mt.jsonl``, or one of those files.
    """
    path = Path(path)
    if path.is_dir():
        if split not in NEWSMTSC_SPLITS:
            raise ValueError(f"split must be one of {', '.join(NEWSMTSC_SPLITS)}, got {split!r}")
        path = path / f"{split}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"no NewsMTSC file at {path}")
    texts, labels, targets, ids = [], [], [], []
    for number, record in iter_jsonl(path):
        where = f"{path}:{number}"
        sentence = record.get("sentence_normalized")
        if not isinstance(sentence, str) or not isinstance(record.get("targets"), list):
            raise DataError(f"{where}: needs 'sentence_normalized' (a string) and 'targets' (a list)")
        for k, target in enumerate(record["targets"]):
            polarity = target.get("polarity")
            if polarity not in NEWSMTSC_POLARITY:
                raise DataError(f"{where}: targets[{k}].polarity is {polarity!r}; expected 2.0, 4.0 or 6.0")
            mention = target.get("mention") or sentence[target["from"]:target["to"]]
            texts.append(sentence)
            targets.append(mention)
            labels.append(NEWSMTSC_POLARITY[polarity])
            ids.append(f"{record.get('primary_gid', number)}#{k}")
    return LabeledData(texts, labels, ids, "stance", targets=targets)


def load_semeval2016(path: str | Path, target: str, split: str = "train") -> LabeledData:
    """One SemEval-2016 target in the TweetEval layout (``path/target/{split}_text.txt``)."""
    folder = Path(path) / target
    if split not in SEMEVAL_SPLITS:
        raise ValueError(f"split must be one of {', '.join(SEMEVAL_SPLITS)}, got {split!r}")
    text_file, label_file = folder / f"{split}_text.txt", folder / f"{split}_labels.txt"
    for file in (text_file, label_file):
        if not file.exists():
            raise FileNotFoundError(f"no SemEval-2016 file at {file}")
    texts = text_file.read_text(encoding="utf-8").splitlines()
    raw = label_file.read_text(encoding="utf-8").splitlines()
    if len(texts) != len(raw):
        raise DataError(f"{text_file} has {len(texts)} lines but {label_file} has {len(raw)}")
    labels = []
    for number, value in enumerate(raw, start=1):
        if value.strip() not in SEMEVAL_LABELS:
            raise DataError(f"{label_file}:{number}: label {value!r}; expected 0, 1 or 2")
        labels.append(SEMEVAL_LABELS[value.strip()])
    return LabeledData(texts, labels, [f"{target}-{split}-{i}" for i in range(len(texts))], "stance")


def f_avg(y_true, y_pred) -> float:
    """SemEval-2016's F-avg: the mean of the F1 of favor (cooperative) and against (critical)."""
    from sklearn.metrics import f1_score

    scores = f1_score(list(y_true), list(y_pred), labels=["cooperative", "critical"], average=None, zero_division=0)
    return float(scores.mean())
