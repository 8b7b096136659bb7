"""The typo guard: worked cases of store.plausible.plausibility_warning."""

from __future__ import annotations

import pytest

from store.config import DecisionConfig
from store.model import BUILTIN_MEASURES
from store.plausible import plausibility_warning

M = {m.code: m for m in BUILTIN_MEASURES}


def test_far_below_the_last_three_warns_with_the_range() -> None:
    assert (
        plausibility_warning(M["MCOMP"], 2, [14, 15, 13], "Aiyana")
        == "2 is far below Aiyana's last scores (13–15)"
    )


def test_far_above_warns() -> None:
    assert (
        plausibility_warning(M["ORF"], 140, [61, 64, 60, 62], "Kai")
        == "140 is far above Kai's last scores (60–64)"
    )


@pytest.mark.parametrize(
    ("code", "value", "recent"),
    [
        ("MCOMP", 16, [14, 15, 13]),  # normal growth
        ("MCOMP", 8, [14, 15, 13]),  # a bad day, within the floor
        ("ORF", 90, [60, 62, 64]),  # big but possible
        ("ORF", 2, [1, 0, 2]),  # near zero: the floor keeps this quiet
        ("DBR", 5, [8, 9, 8]),  # ratings vary: 0–10 not nagged
        ("DBR-DB", 4, [1, 2, 1]),  # lower is better, still normal variation
        ("CICO", 55, [80, 85, 90]),  # a 0–100 % card
        ("CICO", 50, [20, 30, 25]),
    ],
)
def test_normal_variation_is_quiet(code: str, value: float, recent: list[float]) -> None:
    assert plausibility_warning(M[code], value, recent, "Ava") is None


def test_behaviour_measures_still_catch_real_outliers() -> None:
    assert plausibility_warning(M["DBR"], 1, [8, 9, 8], "Ava") is not None
    assert plausibility_warning(M["CICO"], 5, [80, 85, 90], "Ava") is not None


def test_too_few_scores_say_nothing() -> None:
    assert plausibility_warning(M["MCOMP"], 2, [14, 15], "Aiyana") is None
    assert plausibility_warning(M["MCOMP"], 2, [], "Aiyana") is None


def test_jump_is_the_setting() -> None:
    default = DecisionConfig().plausibility_jump
    assert default == 0.5
    assert plausibility_warning(M["ORF"], 100, [60, 62, 64], "Ava", jump=default) is not None
    assert plausibility_warning(M["ORF"], 100, [60, 62, 64], "Ava", jump=1.0) is None


def test_names_ending_in_s_and_a_flat_range() -> None:
    assert (
        plausibility_warning(M["ORF"], 150, [60, 60, 60], "Carlos")
        == "150 is far above Carlos' last scores (60)"
    )
