"""Progress monitoring: baseline, aim line, trend lines, ROI, decision rules, goal helpers.

Pure functions over plain dates and numbers (and the model's records). Definitions, decision
rules and norms follow ``shared/DOMAIN.md``; every function names its source.

Conventions
-----------
* A *point* is a ``(date, value)`` pair. Input order never matters: points are sorted by
  ``(date, value)`` before use.
* Time is measured in weeks (days / 7), so every slope and ROI is in score units per week.
* ``Trend.intercept`` is the trend line's value at ``Trend.origin`` (the earliest point's date).
* A score is "above" or "below" the aim line only if it differs from the line's value on that
  date (by more than a rounding tolerance); a score exactly on the line is neither.
* Decisions count only the *intervention-phase* points: dated after the aim line's start (the
  baseline, DOMAIN.md: "not counting baseline") and on or after the latest phase change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from statistics import median
from typing import Literal, Protocol

from store.errors import StoreError
from store.goals import (  # noqa: F401 - re-exported: goal setting lives in store.goals
    FUCHS_WEEKLY_GROWTH,
    HASBROUCK_TINDAL_2017,
    PERCENTILES,
    SEASONS,
    SIGNIFICANT_GAP,
    GoalSuggestion,
    WeeklyGrowth,
    fuchs_growth,
    gap,
    goal_from_benchmark,
    goal_from_growth,
    goal_from_multiplier,
    goal_from_rate,
    goal_statement,
    ht_norm,
    ht_weekly_improvement,
    is_significant_gap,
    needed_roi,
    needs_fluency_support,
    weeks_to_goal,
)
from store.model import Goal, fmt_number
from store.records import frozen_record

Point = tuple[date, float]
TrendMethod = Literal["ols", "tukey", "theil-sen"]
TREND_METHODS: tuple[str, ...] = ("ols", "tukey", "theil-sen")
DecisionKind = Literal["change", "raise-goal", "continue", "insufficient-data", "low-dosage"]
Status = Literal["above", "near", "below", "insufficient"]

_EPS = 1e-9


class InsufficientDataError(StoreError, ValueError):
    """Too few (or degenerate) points to compute what was asked; never a made-up line."""


# --------------------------------------------------------------------------- basics
def weeks_between(start: date, end: date) -> float:
    """Elapsed time in weeks (days / 7), the time unit of every ROI (DOMAIN.md, ROI)."""
    return (end - start).days / 7


def sorted_points(points: Iterable[tuple[date, float]]) -> list[Point]:
    """Points as ``(date, float)`` sorted by date, then value (so input order never matters)."""
    return sorted((d, float(v)) for d, v in points)


def baseline(values: Sequence[float], n: int = 3) -> float:
    """Baseline = median of the first ``n`` probes; an even count takes the midpoint of the two
    middle values (IRIS Center; DOMAIN.md: 7, 5, 8 → 7). With fewer than ``n`` probes the median
    of those available is returned (a provisional baseline); none at all is an error."""
    if n < 1:
        raise ValueError(f"baseline needs n ≥ 1 probes, got n={n}")
    first = [float(v) for v in list(values)[:n]]
    if not first:
        raise InsufficientDataError("no scores yet, so there is no baseline")
    return float(median(first))


@frozen_record
class AimLine:
    """Straight line from (baseline date, baseline) to (goal date, goal) (DOMAIN.md; IRIS
    Center). ``slope`` is the needed ROI in units per week."""

    start: date
    start_value: float
    goal_date: date
    goal_value: float

    def __post_init__(self) -> None:
        if self.goal_date <= self.start:
            raise ValueError(
                f"aim line: goal date {self.goal_date} must be after its start {self.start}"
            )

    @property
    def weeks(self) -> float:
        return weeks_between(self.start, self.goal_date)

    @property
    def slope(self) -> float:
        return (self.goal_value - self.start_value) / self.weeks

    def value_at(self, d: date) -> float:
        """The line's value on ``d`` (extended past both ends)."""
        return self.start_value + self.slope * weeks_between(self.start, d)

    @classmethod
    def from_goal(cls, goal: Goal) -> AimLine:
        return cls(goal.baseline_date, goal.baseline_value, goal.goal_date, goal.goal_value)


