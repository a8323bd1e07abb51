"""Exceptions with messages that say what is wrong and how to fix it."""


class StancekitError(Exception):
    """Base class of every error stancekit raises on purpose."""


class DataError(StancekitError, ValueError):
    """Labeled or unlabeled input data is malformed.

    The message names the source (file and line, or row) and the field.
    """


class NotFittedError(StancekitError, ValueError, AttributeError):
    """A model was used before ``fit`` or ``load``.

    Subclasses ``AttributeError`` as scikit-learn's own ``NotFittedError`` does.
    """


class ModelFileError(StancekitError, OSError):
    """A model folder is missing, incomplete, tampered with or of an unknown kind."""


class MissingExtraError(StancekitError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


def require(module: str, extra: str):
    """Import ``module`` or raise :class:`MissingExtraError` naming the pip extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module!r} is not installed; it comes with the {extra!r} extra: "
            f"pip install 'stancekit[{extra}]'"
        ) from exc
