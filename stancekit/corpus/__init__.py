"""The bundled corpus: its authoring format, builder, loader and validator."""
