"""Low-rank adapters (LoRA) for the linear layers of a transformer encoder.

With adapters, fine-tuning trains two small matrices per linear layer, ``A`` (rank x
in) and ``B`` (out x rank), and keeps the pretrained weight ``W`` fixed; the layer
computes ``W x + scale * B A x``. Only the adapters and the head need saving: about a
megabyte for MiniLM instead of 90, small enough to ship a trained model inside the
package. For prediction the adapters are merged into ``W`` (``W + scale * B A``), so
an adapted model runs exactly as fast as a fully fine-tuned one.

torch is imported inside the functions, so importing this module stays light.
"""

from __future__ import annotations

import math

from stancekit.models.torch_utils import encoder_layers, require_torch

PREFIX = "lora_"


def _layers(encoder):
    return encoder_layers(encoder, "adapter_rank")[1]


def _lora_linear_class():
    torch = require_torch()

    class LoRALinear(torch.nn.Module):
        """A frozen ``nn.Linear`` plus a trainable low-rank update."""

        def __init__(self, base, rank: int, alpha: float):
            super().__init__()
            self.base = base
            self.scale = alpha / rank
            self.lora_a = torch.nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            # B = 0: the adapted layer starts as the pretrained one.
            torch.nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

        def forward(self, x):
            return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

        def merged(self):
            with torch.no_grad():
                linear = torch.nn.Linear(self.base.in_features, self.base.out_features,
                                         bias=self.base.bias is not None)
                linear.weight.copy_(self.base.weight + self.scale * (self.lora_b @ self.lora_a))
                if self.base.bias is not None:
                    linear.bias.copy_(self.base.bias)
            return linear

    return LoRALinear


def add_adapters(encoder, rank: int, alpha: float | None = None) -> None:
    """Wrap every ``nn.Linear`` inside the encoder's transformer layers in a LoRA
    adapter, in place, and freeze every other encoder parameter."""
    torch = require_torch()
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise ValueError(f"adapter_rank must be None or a positive int (e.g. 8), got {rank!r}")
    lora_linear = _lora_linear_class()
    for param in encoder.parameters():
        param.requires_grad_(False)
    for layer in _layers(encoder):
        for parent in list(layer.modules()):
            for name, child in list(parent.named_children()):
                if isinstance(child, torch.nn.Linear):
                    setattr(parent, name, lora_linear(child, rank, float(alpha if alpha is not None else 2 * rank)))


def merge_adapters(encoder) -> None:
    """Fold every adapter into its linear layer, in place (plain ``nn.Linear`` again)."""
    for layer in _layers(encoder):
        for parent in list(layer.modules()):
            for name, child in list(parent.named_children()):
                if hasattr(child, "merged") and hasattr(child, "lora_a"):
                    setattr(parent, name, child.merged())


def adapter_state(net) -> dict:
    """The tensors an adapted model saves: the adapters and the head."""
    return {name: tensor.detach().clone().contiguous() for name, tensor in net.state_dict().items()
            if PREFIX in name or name.startswith("head.")}
