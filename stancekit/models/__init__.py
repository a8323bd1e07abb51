"""Classifiers that share one protocol: fit / predict / predict_proba / classes_ / save / load."""

# The fixed list of classes a model folder may name, as import paths so that
# reading this dict imports nothing heavy.
MODEL_CLASSES = {
    "LexiconClassifier": "stancekit.models.lexicon:LexiconClassifier",
    "TfidfClassifier": "stancekit.models.tfidf:TfidfClassifier",
    "IssueClassifier": "stancekit.models.issues:IssueClassifier",
    "TransformerClassifier": "stancekit.models.transformer:TransformerClassifier",
    "EmbeddingClassifier": "stancekit.models.embedding:EmbeddingClassifier",
}

# Short names used by the CLI and the benchmarks.
MODEL_NAMES = {
    "lexicon": "LexiconClassifier",
    "tfidf": "TfidfClassifier",
    "transformer": "TransformerClassifier",
    "embedding": "EmbeddingClassifier",
}


def model_class(name: str):
    """Return the class for a class name or a short name ("tfidf")."""
    import importlib

    class_name = MODEL_NAMES.get(name, name)
    if class_name not in MODEL_CLASSES:
        known = sorted(set(MODEL_NAMES) | set(MODEL_CLASSES))
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(known)}")
    module, attr = MODEL_CLASSES[class_name].split(":")
    return getattr(importlib.import_module(module), attr)
