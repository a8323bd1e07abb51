import os
from pathlib import Path

import pytest

# Default models trained during the tests go to a throwaway cache, never the user's.
os.environ.setdefault("STANCEKIT_CACHE_DIR", str(Path(__file__).parent / ".cache-stancekit"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATASETS = REPO.parent / "shared" / "datasets"

# Small hand-written training sets: enough words shared between sentences of a
# class that every model can fit them.
TINY_STANCE = [
    ("Ministers signed a trade pact and praised the new partnership.", "cooperative"),
    ("The two governments agreed to lift sanctions and reopen the border.", "cooperative"),
    ("Officials welcomed the accord and pledged joint patrols.", "cooperative"),
    ("The president thanked allies for aid and backed the ceasefire.", "cooperative"),
    ("Leaders hailed a historic agreement on energy cooperation.", "cooperative"),
    ("The ministry condemned the strikes and expelled the ambassador.", "critical"),
    ("Officials accused the government of violating the truce.", "critical"),
    ("The cabinet imposed sanctions and threatened retaliation.", "critical"),
    ("Protesters clashed with police after the bombing.", "critical"),
    ("The envoy denounced the blockade as reckless aggression.", "critical"),
    ("The talks are scheduled for Thursday in Geneva.", "neutral"),
    ("The report lists exports of grain and copper for last year.", "neutral"),
    ("The committee will meet again in March to review figures.", "neutral"),
    ("The agency published its annual survey on Tuesday.", "neutral"),
    ("The delegation arrived in the capital on Monday evening.", "neutral"),
]
TINY_ISSUES = [
    ("Tariffs on steel exports were cut under the trade deal.", ["trade"]),
    ("Exporters welcomed lower tariffs on grain trade.", ["trade"]),
    ("The trade ministry reviewed import quotas.", ["trade"]),
    ("Troops and artillery moved to the border after the attack.", ["security"]),
    ("The army reported a militant attack near the border.", ["security"]),
    ("Soldiers began joint security patrols.", ["security"]),
    ("Troops guarded the pipeline after the attack on gas supplies.", ["security", "energy"]),
    ("Gas pipeline deliveries resumed and oil prices fell.", ["energy"]),
    ("The gas and oil ministry signed a pipeline contract.", ["energy"]),
    ("Ambassadors met at the summit for talks.", ["diplomacy"]),
    ("The summit talks ended with a joint statement by ambassadors.", ["diplomacy"]),
]
ALL_ISSUES_TINY = [
    (f"Sentence number {i} about {issue.replace('_', ' ')} matters {issue}.", [issue])
    for i in range(3) for issue in (
        "diplomacy", "security", "drugs", "trade", "energy", "climate",
        "human_rights", "migration", "health", "development")
]


@pytest.fixture
def tiny_stance():
    texts, labels = zip(*TINY_STANCE)
    return list(texts), list(labels)


@pytest.fixture
def tiny_issues():
    texts, labels = zip(*ALL_ISSUES_TINY)
    return list(texts), [list(l) for l in labels]


@pytest.fixture(scope="session")
def default_models():
    import stancekit

    return stancekit.load()