# --------------------------------------------------------------------------- trend lines
@frozen_record
class Trend:
    """A fitted trend line: ``value = intercept + slope · weeks since origin``. ``slope`` is the
    actual ROI in units per week (DOMAIN.md, ROI / trend line)."""

    slope: float
    intercept: float
    origin: date
    method: str
    n: int

    def value_at(self, d: date) -> float:
        return self.intercept + self.slope * weeks_between(self.origin, d)


def _xy(points: Iterable[tuple[date, float]]) -> tuple[date, list[float], list[float]]:
    pts = sorted_points(points)
    if not pts:
        raise InsufficientDataError("no scores to fit a trend line to")
    origin = pts[0][0]
    return origin, [weeks_between(origin, d) for d, _ in pts], [v for _, v in pts]


def _ols(xs: list[float], ys: list[float]) -> tuple[float, float]:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx <= _EPS:
        raise InsufficientDataError("all scores are on the same date; a trend needs two dates")
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return slope, my - slope * mx


def tukey_groups(n: int) -> tuple[int, int, int]:
    """Sizes of Tukey's three groups: 3k → k,k,k; 3k+1 → k,k+1,k; 3k+2 → k+1,k,k+1
    (DOMAIN.md, Tukey tri-split)."""
    if n < 3:
        raise InsufficientDataError(f"the Tukey tri-split needs at least 3 scores, got {n}")
    k, r = divmod(n, 3)
    return ((k, k, k), (k, k + 1, k), (k + 1, k, k + 1))[r]


def _tukey(xs: list[float], ys: list[float]) -> tuple[float, float]:
    a, _, c = tukey_groups(len(xs))
    x1, y1 = median(xs[:a]), median(ys[:a])
    x3, y3 = median(xs[-c:]), median(ys[-c:])
    if x3 - x1 <= _EPS:
        raise InsufficientDataError(
            "the first and last thirds of the scores share a date; Tukey's slope is undefined"
        )
    slope = (y3 - y1) / (x3 - x1)
    return slope, y1 - slope * x1


def _theil_sen(xs: list[float], ys: list[float]) -> tuple[float, float]:
    n = len(xs)
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(n)
        for j in range(i + 1, n)
        if abs(xs[j] - xs[i]) > _EPS
    ]
    if not slopes:
        raise InsufficientDataError("all scores are on the same date; a trend needs two dates")
    slope = median(slopes)
    return slope, median(y - slope * x for x, y in zip(xs, ys, strict=True))


def trend(points: Iterable[tuple[date, float]], method: str = "ols") -> Trend:
    """Trend line through ``(date, value)`` points, time in weeks since the earliest date.

    ``ols``: least squares (aimsweb, FastBridge). ``tukey``: tri-split through the (median week,
    median score) of the first and last thirds (DOMAIN.md). ``theil-sen``: median of all
    pairwise slopes (pairs on the same date skipped), intercept = median of (y − slope·x).
    Fewer than 2 points (3 for Tukey) or a single date raise :class:`InsufficientDataError`.
    """
    if method not in TREND_METHODS:
        raise ValueError(f"trend method {method!r} is not one of: {', '.join(TREND_METHODS)}")
    origin, xs, ys = _xy(points)
    need = 3 if method == "tukey" else 2
    if len(xs) < need:
        raise InsufficientDataError(f"a {method} trend needs at least {need} scores, got {len(xs)}")
    fit = {"ols": _ols, "tukey": _tukey, "theil-sen": _theil_sen}[method]
    slope, intercept = fit(xs, ys)
    return Trend(float(slope), float(intercept), origin, method, len(xs))


# --------------------------------------------------------------------------- decision rules
@frozen_record
class PointRule:
    """Data-point rule (NCII; IRIS Center): once the phase has ``min_points`` scores, ``n``
    consecutive scores below the aim line → change, above → raise the goal, else continue.
    ``of_last=m`` gives the "n of the last m" variant; ``n=3`` the 3-point rule."""

    n: int = 4
    min_points: int = 6
    of_last: int | None = None

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"point rule: n must be at least 1, got {self.n}")
        if self.of_last is not None and self.of_last < self.n:
            raise ValueError(f"point rule: {self.n} of the last {self.of_last} is impossible")

    @property
    def needed_points(self) -> int:
        return max(self.min_points, self.n, self.of_last or 0)

    @property
    def label(self) -> str:
        if self.of_last:
            return f"{self.n}-of-the-last-{self.of_last} rule"
        return f"{self.n}-point rule"


