"""stancekit: who acts toward whom, about which issue, and how, in diplomatic news.

Importing stancekit is cheap: the names below are loaded on first use.

Examples
--------
>>> import stancekit
>>> table = stancekit.analyze(open("article.txt").read())  # doctest: +SKIP
"""

from importlib import import_module

from stancekit.labels import ISSUES, STANCES

__version__ = "0.1.0"

_LAZY = {
    "analyze": "stancekit.pipeline",
    "classify": "stancekit.pipeline",
    "classify_file": "stancekit.stream",
    "classify_dataset": "stancekit.dataset",
    "classify_shards": "stancekit.cluster",
    "load": "stancekit.defaults",
    "Models": "stancekit.defaults",
    "load_model": "stancekit.models.persist",
    "load_corpus": "stancekit.corpus.load",
    "load_articles": "stancekit.corpus.load",
    "validate_corpus": "stancekit.corpus.validate",
    "load_labeled": "stancekit.loaders",
    "LabeledData": "stancekit.loaders",
    "split_sentences": "stancekit.text.sentences",
    "LexiconClassifier": "stancekit.models.lexicon",
    "TfidfClassifier": "stancekit.models.tfidf",
    "IssueClassifier": "stancekit.models.issues",
    "TransformerClassifier": "stancekit.models.transformer",
    "EmbeddingClassifier": "stancekit.models.embedding",
    "train_model": "stancekit.training",
    "evaluate_model": "stancekit.training",
    "evaluate": "stancekit.metrics",
    "stance_report": "stancekit.metrics",
    "issue_report": "stancekit.metrics",
    "DataError": "stancekit.errors",
    "ModelFileError": "stancekit.errors",
    "NotFittedError": "stancekit.errors",
    "MissingExtraError": "stancekit.errors",
}

__all__ = ["STANCES", "ISSUES", "__version__", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'stancekit' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
