"""A tiny random BERT (hidden size 32, 2 layers) saved to a folder: an offline backbone
for fast tests of the transformer models."""

import re
from pathlib import Path

import pytest

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_tiny_bert(folder: Path, texts) -> str:
    """Save a random BertModel and a BertTokenizer knowing every word of ``texts``."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    words = sorted({w for text in texts for w in re.findall(r"\w+|[^\w\s]", text.lower())})
    vocab = {token: i for i, token in enumerate(SPECIAL + words)}
    # transformers 5: build from the vocab dict (a vocab_file argument was seen to
    # map every token to [UNK]).
    tokenizer = BertTokenizer(vocab=vocab)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=37, max_position_embeddings=128)
    torch.manual_seed(0)
    BertModel(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return str(folder)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny-model tests run torch on one thread: the work is smaller than the cost of
    waking a second thread, and on a busy machine two threads can be far slower."""
    from stancekit.models import torch_utils

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(torch_utils, "available_cpus", lambda: 1)
        yield
