"""Goal setting: norms (Fuchs et al. 1993; Hasbrouck & Tindal 2017), rate × weeks, benchmark
targets, the goal statement, gap analysis and weeks to goal (DOMAIN.md goal, gap analysis).

Weeks are weeks of school: growth rates are per week of instruction, so callers count them
with :func:`store.school_weeks.school_weeks` (whole no-school weeks left out). Direction
follows the measure: for a lower-is-better measure (DBR disruptive behaviour) a goal lies below
the baseline, the gap is how many times too high the score is, and weeks to goal need a
falling ROI.

Re-exported by :mod:`store.progress`, so ``from store.progress import goal_from_rate`` keeps
working.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from statistics import median
from typing import NamedTuple

from store.model import BUILTIN_MEASURES, Measure, fmt_number, grade_number
from store.records import frozen_record
from store.school_weeks import school_weeks_between


def needed_roi(current: float, goal: float, weeks: float) -> float:
    """Needed ROI = (goal − current) / weeks, units per week (DOMAIN.md; aimsweb)."""
    if weeks <= 0:
        raise ValueError(f"weeks to the goal must be positive, got {fmt_number(weeks)}")
    return (goal - current) / weeks


class WeeklyGrowth(NamedTuple):
    realistic: float
    ambitious: float


FUCHS_WEEKLY_GROWTH: dict[int, WeeklyGrowth] = {
    # Fuchs, Fuchs, Hamlett, Walz & Germann (1993): ORF words per week (DOMAIN.md).
    1: WeeklyGrowth(2.0, 3.0),
    2: WeeklyGrowth(1.5, 2.0),
    3: WeeklyGrowth(1.0, 1.5),
    4: WeeklyGrowth(0.85, 1.1),
    5: WeeklyGrowth(0.5, 0.8),
    6: WeeklyGrowth(0.3, 0.65),
}

PERCENTILES: tuple[int, ...] = (90, 75, 50, 25, 10)
SEASONS: tuple[str, ...] = ("fall", "winter", "spring")


def _pct(*values: int) -> dict[int, int]:
    return dict(zip(PERCENTILES, values, strict=True))


HASBROUCK_TINDAL_2017: dict[int, dict[str, dict[int, int]]] = {
    # Hasbrouck & Tindal (2017) ORF norms, WCPM by percentile (DOMAIN.md). Grade 1: no fall.
    1: {"winter": _pct(97, 59, 29, 16, 9), "spring": _pct(116, 91, 60, 34, 18)},
    2: {
        "fall": _pct(111, 84, 50, 36, 23),
        "winter": _pct(131, 109, 84, 59, 35),
        "spring": _pct(148, 124, 100, 72, 43),
    },
    3: {
        "fall": _pct(134, 104, 83, 59, 40),
        "winter": _pct(161, 137, 97, 79, 62),
        "spring": _pct(166, 139, 112, 91, 63),
    },
    4: {
        "fall": _pct(153, 125, 94, 75, 60),
        "winter": _pct(168, 143, 120, 95, 71),
        "spring": _pct(184, 160, 133, 105, 83),
    },
    5: {
        "fall": _pct(179, 153, 121, 87, 64),
        "winter": _pct(183, 160, 133, 109, 84),
        "spring": _pct(195, 169, 146, 119, 102),
    },
    6: {
        "fall": _pct(185, 159, 132, 112, 89),
        "winter": _pct(195, 166, 145, 116, 91),
        "spring": _pct(204, 173, 146, 122, 91),
    },
}


def _grade(grade: int | str) -> int:
    return grade_number(str(grade).strip().upper()) if isinstance(grade, str) else int(grade)


def ht_norm(grade: int | str, season: str, percentile: int = 50) -> int:
    """WCPM at a percentile for a grade and season (Hasbrouck & Tindal 2017)."""
    g = _grade(grade)
    table = HASBROUCK_TINDAL_2017.get(g)
    if table is None:
        raise ValueError(f"Hasbrouck & Tindal (2017) has ORF norms for grades 1–6, not {grade}")
    season = season.strip().lower()
    if season not in table:
        raise ValueError(f"Hasbrouck & Tindal (2017) has no {season} norms for grade {g}")
    if percentile not in table[season]:
        raise ValueError(f"percentile {percentile} is not one of {PERCENTILES}")
    return table[season][percentile]


def ht_weekly_improvement(grade: int | str, percentile: int = 50) -> float:
    """Typical weekly ORF growth from the norms: (spring − fall) / 32 weeks; grade 1
    (spring − winter) / 16 weeks (Hasbrouck & Tindal 2017, as DOMAIN.md prescribes)."""
    g = _grade(grade)
    if g == 1:
        return (ht_norm(1, "spring", percentile) - ht_norm(1, "winter", percentile)) / 16
    return (ht_norm(g, "spring", percentile) - ht_norm(g, "fall", percentile)) / 32


def needs_fluency_support(grade: int | str, season: str, wcpm: float) -> bool:
    """Screening rule: 10 or more WCPM below the 50th percentile (DOMAIN.md; Hasbrouck &
    Tindal 2017)."""
    return wcpm <= ht_norm(grade, season, 50) - 10


def fuchs_growth(grade: int | str, ambitious: bool = False) -> float:
    """Weekly ORF growth, realistic or ambitious (Fuchs et al. 1993), grades 1–6."""
    g = _grade(grade)
    if g not in FUCHS_WEEKLY_GROWTH:
        raise ValueError(f"Fuchs et al. (1993) give ORF growth rates for grades 1–6, not {grade}")
    rates = FUCHS_WEEKLY_GROWTH[g]
    return rates.ambitious if ambitious else rates.realistic


_MEASURES = {m.code: m for m in BUILTIN_MEASURES}
_VERBS: dict[str, str] = {
    "ORF": "read {n} words correct per minute",
    "NWF": "produce {n} correct letter sounds per minute",
    "LNF": "name {n} letters per minute",
    "Maze": "score {n} adjusted correct on Maze",
    "MCOMP": "write {n} digits correct per minute",
    "DBR": "earn a rating of {n}",
    # DBR-SIS items (Chafouleas et al.): engagement and respectful are higher-is-better,
    # disruptive behaviour lower-is-better, so its goal is a ceiling.
    "DBR-AE": "show academic engagement rated {n} or higher",
    "DBR-RS": "show respectful behaviour rated {n} or higher",
    "DBR-DB": "show disruptive behaviour rated {n} or lower",
    "CICO": "earn {n} % of daily points",
}


def _measure(measure: Measure | str) -> Measure | None:
    return measure if isinstance(measure, Measure) else _MEASURES.get(measure)


def higher_is_better_of(measure: Measure | str) -> bool:
    """The measure's direction (DOMAIN.md: most measures are higher-is-better; DBR disruptive
    behaviour is lower-is-better); an unknown code counts as higher-is-better."""
    m = _measure(measure)
    return True if m is None else bool(m.higher_is_better)


def _long_date(d: date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def _weeks_words(weeks: float, whole: bool) -> str:
    w = fmt_number(round(weeks), 0) if whole and weeks >= 1 else fmt_number(weeks, 1)
    return f"{w} {'week' if w == '1' else 'weeks'}"


def goal_statement(
    name: str,
    measure: Measure | str,
    value: float,
    weeks: float,
    *,
    goal_date: date | None = None,
    school_weeks: bool = True,
) -> str:
    """A goal in plain words (IRIS Center goal format: time frame, learner, behaviour,
    criterion). Without ``goal_date``: "In 12 weeks, Ava will read 62 words correct per
    minute."; with it: "By March 19, 2027 (17 weeks of school), Yara will read 89 words correct
    per minute." — ``weeks`` are then weeks of instruction (whole no-school weeks left out,
    :func:`store.school_weeks.school_weeks_between`), rounded to whole weeks; ``school_weeks=
    False`` says plain "weeks". The value is what a saved goal holds: rounded to the measure's
    decimals and clamped to its scale (:meth:`GoalSuggestion.value_for`). A lower-is-better
    measure's goal reads as a ceiling ("rated 2.0 or lower")."""
    m = _measure(measure)
    code = m.code if m else str(measure)
    decimals = m.decimals if m else 1
    v = round(value, decimals)
    if m is not None:
        v = min(max(v, m.min), m.max)
    n = f"{v:.{decimals}f}" if decimals else str(round(v))
    if code in _VERBS:
        what = _VERBS[code].format(n=n)
    elif m is not None:
        limit = "" if m.higher_is_better else " or lower"
        what = f"score {n} {m.unit}{limit} on {m.name}"
    else:
        what = f"score {n} on {code}"
    if goal_date is not None:
        span = _weeks_words(weeks, whole=True) + (" of school" if school_weeks else "")
        return f"By {_long_date(goal_date)} ({span}), {name} will {what}."
    return f"In {_weeks_words(weeks, whole=False)}, {name} will {what}."


