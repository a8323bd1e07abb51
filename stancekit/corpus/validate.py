"""Check a corpus in the stancekit JSONL format and report its coverage.

Used on the bundled corpus by the tests and by ``stancekit validate``; works on a
user's own corpus in the same format.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, median

from stancekit.codes import code_kind, state_regions
from stancekit.errors import DataError
from stancekit.labels import ISSUES, STANCES
from stancekit.loaders import iter_jsonl

NEAR_DUPLICATE_COSINE = 0.8
MAX_ERRORS_SHOWN = 20
REQUIRED_FIELDS = {"id": str, "article_id": str, "text": str, "stance": str, "issues": list, "actors": list}
# What the bundled corpus promises (see data/README.md).
TARGETS = {
    "articles": 180,
    "sentences": 3000,
    "states": 70,
    "igos": 8,
    "sentences_per_issue": 120,
    "min_stance_share": 0.20,
    "sentences_per_article": (8, 25),
    "words_per_sentence": (5, 60),
    "max_near_duplicate_share": 0.01,
}


@dataclass
class ValidationReport:
    files: list[str]
    errors: list[str] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    near_duplicate_share: float = 0.0
    near_duplicate_examples: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> None:
        if self.errors:
            shown = "\n".join(self.errors[:MAX_ERRORS_SHOWN])
            more = len(self.errors) - MAX_ERRORS_SHOWN
            raise DataError(f"{len(self.errors)} problem(s):\n{shown}" + (f"\n… and {more} more" if more > 0 else ""))

    # ----- statistics -------------------------------------------------------------
    def stats(self) -> dict:
        records = self.records
        n = len(records)
        per_article = Counter(r["article_id"] for r in records)
        words = [len(r["text"].split()) for r in records]
        codes = Counter(a["code"] for r in records for a in r["actors"])
        states = {c for c in codes if code_kind(c) == "state"}
        regions = Counter(state_regions()[c] for c in states)
        region_sentences = Counter(
            state_regions()[c] for r in records for c in {a["code"] for a in r["actors"]} if c in states
        )
        return {
            "articles": len(per_article),
            "sentences": n,
            "sentences_per_article": (min(per_article.values(), default=0), max(per_article.values(), default=0)),
            "stances": Counter(r["stance"] for r in records),
            "issues": Counter(i for r in records for i in r["issues"]),
            "states": states,
            "igos": {c for c in codes if code_kind(c) == "igo"},
            "regions": regions,
            "region_sentences": region_sentences,
            "words": (min(words, default=0), median(words) if words else 0, mean(words) if words else 0, max(words, default=0)),
            "splits": {
                split: Counter(r["stance"] for r in records if r.get("split") == split)
                for split in [sp for sp in ("train", "dev", "test", None) if any(r.get("split") == sp for r in records) and sp]
            },
            "split_issues": {
                split: Counter(i for r in records if r.get("split") == split for i in r["issues"])
                for split in [sp for sp in ("train", "dev", "test", None) if any(r.get("split") == sp for r in records) and sp]
            },
            "top_codes": codes.most_common(15),
            "with_source": sum(r.get("source") is not None for r in records),
            "with_target": sum(r.get("target") is not None for r in records),
            "multi_actor": sum(len({a["code"] for a in r["actors"]}) >= 3 for r in records),
        }

    def target_checks(self) -> list[tuple[str, str, bool]]:
        """(requirement, measured value, met?) for each corpus target."""
        s = self.stats()
        n = max(s["sentences"], 1)
        lo, hi = TARGETS["sentences_per_article"]
        wlo, whi = TARGETS["words_per_sentence"]
        checks = [
            (f"articles >= {TARGETS['articles']}", str(s["articles"]), s["articles"] >= TARGETS["articles"]),
            (f"sentences >= {TARGETS['sentences']}", str(s["sentences"]), s["sentences"] >= TARGETS["sentences"]),
            (f"sentences per article in {lo}-{hi}", "%d-%d" % s["sentences_per_article"],
             lo <= s["sentences_per_article"][0] and s["sentences_per_article"][1] <= hi),
            (f"states >= {TARGETS['states']}", str(len(s["states"])), len(s["states"]) >= TARGETS["states"]),
            ("every region has states", f"{len(s['regions'])} of {len(set(state_regions().values()))}",
             len(s["regions"]) == len(set(state_regions().values()))),
            (f"IGOs >= {TARGETS['igos']}", str(len(s["igos"])), len(s["igos"]) >= TARGETS["igos"]),
            (f"every issue on >= {TARGETS['sentences_per_issue']} sentences",
             f"min {min(s['issues'].get(i, 0) for i in ISSUES)}",
             all(s["issues"].get(i, 0) >= TARGETS["sentences_per_issue"] for i in ISSUES)),
            (f"every stance >= {TARGETS['min_stance_share']:.0%}",
             f"min {min(s['stances'].get(l, 0) for l in STANCES) / n:.1%}",
             all(s["stances"].get(l, 0) / n >= TARGETS["min_stance_share"] for l in STANCES)),
            (f"words per sentence in {wlo}-{whi}", f"{s['words'][0]}-{s['words'][3]}",
             wlo <= s["words"][0] and s["words"][3] <= whi),
            (f"near-duplicate share < {TARGETS['max_near_duplicate_share']:.0%}",
             f"{self.near_duplicate_share:.2%}", self.near_duplicate_share < TARGETS["max_near_duplicate_share"]),
        ]
        if s["splits"]:
            covered = all(
                all(s["splits"][sp].get(l, 0) > 0 for l in STANCES) and all(s["split_issues"][sp].get(i, 0) > 0 for i in ISSUES)
                for sp in s["splits"]
            )
            checks.append(("each split covers every stance and issue", ", ".join(s["splits"]), covered))
        return checks

    def table(self) -> str:
        """The coverage statistics and target checks as plain-text tables."""
        s = self.stats()
        n = max(s["sentences"], 1)
        out = [f"files: {', '.join(self.files)}",
               f"{s['articles']} articles, {s['sentences']} sentences "
               f"({s['sentences_per_article'][0]}-{s['sentences_per_article'][1]} per article); "
               "words per sentence min %d, median %.0f, mean %.1f, max %d" % s["words"], "",
               f"{'stance':<14}{'sentences':>10}{'share':>8}" + "".join(f"{sp:>8}" for sp in s["splits"])]
        for label in STANCES:
            out.append(f"{label:<14}{s['stances'].get(label, 0):>10}{s['stances'].get(label, 0) / n:>8.1%}"
                       + "".join(f"{s['splits'][sp].get(label, 0):>8}" for sp in s["splits"]))
        out += ["", f"{'issue':<14}{'sentences':>10}" + "".join(f"{sp:>8}" for sp in s["splits"])]
        for issue in ISSUES:
            out.append(f"{issue:<14}{s['issues'].get(issue, 0):>10}"
                       + "".join(f"{s['split_issues'][sp].get(issue, 0):>8}" for sp in s["splits"]))
        out += ["", f"{'region':<28}{'states':>7}{'sentences':>10}"]
        for region in sorted(set(state_regions().values())):
            out.append(f"{region:<28}{s['regions'].get(region, 0):>7}{s['region_sentences'].get(region, 0):>10}")
        out += ["", f"{len(s['states'])} states, {len(s['igos'])} IGOs ({', '.join(sorted(s['igos']))})",
                "most mentioned: " + ", ".join(f"{c} {k}" for c, k in s["top_codes"]),
                f"sentences with a source {s['with_source']}, with a target {s['with_target']}, "
                f"with 3+ actors {s['multi_actor']}",
                f"near-duplicate sentences (TF-IDF cosine > {NEAR_DUPLICATE_COSINE}, actor names masked): "
                f"{self.near_duplicate_share:.2%}", "", f"{'target':<48}{'measured':>14}  met"]
        for name, value, met in self.target_checks():
            out.append(f"{name:<48}{value:>14}  {'yes' if met else 'NO'}")
        return "\n".join(out)


def _check_record(record: dict, where: str, errors: list[str]) -> None:
    for name, kind in REQUIRED_FIELDS.items():
        if name not in record:
            errors.append(f"{where}: missing field {name!r}")
            return
        if not isinstance(record[name], kind):
            errors.append(f"{where}: field {name!r} must be {kind.__name__}, got {type(record[name]).__name__}")
            return
    if record["stance"] not in STANCES:
        errors.append(f"{where}: field 'stance' has {record['stance']!r}; allowed: {', '.join(STANCES)}")
    for issue in record["issues"]:
        if issue not in ISSUES:
            errors.append(f"{where}: field 'issues' has {issue!r}; allowed: {', '.join(ISSUES)}")
    text = record["text"]
    if not text.strip():
        errors.append(f"{where}: field 'text' is empty")
    codes = set()
    for k, actor in enumerate(record["actors"]):
        try:
            start, end, mention, code = actor["start"], actor["end"], actor["text"], actor["code"]
        except (KeyError, TypeError):
            errors.append(f"{where}: actors[{k}] needs start, end, text and code")
            continue
        if text[start:end] != mention:
            errors.append(f"{where}: actors[{k}] offsets {start}-{end} give {text[start:end]!r}, not {mention!r}")
        if code_kind(code) is None:
            errors.append(f"{where}: actors[{k}] has unknown code {code!r} (ISO alpha-3 or an IGO code from igos.tsv)")
        codes.add(code)
    for role in ("source", "target"):
        value = record.get(role)
        if value is not None and (not isinstance(value, str) or code_kind(value) is None):
            errors.append(f"{where}: field {role!r} has unknown code {value!r}")
    if record.get("source") is not None and record.get("source") == record.get("target"):
        errors.append(f"{where}: source and target are both {record['source']!r}")


def near_duplicates(records: list[dict]) -> tuple[float, list[tuple[str, str, float]]]:
    """Share of sentences with a neighbour above the cosine threshold, plus examples.

    Actor mentions are masked first, so a sentence reused with other names counts.
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(records) < 2:
        return 0.0, []
    texts = []
    for r in records:
        text = r["text"]
        for a in sorted(r["actors"], key=lambda a: -a["start"]):
            text = text[: a["start"]] + " actorx " + text[a["end"]:]
        texts.append(re.sub(r"\d+", " numx ", text))
    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    flagged = np.zeros(len(texts), dtype=bool)
    examples = []
    for start in range(0, len(texts), 512):
        block = (matrix[start:start + 512] @ matrix.T).toarray()
        for i in range(block.shape[0]):
            block[i, start + i] = 0.0
        rows, cols = np.nonzero(block > NEAR_DUPLICATE_COSINE)
        for i, j in zip(rows, cols):
            flagged[start + i] = True
            if start + i < j and len(examples) < 20:
                examples.append((records[start + i]["id"], records[j]["id"], float(block[i, j])))
    return float(flagged.mean()), examples


