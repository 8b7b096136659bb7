"""Goal setting in weeks of school and in the measure's direction (issue 12, items 8 and 11).

Every expected value is worked out by hand in the comments, from the published rule (Fuchs et
al. 1993 growth, DOMAIN.md goal and gap analysis), not by calling the code under test.
"""

from __future__ import annotations

from datetime import date

import pytest

from store.goals import (
    current_level,
    gap,
    gap_analysis,
    goal_from_benchmark,
    goal_from_growth,
    goal_from_multiplier,
    goal_from_rate,
    goal_statement,
    higher_is_better_of,
    is_significant_gap,
    norm_season,
    weeks_to_goal,
)
from store.model import BUILTIN_MEASURES, NoSchool, SchoolCalendar
from store.school_weeks import break_weeks, school_weeks, school_weeks_between

MEASURES = {m.code: m for m in BUILTIN_MEASURES}
ORF, DBR_DB, CICO = MEASURES["ORF"], MEASURES["DBR-DB"], MEASURES["CICO"]
# 2026–27: winter break Mon Dec 21 – Fri Jan 1 (two whole weeks), Thanksgiving Thu–Fri only.
CALENDAR = SchoolCalendar(
    date(2026, 8, 24),
    date(2027, 6, 11),
    [
        NoSchool(date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving"),
        NoSchool(date(2026, 12, 21), date(2027, 1, 1), "Winter break"),
    ],
)


# --------------------------------------------------------------------------- weeks of school
def test_break_weeks_are_the_whole_no_school_weeks() -> None:
    # Dec 21–25 and Dec 28–Jan 1 have no school day; Thanksgiving week keeps Mon–Wed.
    assert break_weeks(CALENDAR) == (date(2026, 12, 21), date(2026, 12, 28))


def test_school_weeks_across_winter_break() -> None:
    # Tue Dec 1 → Tue Jan 26: 56 days = 8 calendar weeks; the two break weeks (14 days) lie
    # wholly inside, so 56 − 14 = 42 days = 6 weeks of school, not 8.
    assert school_weeks(date(2026, 12, 1), date(2027, 1, 26), CALENDAR) == 6
    breaks = break_weeks(CALENDAR)
    assert school_weeks_between(date(2026, 12, 1), date(2027, 1, 26), breaks) == 6
    # No calendar: plain calendar weeks.
    assert school_weeks(date(2026, 12, 1), date(2027, 1, 26)) == 8


def test_fuchs_goal_across_winter_break() -> None:
    # Grade 2 realistic growth 1.5 words/week (Fuchs et al. 1993). Baseline 40 on Dec 1,
    # goal date Jan 26: 6 weeks of school → 40 + 1.5 × 6 = 49 (calendar weeks would give
    # 40 + 1.5 × 8 = 52, a goal the break makes the student miss).
    weeks = school_weeks(date(2026, 12, 1), date(2027, 1, 26), CALENDAR)
    g = goal_from_growth(40, weeks, 2, name="Leo", goal_date=date(2027, 1, 26))
    assert g.value == pytest.approx(49)
    assert g.rate == pytest.approx(1.5) and g.weeks == 6
    assert g.statement == (
        "By January 26, 2027 (6 weeks of school), Leo will read 49 words correct per minute."
    )


def test_dated_goal_statement_exact_text() -> None:
    # Yara, grade 4, ambitious growth 1.1/week (Fuchs et al. 1993). Baseline 70 on Fri Nov 6,
    # goal Fri Mar 19, 2027: 133 days = 19 weeks, less the 2 winter-break weeks = 17 weeks of
    # school. 70 + 1.1 × 17 = 88.7 → saved as 89 (ORF has no decimals).
    end = date(2027, 3, 19)
    weeks = school_weeks(date(2026, 11, 6), end, CALENDAR)
    assert weeks == 17
    g = goal_from_growth(70, weeks, 4, True, name="Yara", measure=ORF, goal_date=end)
    assert g.value == pytest.approx(88.7)
    assert g.value_for(ORF) == 89
    expected = "By March 19, 2027 (17 weeks of school), Yara will read 89 words correct per minute."
    assert g.statement == expected
    assert goal_statement("Yara", ORF, 89, 17, goal_date=end) == expected
    # Without a goal date the old form stays.
    assert (
        goal_statement("Yara", ORF, 89, 17)
        == "In 17 weeks, Yara will read 89 words correct per minute."
    )
    assert goal_statement("Yara", ORF, 89, 17, goal_date=end, school_weeks=False) == (
        "By March 19, 2027 (17 weeks), Yara will read 89 words correct per minute."
    )
    assert goal_statement("Yara", ORF, 89, 1, goal_date=end).startswith(
        "By March 19, 2027 (1 week of school),"
    )


def test_statement_uses_the_saved_clamped_value() -> None:
    # CICO baseline 90 + 1.2 × 12 = 104.4 % — the scale ends at 100, so the goal saved is 100
    # and the statement says 100, not 104.
    g = goal_from_rate(90, 1.2, 12, name="Sam", measure=CICO)
    assert g.value == pytest.approx(104.4)
    assert g.value_for(CICO) == 100
    assert g.statement == "In 12 weeks, Sam will earn 100 % of daily points."


# --------------------------------------------------------------------------- direction
def test_lower_is_better_goal_goes_down() -> None:
    # DBR disruptive behaviour is lower-is-better (DBR-SIS): baseline 6, improving 0.2 a week
    # for 10 weeks → 6 − 0.2 × 10 = 4 (not 6 + 2 = 8); the aim line's slope is −0.2.
    assert not higher_is_better_of(DBR_DB) and not higher_is_better_of("DBR-DB")
    g = goal_from_rate(6, 0.2, 10, name="Mia", measure=DBR_DB)
    assert g.value == pytest.approx(4)
    assert g.rate == pytest.approx(-0.2)
    assert g.statement == "In 10 weeks, Mia will show disruptive behaviour rated 4.0 or lower."
    # × multiplier: 0.1 doubled = 0.2 a week → 4 as well.
    assert goal_from_multiplier(6, 0.1, 2, 10, measure=DBR_DB).value == pytest.approx(4)
    # An explicit direction wins over the measure's.
    assert goal_from_rate(6, 0.2, 10, measure=DBR_DB, higher_is_better=True).value == (
        pytest.approx(8)
    )
    # A benchmark target is the goal whatever the direction; the needed rate (2 − 6) / 8 = −0.5.
    b = goal_from_benchmark(2, baseline=6, weeks=8, name="Mia", measure=DBR_DB)
    assert (b.value, b.rate) == (2, pytest.approx(-0.5))
    assert b.statement == "In 8 weeks, Mia will show disruptive behaviour rated 2.0 or lower."


def test_lower_is_better_statement_for_a_custom_measure() -> None:
    m = DBR_DB.with_(code="ERR", name="Reading errors", unit="errors per passage", decimals=0)
    assert goal_statement("Ava", m, 3, 6) == (
        "In 6 weeks, Ava will score 3 errors per passage or lower on Reading errors."
    )


def test_gap_both_directions() -> None:
    # Higher is better: benchmark 100 ÷ current 40 = 2.5, above 2.0 → significant.
    assert gap(100, 40) == pytest.approx(2.5)
    assert is_significant_gap(100, 40)
    # Lower is better: current 6 ÷ goal 2 = 3.0 times too high → significant;
    # current 3 ÷ goal 2 = 1.5 → not.
    assert gap(2, 6, higher_is_better=False) == pytest.approx(3.0)
    assert is_significant_gap(2, 6, higher_is_better=False)
    assert not is_significant_gap(2, 3, higher_is_better=False)
    with pytest.raises(ValueError):
        gap(0, 6, higher_is_better=False)  # a goal of 0: "times too high" has no meaning


def test_weeks_to_goal_both_directions() -> None:
    # Higher is better: (60 − 40) / 2 = 10 weeks; ROI 0 or negative → never.
    assert weeks_to_goal(60, 40, 2) == pytest.approx(10)
    assert weeks_to_goal(60, 40, -1) is None
    # Lower is better: (current 6 − goal 2) / −(−0.5) = 8 weeks.
    assert weeks_to_goal(2, 6, -0.5, higher_is_better=False) == pytest.approx(8)
    # A rising (or flat) ROI moves away from a lower goal: not at this rate.
    assert weeks_to_goal(2, 6, 0.1, higher_is_better=False) is None
    assert weeks_to_goal(2, 6, 0, higher_is_better=False) is None
    # Already at or below the goal: 0.
    assert weeks_to_goal(2, 1.5, -0.2, higher_is_better=False) == 0


def test_current_level_is_the_median_of_the_last_three() -> None:
    # last three of 38, 41, 36, 40 are 41, 36, 40 → median 40
    assert current_level([38, 41, 36, 40]) == 40
    assert current_level([12]) == 12


def test_gap_analysis_orf_against_the_benchmark() -> None:
    # Grade 3 in October: fall 50th percentile 83 WCPM (Hasbrouck & Tindal 2017). Current level
    # = median(41, 36, 40) = 40; gap 83 ÷ 40 = 2.075 → "2.1×", significant. Goal 70 at ROI
    # +2.5/week: (70 − 40) / 2.5 = 12 weeks.
    assert norm_season(date(2026, 10, 5)) == "fall"
    a = gap_analysis(ORF, [38, 41, 36, 40], goal=70, roi=2.5, grade="3", on=date(2026, 10, 5))
    assert a is not None
    assert (a.reference, a.reference_kind, a.current) == (83, "benchmark", 40)
    assert a.gap == pytest.approx(2.075) and a.significant
    assert a.gap_words() == "2.1× the benchmark (significant): benchmark 83 ÷ current 40"
    assert a.weeks_to_goal == pytest.approx(12)
    assert a.weeks_words() == "≈ 12 weeks to goal at the current ROI"
    # A falling ROI never reaches a higher goal.
    slow = gap_analysis(ORF, [38, 41, 36, 40], goal=70, roi=-0.3, grade="3", on=date(2026, 10, 5))
    assert slow is not None and slow.weeks_to_goal is None
    assert slow.weeks_words().startswith("not at this rate")


def test_gap_analysis_lower_is_better_against_the_goal() -> None:
    # DBR-DB ratings 7, 6, 6.5, 5 → current median(6, 6.5, 5) = 6; no norms, so the goal 2
    # is the reference: 6 ÷ 2 = 3.0 times too high (significant). ROI −0.5/week:
    # (6 − 2) / 0.5 = 8 weeks.
    a = gap_analysis(DBR_DB, [7, 6, 6.5, 5], goal=2, roi=-0.5, grade="4", on=date(2026, 11, 2))
    assert a is not None
    assert (a.reference_kind, a.current) == ("goal", 6)
    assert a.gap == pytest.approx(3.0) and a.significant
    assert a.gap_words() == ("3.0× the goal (significant): current 6.0 ÷ goal 2.0 (times too high)")
    assert a.weeks_to_goal == pytest.approx(8)
    assert a.weeks_words() == "≈ 8 weeks to goal at the current ROI"
    # Ratings going up move away from the goal.
    up = gap_analysis(DBR_DB, [7, 6, 6.5, 5], goal=2, roi=0.2)
    assert up is not None and up.weeks_words().startswith("not at this rate")
    # At the goal already.
    done = gap_analysis(DBR_DB, [3, 2, 1.5, 2], goal=2, roi=-0.1)
    assert done is not None and done.reached and done.weeks_words() == "goal level reached"
    assert gap_analysis(DBR_DB, [], goal=2) is None


def test_weeks_to_goal_after_the_goal_date() -> None:
    # 12 weeks needed at +2.5/week (as above); Oct 5 → Dec 14 leaves 70 days = 10 weeks of
    # school, so the goal comes after its date. With the goal on Jan 25 (16 weeks, less the
    # two break weeks = 14) it comes in time.
    on = date(2026, 10, 5)
    breaks = break_weeks(CALENDAR)
    late = gap_analysis(
        ORF, [38, 41, 36, 40], goal=70, roi=2.5, grade="3", on=on, goal_date=date(2026, 12, 14)
    )
    assert late is not None and late.weeks_left == 10
    assert late.weeks_words() == "≈ 12 weeks to goal at the current ROI, after the goal date"
    ok = gap_analysis(
        ORF,
        [38, 41, 36, 40],
        goal=70,
        roi=2.5,
        grade="3",
        on=on,
        goal_date=date(2027, 1, 25),
        breaks=breaks,
    )
    assert ok is not None and ok.weeks_left == 14
    assert ok.weeks_words() == "≈ 12 weeks to goal at the current ROI"
