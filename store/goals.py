"""Goal setting: norms (Fuchs et al. 1993; Hasbrouck & Tindal 2017), rate × weeks, benchmark
targets, the goal statement, gap analysis and weeks to goal (DOMAIN.md goal, gap analysis).

Re-exported by :mod:`store.progress`, so ``from store.progress import goal_from_rate`` keeps
working.
"""

from __future__ import annotations

from typing import NamedTuple

from store.model import BUILTIN_MEASURES, Measure, fmt_number, grade_number
from store.records import frozen_record


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
    "CICO": "earn {n} % of daily points",
}


def _measure(measure: Measure | str) -> Measure | None:
    return measure if isinstance(measure, Measure) else _MEASURES.get(measure)


def goal_statement(name: str, measure: Measure | str, value: float, weeks: float) -> str:
    """A goal in plain words: "In 12 weeks, Ava will read 62 words correct per minute."
    (IRIS Center goal format: time frame, learner, behaviour, criterion). The value is
    rounded to the measure's decimals."""
    m = _measure(measure)
    code = m.code if m else str(measure)
    decimals = m.decimals if m else 1
    n = f"{round(value, decimals):.{decimals}f}" if decimals else str(round(value))
    if code in _VERBS:
        what = _VERBS[code].format(n=n)
    elif m is not None:
        what = f"score {n} {m.unit} on {m.name}"
    else:
        what = f"score {n} on {code}"
    w = fmt_number(weeks, 1)
    unit = "week" if w == "1" else "weeks"
    return f"In {w} {unit}, {name} will {what}."


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
) -> GoalSuggestion:
    """goal = baseline + ROI × weeks (DOMAIN.md: 34 + 2.2 × 8 = 51.6; IRIS Center)."""
    if weeks <= 0:
        raise ValueError(f"weeks to the goal must be positive, got {fmt_number(weeks)}")
    value = baseline + rate * weeks
    return GoalSuggestion(value, rate, weeks, method, goal_statement(name, measure, value, weeks))


def goal_from_growth(
    baseline: float,
    weeks: float,
    grade: int | str,
    ambitious: bool = False,
    *,
    name: str = "the student",
    measure: Measure | str = "ORF",
) -> GoalSuggestion:
    """ORF goal from Fuchs et al. (1993) weekly growth: baseline + rate × weeks."""
    rate = fuchs_growth(grade, ambitious)
    method = "norms-ambitious" if ambitious else "norms-realistic"
    return goal_from_rate(baseline, rate, weeks, name=name, measure=measure, method=method)


def goal_from_multiplier(
    baseline: float,
    typical_rate: float,
    multiplier: float,
    weeks: float,
    *,
    name: str = "the student",
    measure: Measure | str = "ORF",
) -> GoalSuggestion:
    """Ambitious goal: typical growth × multiplier (DOMAIN.md: 1.1 doubled = 2.2/week; NCII)."""
    return goal_from_rate(
        baseline, typical_rate * multiplier, weeks, name=name, measure=measure, method="roi"
    )


def goal_from_benchmark(
    target: float,
    *,
    baseline: float | None = None,
    weeks: float | None = None,
    name: str = "the student",
    measure: Measure | str = "ORF",
) -> GoalSuggestion:
    """Goal = the benchmark (end-of-year) target (DOMAIN.md; aimsweb). With a baseline and
    weeks the needed rate is reported too."""
    rate = None
    if baseline is not None and weeks is not None:
        rate = needed_roi(baseline, target, weeks)
    if weeks is not None:
        statement = goal_statement(name, measure, target, weeks)
    else:
        statement = goal_statement(name, measure, target, 1).replace(
            "In 1 week, ", "By the goal date, "
        )
    return GoalSuggestion(target, rate, weeks, "benchmark", statement)


SIGNIFICANT_GAP = 2.0


def gap(benchmark: float, current: float) -> float:
    """Gap = benchmark ÷ current score; above 2.0 is significant in the elementary grades
    (DOMAIN.md gap analysis)."""
    if current <= 0:
        raise ValueError(f"gap analysis needs a current score above 0, got {fmt_number(current)}")
    return benchmark / current


def is_significant_gap(benchmark: float, current: float) -> bool:
    """True when :func:`gap` exceeds :data:`SIGNIFICANT_GAP` (DOMAIN.md)."""
    return gap(benchmark, current) > SIGNIFICANT_GAP


def weeks_to_goal(goal: float, current: float, roi: float) -> float | None:
    """Weeks to reach ``goal`` at the current ROI = (goal − current) / ROI (DOMAIN.md gap
    analysis). ``None`` when ROI ≤ 0 (never at this rate); 0 when already there."""
    if roi <= 0:
        return None
    return max(0.0, (goal - current) / roi)