@frozen_record
class TrendRule:
    """Trend rule (aimsweb; NCII): with ≥ ``min_points`` scores compare the trend's ROI with the
    aim line's: more than ``tolerance`` ahead → above target (raise the goal), within ± →
    near target (continue), more than ``tolerance`` behind → below target (change)."""

    min_points: int = 8
    tolerance: float = 0.5
    method: str = "ols"

    def __post_init__(self) -> None:
        if self.method not in TREND_METHODS:
            raise ValueError(f"trend method {self.method!r} is not one of {TREND_METHODS}")
        if self.tolerance < 0:
            raise ValueError("trend rule: tolerance must not be negative")

    @property
    def needed_points(self) -> int:
        # aimsweb: ≤ 2 scores is always insufficient data.
        return max(self.min_points, 3)

    @property
    def label(self) -> str:
        names = {"ols": "OLS", "tukey": "Tukey", "theil-sen": "Theil–Sen"}
        return f"trend rule ({names[self.method]})"


Rule = PointRule | TrendRule


class DosageLike(Protocol):
    """Anything with session counts, e.g. :class:`store.dosage.StudentDosage`."""

    @property
    def sessions_attended(self) -> int: ...

    @property
    def sessions_planned(self) -> int: ...


@frozen_record
class Decision:
    """What the data say (DOMAIN.md, decision rules). ``status`` is the student's standing in
    performance terms (``below`` = worse than the aim, whatever the measure's direction)."""

    kind: DecisionKind
    reason: str
    status: Status
    rule: str
    points: tuple[Point, ...] = ()
    needed_points: int = 0
    actual_roi: float | None = None
    needed_roi: float | None = None
    trend: Trend | None = None
    phase_start: date | None = None
    sessions_attended: int | None = None
    sessions_planned: int | None = None

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def dosage_pct(self) -> float | None:
        if not self.sessions_planned or self.sessions_attended is None:
            return None
        return 100.0 * self.sessions_attended / self.sessions_planned


def latest_phase_start(
    phase_start: date | Iterable[date] | None, until: date | None = None
) -> date | None:
    """The latest phase-change date (on or before ``until`` if given); trend and decisions
    restart from it (DOMAIN.md, phase change)."""
    if phase_start is None or isinstance(phase_start, date):
        return phase_start
    dates = [d for d in phase_start if until is None or d <= until]
    return max(dates) if dates else None


def phase_points(
    points: Iterable[tuple[date, float]],
    aim: AimLine | None,
    phase_start: date | Iterable[date] | None = None,
) -> list[Point]:
    """The points a decision counts: after the baseline (the aim line's start) and on or after
    the latest phase change (DOMAIN.md: "not counting baseline"; "restart from it")."""
    start = latest_phase_start(phase_start)
    out = []
    for d, v in sorted_points(points):
        if aim is not None and d <= aim.start:
            continue
        if start is not None and d < start:
            continue
        out.append((d, v))
    return out


def _side(value: float, line: float) -> int:
    """+1 above the line, −1 below, 0 on it (within rounding)."""
    if abs(value - line) <= _EPS * max(1.0, abs(line)):
        return 0
    return 1 if value > line else -1


def _nums(values: Iterable[float]) -> str:
    return ", ".join(fmt_number(v, 1) for v in values)


def _roi(value: float) -> str:
    return fmt_number(round(value, 2) + 0.0, 2)


def _dosage_counts(dosage: DosageLike | tuple[int, int] | None) -> tuple[int, int] | None:
    if dosage is None:
        return None
    if isinstance(dosage, tuple):
        attended, planned = dosage
    else:
        attended, planned = dosage.sessions_attended, dosage.sessions_planned
    return int(attended), int(planned)