@frozen_record
class GoalSuggestion:
    """A proposed goal: ``value`` after ``weeks`` at ``rate`` units/week; ``method`` is one of
    the model's GOAL_METHODS. ``value`` is exact (DOMAIN.md: 51.6); see :meth:`value_for`."""

    value: float
    rate: float | None
    weeks: float | None
    method: str
    statement: str

    def value_for(self, measure: Measure) -> float:
        """The value rounded to the measure's decimals and clamped to its scale."""
        v = round(self.value, measure.decimals)
        return float(min(max(v, measure.min), measure.max))


def goal_from_rate(
    baseline: float,
    rate: float,
    weeks: float,
    *,
    name: str = "the student",
    measure: Measure | str = "ORF",
    method: str = "roi",
    higher_is_better: bool | None = None,
    goal_date: date | None = None,
) -> GoalSuggestion:
    """goal = baseline + ROI × weeks (DOMAIN.md: 34 + 2.2 × 8 = 51.6; IRIS Center).

    ``rate`` is growth per week in the improving direction and ``weeks`` are weeks of school
    (compute them with :func:`store.school_weeks.school_weeks`, so a winter break adds no
    growth). For a lower-is-better measure (``higher_is_better`` False; by default the
    measure's own direction) improving means going down: goal = baseline − rate × weeks
    (DOMAIN.md: "some behaviour measures are lower is better"), and the suggestion's ``rate``
    is that signed slope. ``goal_date`` gives the dated statement (:func:`goal_statement`)."""
    if weeks <= 0:
        raise ValueError(f"weeks to the goal must be positive, got {fmt_number(weeks)}")
    hib = higher_is_better_of(measure) if higher_is_better is None else higher_is_better
    slope = rate if hib else -rate
    value = baseline + slope * weeks
    statement = goal_statement(name, measure, value, weeks, goal_date=goal_date)
    return GoalSuggestion(value, slope, weeks, method, statement)


