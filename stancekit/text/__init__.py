"""Text processing: sentence splitting and the diplomatic cue lexicon."""