def validate_corpus(path: str | Path | None = None) -> ValidationReport:
    """Validate a corpus folder (``train/dev/test.jsonl``) or one JSONL file.

    With no path, validates the bundled corpus. Problems are collected in
    ``report.errors`` (each naming file, line and field); ``report.table()`` gives
    the coverage statistics and the corpus targets.
    """
    from stancekit.corpus.build import SPLITS
    from stancekit.corpus.load import corpus_dir

    path = Path(path) if path is not None else corpus_dir()
    if path.is_dir():
        files = [(path / f"{s}.jsonl", s) for s in SPLITS if (path / f"{s}.jsonl").exists()]
        if not files:
            raise FileNotFoundError(f"{path} holds none of {', '.join(s + '.jsonl' for s in SPLITS)}")
    elif path.exists():
        files = [(path, None)]
    else:
        raise FileNotFoundError(f"no such corpus file or folder: {path}")
    report = ValidationReport([str(f) for f, _ in files])
    ids: dict[str, str] = {}
    article_split: dict[str, str] = {}
    text_split: dict[str, str] = {}
    for file, split in files:
        try:
            for number, record in iter_jsonl(file):
                where = f"{file}:{number}"
                before = len(report.errors)
                _check_record(record, where, report.errors)
                if len(report.errors) > before and any(e.startswith(f"{where}: missing") or "must be" in e for e in report.errors[before:]):
                    continue
                if record["id"] in ids:
                    report.errors.append(f"{where}: field 'id' {record['id']!r} also at {ids[record['id']]}")
                ids[record["id"]] = where
                if split is not None:
                    other = article_split.setdefault(record["article_id"], split)
                    if other != split:
                        report.errors.append(f"{where}: article {record['article_id']} is in both {other} and {split}")
                    key = " ".join(record["text"].lower().split())
                    other = text_split.setdefault(key, split)
                    if other != split:
                        report.errors.append(f"{where}: the same sentence text is in both {other} and {split}")
                report.records.append({**record, "split": split})
        except DataError as exc:
            report.errors.append(str(exc))
    report.near_duplicate_share, report.near_duplicate_examples = near_duplicates(report.records)
    return report