def goal_from_growth(
    baseline: float,
    weeks: float,
    grade: int | str,
    ambitious: bool = False,
    *,
    name: str = "the student",
    measure: Measure | str = "ORF",
    goal_date: date | None = None,
) -> GoalSuggestion:
    """ORF goal from Fuchs et al. (1993) weekly growth: baseline + rate × weeks, the weeks
    being weeks of instruction (the rates are growth per week of school)."""
    rate = fuchs_growth(grade, ambitious)
    method = "norms-ambitious" if ambitious else "norms-realistic"
    return goal_from_rate(
        baseline, rate, weeks, name=name, measure=measure, method=method, goal_date=goal_date
    )


def goal_from_multiplier(
    baseline: float,
    typical_rate: float,
    multiplier: float,
    weeks: float,
    *,
    name: str = "the student",
    measure: Measure | str = "ORF",
    higher_is_better: bool | None = None,
    goal_date: date | None = None,
) -> GoalSuggestion:
    """Ambitious goal: typical growth × multiplier (DOMAIN.md: 1.1 doubled = 2.2/week; NCII),
    in the measure's improving direction (see :func:`goal_from_rate`)."""
    return goal_from_rate(
        baseline,
        typical_rate * multiplier,
        weeks,
        name=name,
        measure=measure,
        method="roi",
        higher_is_better=higher_is_better,
        goal_date=goal_date,
    )