def decide(
    points: Iterable[tuple[date, float]],
    aim: AimLine,
    *,
    rule: Rule,
    higher_is_better: bool = True,
    dosage: DosageLike | tuple[int, int] | None = None,
    phase_start: date | Iterable[date] | None = None,
    dosage_target: float = 0.8,
    roi_method: str | None = None,
) -> Decision:
    """Apply a decision rule to one student's scores on one measure (DOMAIN.md decision rules;
    NCII, IRIS Center, aimsweb).

    Counts only intervention-phase points (see :func:`phase_points`). Never returns
    ``change`` on fewer points than the rule needs. When ``dosage`` (an object with
    ``sessions_attended``/``sessions_planned``, or an ``(attended, planned)`` tuple) is below
    ``dosage_target`` of the planned sessions, a ``change`` becomes ``low-dosage``.
    For lower-is-better measures above and below the aim line swap meaning. The reported
    ``actual_roi``/``trend`` use the trend rule's method, else ``roi_method`` (default OLS).
    """
    start = latest_phase_start(phase_start)
    pts = phase_points(points, aim, start)
    need = rule.needed_points
    where = f"since the phase change on {start}" if start and start > aim.start else ""
    where = where or "since the baseline"
    actual: float | None = None
    fitted: Trend | None = None
    method = rule.method if isinstance(rule, TrendRule) else (roi_method or "ols")
    try:
        fitted = trend(pts, method)
        actual = fitted.slope
    except InsufficientDataError:
        pass
    counts = _dosage_counts(dosage)
    common = {
        "rule": rule.label,
        "points": tuple(pts),
        "needed_points": need,
        "actual_roi": actual,
        "needed_roi": aim.slope,
        "trend": fitted,
        "phase_start": start,
        "sessions_attended": counts[0] if counts else None,
        "sessions_planned": counts[1] if counts else None,
    }
    if len(pts) < need or (isinstance(rule, TrendRule) and fitted is None):
        word = "score" if len(pts) == 1 else "scores"
        reason = (
            f"only {len(pts)} {word} {where}; the {rule.label} needs {need} "
            "— keep monitoring before deciding"
        )
        if isinstance(rule, TrendRule) and len(pts) >= need:
            reason = f"the {len(pts)} scores {where} are all on one date — keep monitoring"
        return Decision("insufficient-data", reason, "insufficient", **common)  # type: ignore[arg-type]

    sign = 1 if higher_is_better else -1
    if isinstance(rule, PointRule):
        kind, status, reason = _point_rule(pts, aim, rule, sign)
    else:
        assert fitted is not None
        kind, status, reason = _trend_rule(pts, aim, rule, fitted, sign)

    if kind == "change" and counts and counts[1] > 0 and counts[0] < dosage_target * counts[1]:
        attended, planned = counts
        pct = round(100 * attended / planned)
        reason = (
            f"low dosage — attended {attended} of {planned} planned sessions ({pct} %); "
            "deliver the planned sessions before judging response"
        )
        kind = "low-dosage"
    return Decision(kind, reason, status, **common)  # type: ignore[arg-type]


def _point_rule(pts: list[Point], aim: AimLine, rule: PointRule, sign: int) -> tuple[str, str, str]:
    window = pts[-(rule.of_last or rule.n) :]
    sides = [_side(v, aim.value_at(d)) for d, v in window]
    below = [v for (_, v), s in zip(window, sides, strict=True) if s < 0]
    above = [v for (_, v), s in zip(window, sides, strict=True) if s > 0]
    values = _nums(v for _, v in window)
    direction = "" if sign > 0 else " (lower is better)"
    if rule.of_last:
        lead = f"{{}} of the last {rule.of_last} scores {{}} the aim line ({values}){direction}"
        worse_hit, better_hit = (below, above) if sign > 0 else (above, below)
        worse_word, better_word = ("below", "above") if sign > 0 else ("above", "below")
        worse_ok = len(worse_hit) >= rule.n
        better_ok = len(better_hit) >= rule.n
        if worse_ok and not better_ok:
            msg = lead.format(len(worse_hit), worse_word)
            return "change", "below", f"{msg} — consider changing the intervention"
        if better_ok and not worse_ok:
            msg = lead.format(len(better_hit), better_word)
            return "raise-goal", "above", f"{msg} — consider raising the goal"
        return (
            "continue",
            "near",
            f"fewer than {rule.n} of the last {rule.of_last} scores fall on one side of the aim "
            f"line ({values}) — continue the intervention",
        )
    worse = all(s == -sign for s in sides)
    better = all(s == sign for s in sides)
    side_word = {1: "above", -1: "below"}
    if worse:
        return (
            "change",
            "below",
            f"{rule.n} consecutive scores {side_word[-sign]} the aim line ({values}){direction} "
            "— consider changing the intervention",
        )
    if better:
        return (
            "raise-goal",
            "above",
            f"{rule.n} consecutive scores {side_word[sign]} the aim line ({values}){direction} "
            "— consider raising the goal",
        )
    return (
        "continue",
        "near",
        f"the last {rule.n} scores ({values}) are not all on one side of the aim line "
        "— continue the intervention",
    )


