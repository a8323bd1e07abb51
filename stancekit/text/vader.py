"""One shared VADER analyzer, built on first use (it reads its lexicon file)."""

from functools import lru_cache


@lru_cache(maxsize=1)
def vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()
