"""The fixed label sets shared by the corpus, the models and the CLI."""

STANCES = ("cooperative", "critical", "neutral")
ISSUES = (
    "diplomacy",
    "security",
    "drugs",
    "trade",
    "energy",
    "climate",
    "human_rights",
    "migration",
    "health",
    "development",
)
