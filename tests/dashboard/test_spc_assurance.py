"""dashboard.spc: assurance against a target, and its labels."""

from __future__ import annotations

import pytest

from dashboard.spc import (
    analyse,
)
from tests.dashboard.spc_series import STEADY

# --- assurance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("higher", 4, "consistently_pass"),
        ("higher", 10, "hit_and_miss"),
        ("higher", 15, "hit_and_miss"),
        ("higher", 16, "consistently_fail"),
        ("lower", 16, "consistently_pass"),
        ("lower", 10, "hit_and_miss"),
        ("lower", 5, "hit_and_miss"),
        ("lower", 4, "consistently_fail"),
        ("higher", None, "no_target"),
        ("lower", None, "no_target"),
    ],
)
def test_assurance_against_target(direction: str, target: float | None, assurance: str) -> None:
    # STEADY has limits 4.68 and 15.32.
    assert analyse(STEADY, direction=direction, target=target).assurance == assurance


@pytest.mark.parametrize("target", [4, 10, 16, None])
def test_no_better_direction_has_no_assurance_and_no_target(target: float | None) -> None:
    """NHSRplotthedots gives no assurance when the improvement direction is neutral, whatever the
    target (before this change "neither" was treated as "higher is better")."""
    result = analyse(STEADY, direction="neither", target=target)
    assert result.assurance == "not_applicable"
    assert result.assurance_label == "No assurance: neither direction is better"
    assert result.target is None


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("higher", 5, "hit_and_miss"),
        ("higher", 4.99, "consistently_pass"),
        ("higher", 5.01, "consistently_fail"),
        ("lower", 5, "hit_and_miss"),
        ("lower", 5.01, "consistently_pass"),
        ("lower", 4.99, "consistently_fail"),
    ],
)
def test_assurance_with_target_on_the_limits(direction: str, target: float, assurance: str) -> None:
    """A constant series has both limits at 5. The comparisons are strict (NHSRplotthedots'
    ptd_calculate_assurance_type: target > upper limit or target < lower limit), so a target
    exactly on a limit is hit and miss (before this change, ">=" made it "consistently
    passes")."""
    assert analyse([5] * 12, direction=direction, target=target).assurance == assurance


@pytest.mark.parametrize(
    ("assurance", "label"),
    [
        ("consistently_pass", "Consistently meets target"),
        ("consistently_fail", "Consistently misses target"),
        ("hit_and_miss", "Hit and miss against target"),
        ("no_target", "No target set"),
    ],
)
def test_assurance_labels(assurance: str, label: str) -> None:
    target = {"consistently_pass": 4, "consistently_fail": 16, "hit_and_miss": 10}.get(assurance)
    result = analyse(STEADY, direction="higher", target=target)
    assert result.assurance == assurance
    assert result.assurance_label == label
