"""Save and load model folders: ``config.json`` plus weight files, never pickle.

A folder is written to a temporary sibling and renamed into place, so an
interrupted save leaves the previous model (or nothing) behind, never half a model.
Every weight file's SHA-256 is recorded in the config and checked on load, and a
folder holding files the config does not list is refused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from stancekit.errors import ModelFileError

CONFIG_NAME = "config.json"
FORMAT_VERSION = 1


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def save_model(model, path: str | Path) -> Path:
    """Write ``model`` to the folder ``path`` atomically and return the path."""
    from stancekit import __version__

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        extra = model._write_weights(tmp) or {}
        files = {p.name: sha256_file(p) for p in sorted(tmp.iterdir()) if p.is_file()}
        config = {
            "stancekit_model": type(model).__name__,
            "format_version": FORMAT_VERSION,
            "stancekit_version": __version__,
            "task": model.task,
            "params": _jsonable(model.get_params(deep=False)),
            "classes": [str(c) for c in model.classes_],
            "training_fingerprint": getattr(model, "training_fingerprint_", None),
            "files": files,
            **extra,
        }
        (tmp / CONFIG_NAME).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
        _replace_dir(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _replace_dir(new: Path, path: Path) -> None:
    if not path.exists():
        new.rename(path)
        return
    if not (path / CONFIG_NAME).exists() and any(path.iterdir()):
        raise ModelFileError(
            f"{path} exists and is not a stancekit model folder; choose another path"
        )
    old = path.with_name(f".{path.name}.old-{new.name.rsplit('-', 1)[-1]}")
    path.rename(old)
    new.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def read_config(path: str | Path) -> dict:
    """Read and check a model folder's config; verify its files' checksums."""
    from stancekit import __version__
    from stancekit.models import MODEL_CLASSES

    path = Path(path)
    config_path = path / CONFIG_NAME
    if not path.is_dir():
        raise ModelFileError(f"{path} is not a model folder (train one with `stancekit train`)")
    if not config_path.exists():
        raise ModelFileError(f"{path} has no {CONFIG_NAME}; it is not a stancekit model folder")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{config_path} is not valid JSON: {exc}") from None
    name = config.get("stancekit_model")
    if name not in MODEL_CLASSES:
        raise ModelFileError(
            f"{config_path} names model class {name!r}, which is not one of "
            f"{', '.join(MODEL_CLASSES)}; it was not written by this stancekit"
        )
    if config.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{config_path} has format_version {config.get('format_version')!r}; this "
            f"stancekit reads version {FORMAT_VERSION}"
        )
    if config.get("stancekit_version") != __version__:
        warnings.warn(
            f"{path} was saved by stancekit {config.get('stancekit_version')}, this is "
            f"{__version__}; check its predictions before relying on them",
            stacklevel=3,
        )
    files = config.get("files", {})
    present = {p.name for p in path.iterdir()} - {CONFIG_NAME}
    unexpected = sorted(present - set(files))
    if unexpected:
        raise ModelFileError(
            f"{path} holds files its config does not list: {', '.join(unexpected)}; "
            f"refusing to load a folder that may have been tampered with"
        )
    for file_name, digest in files.items():
        file_path = path / file_name
        if not file_path.exists():
            raise ModelFileError(f"{path} is incomplete: {file_name} is missing")
        if sha256_file(file_path) != digest:
            raise ModelFileError(
                f"{file_path} does not match the checksum in {CONFIG_NAME}: it is "
                f"truncated or was modified; re-save or re-train the model"
            )
    return config


def params_from_config(config: dict) -> dict:
    """Constructor arguments from a config (JSON lists back to tuples)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in config["params"].items()}


def load_model(path: str | Path):
    """Load any stancekit model folder, whatever its class."""
    from stancekit.models import model_class

    config = read_config(path)
    cls = model_class(config["stancekit_model"])
    return cls._from_folder(Path(path), config)


def save_sklearn(estimator, path: Path) -> None:
    """Save a scikit-learn estimator with skops (no pickle)."""
    import skops.io as sio

    sio.dump(estimator, path)


def load_sklearn(path: Path):
    """Load a skops file, refusing any type skops does not trust by default."""
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
        if untrusted:
            raise ModelFileError(
                f"{path} contains types stancekit does not load: {', '.join(untrusted)}"
            )
        return sio.load(path)
    except ModelFileError:
        raise
    except Exception as exc:  # skops raises several kinds on a damaged file
        raise ModelFileError(f"{path} could not be read: {exc}") from None