def goal_from_benchmark(
    target: float,
    *,
    baseline: float | None = None,
    weeks: float | None = None,
    name: str = "the student",
    measure: Measure | str = "ORF",
    goal_date: date | None = None,
) -> GoalSuggestion:
    """Goal = the benchmark (end-of-year) target (DOMAIN.md; aimsweb). With a baseline and
    weeks (of school) the needed rate is reported too."""
    rate = None
    if baseline is not None and weeks is not None:
        rate = needed_roi(baseline, target, weeks)
    if weeks is not None:
        statement = goal_statement(name, measure, target, weeks, goal_date=goal_date)
    else:
        statement = goal_statement(name, measure, target, 1).replace(
            "In 1 week, ", "By the goal date, "
        )
    return GoalSuggestion(target, rate, weeks, "benchmark", statement)


SIGNIFICANT_GAP = 2.0


def gap(benchmark: float, current: float, *, higher_is_better: bool = True) -> float:
    """Gap = benchmark ÷ current score; above 2.0 is significant in the elementary grades
    (DOMAIN.md gap analysis). For a lower-is-better measure the gap is how many times too high
    the score is: current ÷ benchmark (or goal)."""
    if higher_is_better:
        if current <= 0:
            raise ValueError(
                f"gap analysis needs a current score above 0, got {fmt_number(current)}"
            )
        return benchmark / current
    if benchmark <= 0:
        raise ValueError(
            f"gap analysis of a lower-is-better measure needs a goal above 0, got "
            f"{fmt_number(benchmark)}"
        )
    return current / benchmark


def is_significant_gap(benchmark: float, current: float, *, higher_is_better: bool = True) -> bool:
    """True when :func:`gap` exceeds :data:`SIGNIFICANT_GAP` (DOMAIN.md)."""
    return gap(benchmark, current, higher_is_better=higher_is_better) > SIGNIFICANT_GAP


def weeks_to_goal(
    goal: float, current: float, roi: float, *, higher_is_better: bool = True
) -> float | None:
    """Weeks to reach ``goal`` at the current ROI = (goal − current) / ROI (DOMAIN.md gap
    analysis); for a lower-is-better measure (current − goal) / (−ROI). ``None`` when the ROI
    does not move toward the goal (never at this rate); 0 when already there."""
    if higher_is_better:
        if roi <= 0:
            return None
        return max(0.0, (goal - current) / roi)
    if roi >= 0:
        return None
    return max(0.0, (current - goal) / -roi)


def norm_season(d: date) -> str:
    """The norms season a date falls in: fall (Aug–Nov), winter (Dec–Feb), spring (Mar–Jul)
    (Hasbrouck & Tindal 2017 collect fall, winter and spring benchmarks)."""
    if d.month in (8, 9, 10, 11):
        return "fall"
    if d.month in (12, 1, 2):
        return "winter"
    return "spring"


CURRENT_LEVEL_POINTS = 3


def current_level(values: Sequence[float], n: int = CURRENT_LEVEL_POINTS) -> float:
    """The current score for gap analysis: the median of the last ``n`` scores, so one odd
    probe does not swing the gap (the median-of-3 practice of benchmark ORF: DIBELS,
    Acadience, aimsweb)."""
    if not values:
        raise ValueError("no scores yet, so there is no current level")
    return float(median(list(values)[-n:]))


