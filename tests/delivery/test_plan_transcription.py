"""The SYB delivery plan seed data is a word-for-word transcription of seed 000, appendix 1.

Runs without Django: it only reads the JSON file and the source document.
"""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLAN_JSON = REPO / "delivery" / "seed_data" / "syb_delivery_plan.json"
SEED = REPO.parent / "shared" / "seeds" / "000_53179065aeb8b95d.txt"

THEME_NAMES = [
    "Value",
    "Health & Wellbeing",
    "Quality Evidence Based Care",
    "Excellence Through Leadership",
    "Workforce for the Future",
]


def collapse(text):
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def plan():
    with PLAN_JSON.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def seed_text():
    if not SEED.exists():
        pytest.skip(f"seed document not available: {SEED}")
    return collapse(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def appendix_1(seed_text):
    start = seed_text.index("Appendix 1")
    end = seed_text.index("Appendix 2", start)
    return seed_text[start:end]


def all_texts(plan):
    for theme in plan["themes"]:
        for action in theme["actions"]:
            yield action["text"]
            for measure in action["measures_of_success"]:
                yield measure["text"]


def test_shape(plan):
    assert plan["source"] == "seed 000 appendix 1"
    assert plan["title"] == "Delivering the Plan - Areas for Consideration"
    assert "notes" in plan
    assert [t["number"] for t in plan["themes"]] == [1, 2, 3, 4, 5]
    for theme in plan["themes"]:
        assert theme["actions"], theme["name"]
        for action in theme["actions"]:
            assert action["text"].strip()
            assert action["measures_of_success"], action["text"]
            for measure in action["measures_of_success"]:
                assert measure["text"].strip()


def test_five_themes_with_exact_names(plan, seed_text):
    assert [t["name"] for t in plan["themes"]] == THEME_NAMES
    for name in THEME_NAMES:
        assert name in seed_text


def test_counts(plan):
    actions = [len(t["actions"]) for t in plan["themes"]]
    measures = [sum(len(a["measures_of_success"]) for a in t["actions"]) for t in plan["themes"]]
    assert actions == [5, 4, 5, 7, 5]
    assert measures == [5, 4, 5, 8, 10]


def test_every_text_is_verbatim_in_seed(plan, seed_text):
    missing = [t for t in all_texts(plan) if collapse(t) not in seed_text]
    assert not missing, missing


def test_texts_follow_seed_order_within_appendix(plan, appendix_1):
    """Each action is followed by its own measures, in the order the appendix gives them.

    Searching forward from a cursor means a measure attached to the wrong action (or a theme in
    the wrong place) fails here even though its text exists somewhere in the seed.
    """
    cursor = 0
    for theme in plan["themes"]:
        pos = appendix_1.find(theme["name"], cursor)
        assert pos >= 0, f"theme out of order: {theme['name']}"
        cursor = pos + len(theme["name"])
        for text in (
            t
            for action in theme["actions"]
            for t in [action["text"]] + [m["text"] for m in action["measures_of_success"]]
        ):
            pos = appendix_1.find(collapse(text), cursor)
            assert pos >= 0, f"out of order or missing: {text}"
            cursor = pos + len(collapse(text))