def _trend_rule(
    pts: list[Point], aim: AimLine, rule: TrendRule, fitted: Trend, sign: int
) -> tuple[str, str, str]:
    """aimsweb's ROI comparison, plus DOMAIN.md's caveat: a trend about parallel to the aim line
    but well below it is not "continue". "Well below" = to reach the goal by the goal date from
    where the trend is now, the student would need an ROI more than ``tolerance`` faster than
    the current one (once the goal date has passed: the trend ends more than ``tolerance`` below
    the extended aim line). A steeper trend that is still below the aim line is "catching up", not a
    reason to raise the goal."""
    actual, needed, tol = fitted.slope, aim.slope, rule.tolerance
    diff = sign * (actual - needed)
    rates = f"ROI {_roi(actual)}/week vs {_roi(needed)}/week needed"
    last = pts[-1][0]
    now, on_line = fitted.value_at(last), aim.value_at(last)
    level = f"about {fmt_number(round(now, 1), 1)} now vs {fmt_number(round(on_line, 1), 1)} on the aim line"
    if diff > tol + _EPS:
        if sign * (now - on_line) < -_EPS * max(1.0, abs(on_line)):
            return (
                "continue",
                "above",
                f"the trend is steeper than the aim line ({rates}) and catching up ({level}) "
                "— continue the intervention",
            )
        return (
            "raise-goal",
            "above",
            f"the trend is more than {fmt_number(tol)} a week ahead of the aim line ({rates}) "
            "— consider raising the goal",
        )
    if diff < -tol - _EPS:
        return (
            "change",
            "below",
            f"the trend is more than {fmt_number(tol)} a week behind the aim line ({rates}) "
            "— consider changing the intervention",
        )
    weeks_left = weeks_between(last, aim.goal_date)
    if weeks_left > 0:
        catch_up = (aim.goal_value - now) / weeks_left
        well_below = sign * (catch_up - actual) > tol + _EPS
    else:  # past the goal date: the aim line continues; compare with where it is now
        well_below = sign * (on_line - now) > tol + _EPS
    if well_below:
        return (
            "change",
            "below",
            f"the trend runs about parallel to the aim line ({rates}) but well below it "
            f"({level}), so the goal will not be met — consider changing the intervention",
        )
    return (
        "continue",
        "near",
        f"the trend is within {fmt_number(tol)} a week of the aim line ({rates}) "
        "— continue the intervention",
    )


# --------------------------------------------------------------------------- behaviour
def cico_flag(values: Sequence[float], goal: float = 80, k: int = 3, m: int = 5) -> bool:
    """Check-In/Check-Out: at least ``k`` of the last ``m`` daily point percentages below the
    goal = questionable response (DOMAIN.md behaviour: "3 of the last 5 days below goal").
    ``values`` are in date order; with fewer than ``m`` days the available ones are used."""
    recent = list(values)[-m:]
    return sum(1 for v in recent if v < goal) >= k


def pnd(
    baseline_values: Sequence[float],
    intervention_values: Sequence[float],
    higher_is_better: bool = True,
) -> float:
    """Percent of non-overlapping data, 0–100: share of intervention-phase points above the
    highest baseline point (below the lowest for lower-is-better) (DOMAIN.md behaviour)."""
    if not baseline_values or not intervention_values:
        raise InsufficientDataError("PND needs baseline and intervention scores")
    if higher_is_better:
        edge = max(baseline_values)
        hits = sum(1 for v in intervention_values if v > edge)
    else:
        edge = min(baseline_values)
        hits = sum(1 for v in intervention_values if v < edge)
    return 100.0 * hits / len(intervention_values)