@frozen_record
class GapAnalysis:
    """Gap analysis of one student on one measure (DOMAIN.md): the current level, what it is
    compared with (the Hasbrouck & Tindal 2017 50th percentile for ORF in grades 1–6, else the
    goal), the gap and the weeks to the goal at the current ROI."""

    current: float
    reference: float | None
    reference_kind: str  # "benchmark" | "goal" | ""
    gap: float | None
    weeks_to_goal: float | None
    goal: float | None
    roi: float | None
    higher_is_better: bool = True
    decimals: int = 0
    weeks_left: float | None = None  # weeks of school from ``on`` to the goal date

    @property
    def significant(self) -> bool:
        return self.gap is not None and self.gap > SIGNIFICANT_GAP

    @property
    def reached(self) -> bool:
        """The current level is at or beyond the goal."""
        if self.goal is None:
            return False
        if self.higher_is_better:
            return self.current >= self.goal
        return self.current <= self.goal

    def _n(self, value: float) -> str:
        return f"{value:.{self.decimals}f}"

    def gap_words(self) -> str:
        """ "2.3× the benchmark (significant): benchmark 94 ÷ current 41"; for lower-is-better
        "3.0× the goal (significant): current 6.0 ÷ goal 2.0" (times too high)."""
        if self.gap is None or self.reference is None:
            return "–"
        text = f"{self.gap:.1f}× the {self.reference_kind}"
        if self.significant:
            text += " (significant)"
        ref, cur = self._n(self.reference), self._n(self.current)
        if self.higher_is_better:
            return f"{text}: {self.reference_kind} {ref} ÷ current {cur}"
        return f"{text}: current {cur} ÷ {self.reference_kind} {ref} (times too high)"

    def weeks_words(self) -> str:
        """ "≈ 9 weeks to goal at the current ROI", "goal level reached" or "not at this rate"."""
        if self.goal is None:
            return "no goal set"
        if self.reached:
            return "goal level reached"
        if self.roi is None:
            return "– (too few scores for an ROI)"
        if self.weeks_to_goal is None:
            return "not at this rate (the ROI does not move toward the goal)"
        w = self.weeks_to_goal
        if w < 1:
            return "under a week to goal at the current ROI"
        n = round(w)
        text = f"≈ {n} week{'s' if n != 1 else ''} to goal at the current ROI"
        if self.weeks_left is not None and w > self.weeks_left:
            text += ", after the goal date"
        return text


def gap_analysis(
    measure: Measure,
    values: Sequence[float],
    *,
    goal: float | None = None,
    roi: float | None = None,
    grade: str | int | None = None,
    on: date | None = None,
    goal_date: date | None = None,
    breaks: Sequence[date] = (),
) -> GapAnalysis | None:
    """Gap and weeks to goal (DOMAIN.md gap analysis) from the scores so far (oldest first),
    the goal value, the actual ROI, and the student's grade and date for the ORF benchmark
    (Hasbrouck & Tindal 2017, 50th percentile of the season of ``on``). With ``on`` and
    ``goal_date`` the weeks of school left (``breaks``: Mondays of whole no-school weeks) tell
    whether the goal is reached only after its date. None without scores."""
    if not values:
        return None
    hib = bool(measure.higher_is_better)
    current = current_level(values)
    reference, kind = None, ""
    if measure.code == "ORF" and grade is not None and on is not None:
        try:
            reference, kind = float(ht_norm(grade, norm_season(on), 50)), "benchmark"
        except ValueError:
            reference = None
    if reference is None and goal is not None:
        reference, kind = float(goal), "goal"
    ratio = None
    if reference is not None:
        try:
            ratio = gap(reference, current, higher_is_better=hib)
        except ValueError:
            ratio = None
    weeks = None
    if goal is not None and roi is not None:
        weeks = weeks_to_goal(goal, current, roi, higher_is_better=hib)
    left = None
    if on is not None and goal_date is not None:
        left = school_weeks_between(on, goal_date, breaks)
    return GapAnalysis(
        current, reference, kind, ratio, weeks, goal, roi, hib, measure.decimals, left
    )
