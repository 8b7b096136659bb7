"""Worked cases for the decision engine's verdicts (issue 12), each computed by hand from the
published rule in the comments — never by calling the code under test.

Sources: CICO-SWIS (behaviour), aimsweb (goal attainment, trend band), IRIS Center (≥ 3 weeks),
aimswebPlus / FastBridge (new line per phase), eduCLIMBER (sessions and minutes, not captured),
NCII (fidelity before response).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from store.caseload import caseload_summary
from store.config import DecisionConfig
from store.dosage import StudentDosage
from store.model import (
    BUILTIN_MEASURES,
    Goal,
    Group,
    Measure,
    Membership,
    SchoolCalendar,
    Score,
    Student,
)
from store.progress import AimLine, PointRule, TrendRule, decide, pnd

START = date(2024, 1, 1)  # a Monday
MEASURES = {m.code: m for m in BUILTIN_MEASURES}


def wk(w: float) -> date:
    return START + timedelta(days=round(7 * w))


def weekly(values: list[float], first_week: int = 1) -> list[tuple[date, float]]:
    return [(wk(first_week + i), v) for i, v in enumerate(values)]


def school_days(first: date, n: int) -> list[date]:
    out, d = [], first
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


# aim 20 → 44 over 12 weeks: 2 a week, aim(w) = 20 + 2w
AIM = AimLine(START, 20, wk(12), 44)


# --------------------------------------------------------------------------- 1. behaviour
CAL = SchoolCalendar(date(2023, 8, 28), date(2024, 6, 14))


def cico_rows(values: list[float], *, goal: float = 80, code: str = "CICO") -> list:
    """One student's daily ratings from Tue Jan 2 on, goal set on Mon Jan 1 from a baseline
    of 50, goal date in June; the caseload as of the day after the last rating."""
    days = school_days(START + timedelta(days=1), len(values))
    scores = [
        Score(f"s{i}", "ann", code, d, v) for i, (d, v) in enumerate(zip(days, values, strict=True))
    ]
    goals = [Goal("g", "ann", code, 50, START, goal, date(2024, 6, 3))]
    return caseload_summary(
        [Student("ann", "Ann", "A", "3")],
        [],
        list(BUILTIN_MEASURES),
        goals,
        scores,
        [],
        [],
        CAL,
        days[-1] + timedelta(days=1),
        DecisionConfig(),
    )


def test_cico_last_five_days_averaging_64_is_a_questionable_response() -> None:
    # last five cards 64, 70, 58, 82, 46 (mean 64): 4 of 5 below the 80 % goal ≥ 3
    # → questionable response (CICO-SWIS), not "on track" against a rising academic line
    (row,) = cico_rows([60, 66, 72, 78, 75, 64, 70, 58, 82, 46])
    d = row.decision
    assert d.kind == "questionable-response"
    assert "4 of the last 5 days below the goal of 80" in d.reason
    assert d.aim is not None and d.aim.is_flat and d.aim.value_at(START) == 80


def test_cico_mostly_at_goal_is_responding() -> None:
    # last five: 85, 78, 90, 82, 88 → only 78 below 80 (1 of 5 < 3) → responding, continue
    (row,) = cico_rows([60, 66, 72, 78, 75, 85, 78, 90, 82, 88])
    assert row.decision.kind == "continue"
    assert row.decision.reason.startswith("responding — 4 of the last 5 days at or above")


def test_cico_four_weeks_at_goal_is_goal_met_consider_fading() -> None:
    # 20 school days (4 weeks Tue Jan 2 … Mon Jan 29): weekly means — week of Jan 1 (Tue–Fri)
    # (82 + 84 + 78 + 88) / 4 = 83; Jan 8: (80+85+90+79+86)/5 = 84; Jan 15: (81+83+85+80+86)/5
    # = 83; Jan 22: (90+84+79+88+84)/5 = 85; Jan 29 (Mon only): 81 → the last 4 weeks (Jan 8,
    # 15, 22, 29) all ≥ 80 → goal met, consider fading (CICO-SWIS)
    values = [82, 84, 78, 88, 80, 85, 90, 79, 86, 81, 83, 85, 80, 86, 90, 84, 79, 88, 84, 81]
    (row,) = cico_rows(values)
    assert row.decision.kind == "goal-met"
    assert "for 4 consecutive weeks (weekly means 84, 83, 85, 81)" in row.decision.reason
    assert "consider fading to self-monitoring" in row.decision.reason


def test_dbr_disruptive_behaviour_is_lower_is_better() -> None:
    # DBR-SIS disruptive behaviour, goal 2 or less; last five 3, 1, 4, 5, 2 → above 2 (worse):
    # 3, 4, 5 = 3 of 5 → questionable response
    assert MEASURES["DBR-DB"].higher_is_better is False and MEASURES["DBR-DB"].behaviour
    assert MEASURES["DBR-AE"].higher_is_better and MEASURES["DBR-RS"].higher_is_better
    (row,) = cico_rows([4, 3, 3, 2, 2, 3, 1, 4, 5, 2], goal=2, code="DBR-DB")
    assert row.decision.kind == "questionable-response"
    assert "3 of the last 5 days above the goal of 2" in row.decision.reason


def test_pnd_and_days_at_goal_for_behaviour() -> None:
    # baseline period (on or before the goal's baseline date Jan 1): 55, 60, 58 → highest 60.
    # intervention: 62, 59, 70, 81, 85 → above 60: 62, 70, 81, 85 = 4 of 5 → PND 80 %;
    # at or above the 80 % goal: 81, 85 = 2 of 5 → 40 %
    points = [(wk(-2), 55), (wk(-1), 60), (START, 58), *weekly([62, 59, 70, 81, 85])]
    aim = AimLine(START, 80, wk(20), 80)
    d = decide(points, aim, rule=PointRule(), behaviour=True)
    assert d.pnd == pytest.approx(80)
    assert d.pct_at_goal == pytest.approx(40)
    assert pnd([55, 60, 58], [62, 59, 70, 81, 85]) == pytest.approx(80)


# --------------------------------------------------------------------------- 2. goal attainment
def test_aim_line_is_flat_after_the_goal_date() -> None:
    # 20 + 2 × 15 = 50 if it ran on; it stops at the goal: 44
    assert AIM.value_at(wk(15)) == 44
    assert AIM.value_at(wk(6)) == pytest.approx(32)


def test_goal_reached_is_goal_met_not_change() -> None:
    # weeks 1–6: 30, 35, 40, 45, 46, 44; median of the last 3 (45, 46, 44) = 45 ≥ goal 44
    d = decide(weekly([30, 35, 40, 45, 46, 44]), AIM, rule=PointRule())
    assert d.kind == "goal-met"
    assert "reached the goal of 44 — set a new goal" in d.reason


def test_at_the_goal_after_the_goal_date_is_met_not_below_an_extended_line() -> None:
    # weeks 9–16 at 43, 44, 45, 44, 44, 45, 44, 44. Extended, the old line stood at 20 + 2·13 =
    # 46 … 52 for weeks 13–16 (all four below → "change"); it stops at 44: median of the last 3
    # (45, 44, 44) = 44 ≥ 44 → goal met
    d = decide(weekly([43, 44, 45, 44, 44, 45, 44, 44], 9), AIM, rule=PointRule())
    assert d.kind == "goal-met"


def test_goal_date_passed_without_the_goal_is_goal_missed() -> None:
    # weeks 7–12: 30, 31, 33, 32, 34, 33; on week 13 (after the goal date wk 12) the median of
    # the last 3 (32, 34, 33) = 33 < 44 → goal date passed, goal not met
    d = decide(weekly([30, 31, 33, 32, 34, 33], 7), AIM, rule=PointRule(), today=wk(13))
    assert d.kind == "goal-missed"
    assert d.reason.startswith("goal date Mar 25, 2024 passed — goal not met")
    assert "median of the last 3: 33 vs the goal of 44" in d.reason


# --------------------------------------------------------------------------- 3. time
def test_six_probes_in_eight_days_are_insufficient_data() -> None:
    # Tue Jan 2 … Tue Jan 9: 6 school days, all far below the line; 8 days = 1.14 weeks < 3
    days = school_days(START + timedelta(days=1), 6)
    assert (days[-1] - START).days == 9 - 1  # the last probe 8 days after the aim's start
    d = decide([(day, 5) for day in days], AIM, rule=PointRule())
    assert d.kind == "insufficient-data"
    assert "only 1.1 weeks of instruction; decisions need 3 weeks" in d.reason
    assert d.weeks == pytest.approx(8 / 7)


# --------------------------------------------------------------------------- 4. phase change
def test_a_phase_change_starts_a_new_aim_line() -> None:
    # goal 60 at week 20 from 20 at week 0: old line 20 + 2w. Weeks 1–5 flat at 20; phase change
    # on week 6; then 3 a week: weeks 6–11 = 20, 23, 26, 29, 32, 35.
    # Old line at weeks 8–11: 36, 38, 40, 42 → the last 4 all below → it would say "change".
    # New line from (week 6, median of weeks 3–5 = 20) to (week 20, 60): 40/14 = 2.857/week;
    # at weeks 8–11: 25.71, 28.57, 31.43, 34.29 → 26, 29, 32, 35 all above → raise the goal
    # (3 vs 2.857 a week is within the slope band 0.25 × 2.857 = 0.71: level and trend agree).
    aim = AimLine(START, 20, wk(20), 60)
    points = weekly([20, 20, 20, 20, 20]) + weekly([20, 23, 26, 29, 32, 35], 6)
    d = decide(points, aim, rule=PointRule(), phase_start=wk(6))
    assert d.aim == AimLine(wk(6), 20, wk(20), 60)
    assert d.needed_roi == pytest.approx(40 / 14)
    assert d.kind == "raise-goal"
    old = decide(points, aim, rule=PointRule(), phase_start=wk(1))  # the old line's view
    assert old.kind == "change"


# --------------------------------------------------------------------------- 5. trend band
def test_trend_band_is_per_measure() -> None:
    # a 0–10 rating with a needed ROI of 0.2 a week (20 weeks: 4 → 8); flat at 4 for 8 weeks.
    # aimsweb's ±0.5 would call 0 vs 0.2 "near target"; the band is 0.25 × 0.2 = 0.05 here,
    # and 0.2 behind > 0.05 → change
    rating = Measure("RATE", "A rating", "rating 0–10", 0, 10, decimals=1)
    cfg = DecisionConfig(rule="trend")
    rule = cfg.decision_rule(rating)
    assert isinstance(rule, TrendRule) and rule.band(0.2) == pytest.approx(0.05)
    aim = AimLine(START, 4, wk(20), 8)
    d = decide(weekly([4] * 8), aim, rule=rule, settings=cfg.rule_settings(rating))
    assert d.kind == "change"
    assert "more than 0.05 a week behind" in d.reason
    # ORF keeps aimsweb's 0.5 WCPM
    orf_rule = cfg.decision_rule(MEASURES["ORF"])
    assert isinstance(orf_rule, TrendRule) and orf_rule.band(2.0) == 0.5


def test_well_below_is_a_level_gap_in_score_units() -> None:
    # slope 2 = needed, 5 under the line (15 + 2w): at week 8 the trend is 31 vs 36 on the line.
    # 5 < 3 weeks × 2 = 6 → continue. (The old catch-up rate, (44 − 31) / 4 = 3.25 vs 2, called
    # it "well below".) 10 under (10 + 2w): 26 vs 36, 10 > 6 → change.
    near = decide([(wk(w), 15 + 2 * w) for w in range(1, 9)], AIM, rule=TrendRule())
    assert near.kind == "continue"
    far = decide([(wk(w), 10 + 2 * w) for w in range(1, 9)], AIM, rule=TrendRule())
    assert far.kind == "change" and "well below" in far.reason


# --------------------------------------------------------------------------- 6–7. delivery
BELOW = weekly([23, 25, 25, 27, 29, 31])  # last 4 below 20 + 2w → change (test_progress)


def dosage(
    planned: int, attended: int, *, not_logged: int = 0, minutes: int, fidelity: float | None
) -> StudentDosage:
    cancel = Counter({"not-logged": not_logged}) if not_logged else Counter()
    return StudentDosage(
        "ann", START, wk(6), ("g",), planned, attended, attended, 0, planned * 30, minutes,
        fidelity, cancel, Counter(),
    )  # fmt: skip


def test_low_dosage_on_minutes_names_minutes() -> None:
    # 10 of 10 sessions attended but 150 of 300 minutes (50 % < 80 %) → low dosage: minutes
    d = decide(BELOW, AIM, rule=PointRule(), dosage=dosage(10, 10, minutes=150, fidelity=100))
    assert d.kind == "low-dosage"
    assert "received 150 of 300 planned minutes (50 %)" in d.reason
    assert "attended" not in d.reason


def test_unlogged_sessions_are_named_not_blamed_on_attendance() -> None:
    # 10 planned, 6 never logged, the 4 logged all attended: 4 of 4 logged = 100 % (and 120 of
    # 4 × 30 = 120 minutes). Counting the unlogged as missed, 4 of 10 = 40 % would read "low
    # dosage"; it is "6 sessions not logged — log them before judging dosage".
    d = decide(
        BELOW, AIM, rule=PointRule(), dosage=dosage(10, 4, not_logged=6, minutes=120, fidelity=95)
    )
    assert d.kind == "not-logged"
    assert d.reason.startswith("6 sessions not logged — log them before judging dosage")
    assert d.sessions_not_logged == 6


def test_low_fidelity_checks_delivery_before_response() -> None:
    # dosage fine (10 of 10, 300 of 300 min), fidelity 60 % of the checklist < 80 %
    d = decide(BELOW, AIM, rule=PointRule(), dosage=dosage(10, 10, minutes=300, fidelity=60))
    assert d.kind == "low-fidelity"
    assert d.reason.startswith("low fidelity — 60 % of the checklist")
    assert "check delivery before judging response" in d.reason


def test_delivery_checks_never_hide_a_good_verdict() -> None:
    above = weekly([21, 23, 27, 29, 31, 33])  # last 4 above → raise the goal
    d = decide(above, AIM, rule=PointRule(), dosage=dosage(10, 2, minutes=60, fidelity=10))
    assert d.kind == "raise-goal"


# --------------------------------------------------------------------------- 9. provisional
def test_roi_from_three_points_marked_provisional() -> None:
    # 2 points: no ROI; 3 points (weeks 1–3: 22, 25, 28 → OLS slope 3): ROI shown, provisional
    # until the 4-point rule's 6
    two = decide(weekly([22, 25]), AIM, rule=PointRule())
    assert two.actual_roi is None and two.trend is None
    three = decide(weekly([22, 25, 28]), AIM, rule=PointRule())
    assert three.actual_roi == pytest.approx(3.0) and three.provisional
    assert three.kind == "insufficient-data"
    six = decide(weekly([22, 25, 28, 31, 33, 34]), AIM, rule=PointRule())
    assert not six.provisional


def test_above_the_line_but_growing_slower_says_so() -> None:
    # weeks 1–6: 30, 30.5, 31, 31.5, 32, 32.5 (0.5 a week); the line at weeks 3–6 is 26, 28,
    # 30, 32 → the last 4 (31, 31.5, 32, 32.5) are above: the 4-point rule alone says "raise the
    # goal". The trend, 0.5 vs 2 needed, is 1.5 slower (> band 0.5) → continue, and say why.
    # (Median of the last 3 = 32 < 44: not met.)
    d = decide(weekly([30, 30.5, 31, 31.5, 32, 32.5]), AIM, rule=PointRule())
    assert d.kind == "continue"
    assert "but growing slower than needed (ROI 0.5/week vs 2/week needed)" in d.reason


def test_caseload_rows_for_a_group_probe_use_the_same_engine() -> None:
    # one student, ORF, 8 weekly scores far below the line; the group's weekday meetings from the
    # goal's baseline date Jan 1 to Fri Mar 1 (9 weeks × 5 = 45; today, Mar 4, is pending) were
    # never logged → the caseload says "45 sessions not logged", as
    # decide() does with the same dosage; without dosage the 4-point rule says change
    cal = SchoolCalendar(date(2023, 8, 28), date(2024, 6, 14))
    group = Group("g", "G", memberships=[Membership("ann", START)], measures=["ORF"])
    scores = [Score(f"s{w}", "ann", "ORF", wk(w), 21) for w in range(1, 9)]
    goal = Goal("go", "ann", "ORF", 20, START, 44, wk(12))
    (row,) = caseload_summary(
        [Student("ann", "Ann", "A", "3")], [group], list(BUILTIN_MEASURES), [goal], scores,
        [], [], cal, wk(9), DecisionConfig(),
    )  # fmt: skip
    points = [(s.date, s.value) for s in scores]
    direct = decide(points, AIM, rule=PointRule(), today=wk(9), dosage=row.dosage)
    assert row.decision == direct
    assert direct.kind == "not-logged" and direct.reason.startswith(
        "45 sessions not logged — log them before judging dosage (none logged yet)"
    )
    assert decide(points, AIM, rule=PointRule(), today=wk(9)).kind == "change"
