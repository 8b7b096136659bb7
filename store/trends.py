"""Aim lines and trend lines: baseline, the aim line (with a new one per phase), OLS / Tukey /
Theil–Sen trends, all with time in weeks of school (DOMAIN.md: baseline, aim line, ROI, trend
line, phase change, Tukey tri-split). Re-exported by :mod:`store.progress`.

Conventions (as in :mod:`store.progress`): a *point* is a ``(date, value)`` pair, sorted by
``(date, value)`` before use; slopes and ROIs are in score units per week of school;
``Trend.intercept`` is the line's value at ``Trend.origin`` (the earliest point's date).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from statistics import median
from typing import Literal

from store.errors import StoreError
from store.model import Goal
from store.records import frozen_record
from store.school_weeks import school_weeks_between

Point = tuple[date, float]
TrendMethod = Literal["ols", "tukey", "theil-sen"]
TREND_METHODS: tuple[str, ...] = ("ols", "tukey", "theil-sen")

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
    Center), flat at the goal beyond the goal date (aimsweb: the aim line ends at the goal
    date). ``slope`` is the needed ROI in units per week of school: ``breaks`` are the Mondays
    of whole no-school weeks (``store.school_weeks.break_weeks``), which the line waits out,
    so a student on target per week of instruction is still on the line after winter break."""

    start: date
    start_value: float
    goal_date: date
    goal_value: float
    breaks: tuple[date, ...] = ()

    def __post_init__(self) -> None:
        if self.goal_date <= self.start:
            raise ValueError(
                f"aim line: goal date {self.goal_date} must be after its start {self.start}"
            )
        if self.weeks <= 0:
            raise ValueError(f"aim line: no week of school between {self.start} and the goal date")

    @property
    def weeks(self) -> float:
        """Weeks of school from the start to the goal date."""
        return school_weeks_between(self.start, self.goal_date, self.breaks)

    @property
    def slope(self) -> float:
        return (self.goal_value - self.start_value) / self.weeks

    @property
    def is_flat(self) -> bool:
        return abs(self.goal_value - self.start_value) <= _EPS

    def value_at(self, d: date) -> float:
        """The line's value on ``d``: extended back before the start, flat after the goal."""
        if d >= self.goal_date:
            return self.goal_value
        return self.start_value + self.slope * school_weeks_between(self.start, d, self.breaks)

    @classmethod
    def from_goal(cls, goal: Goal, *, breaks: Iterable[date] = (), flat: bool = False) -> AimLine:
        """The goal's aim line; ``flat`` draws it at the goal level from the baseline date (a
        behaviour goal: CICO 80 % every day, not a ramp; CICO-SWIS)."""
        start_value = goal.goal_value if flat else goal.baseline_value
        return cls(goal.baseline_date, start_value, goal.goal_date, goal.goal_value, tuple(breaks))


def phase_aim(aim: AimLine, points: Iterable[tuple[date, float]], phase_start: date) -> AimLine:
    """A new aim line for the phase that starts on ``phase_start``: from the phase's starting
    level — the median of the last 3 scores before it (IRIS Center baseline rule) — to the
    same goal (aimswebPlus and FastBridge restart the line at an intervention change). Without
    earlier scores the old line's value on that date is the start. A phase that starts on or
    after the goal date, or a flat (behaviour) line, keeps ``aim``."""
    if phase_start <= aim.start or phase_start >= aim.goal_date or aim.is_flat:
        return aim
    before = [v for d, v in sorted_points(points) if d < phase_start][-3:]
    level = float(median(before)) if before else aim.value_at(phase_start)
    try:
        return AimLine(phase_start, level, aim.goal_date, aim.goal_value, aim.breaks)
    except ValueError:  # only break weeks left before the goal date
        return aim


# --------------------------------------------------------------------------- trend lines
@frozen_record
class Trend:
    """A fitted trend line: ``value = intercept + slope · weeks since origin``. ``slope`` is the
    actual ROI in units per week of school (DOMAIN.md, ROI / trend line; ``breaks`` as in
    :class:`AimLine`)."""

    slope: float
    intercept: float
    origin: date
    method: str
    n: int
    breaks: tuple[date, ...] = ()

    def value_at(self, d: date) -> float:
        return self.intercept + self.slope * school_weeks_between(self.origin, d, self.breaks)


def _xy(
    points: Iterable[tuple[date, float]], breaks: tuple[date, ...] = ()
) -> tuple[date, list[float], list[float]]:
    pts = sorted_points(points)
    if not pts:
        raise InsufficientDataError("no scores to fit a trend line to")
    origin = pts[0][0]
    xs = [school_weeks_between(origin, d, breaks) for d, _ in pts]
    return origin, xs, [v for _, v in pts]


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


def trend(
    points: Iterable[tuple[date, float]], method: str = "ols", *, breaks: Iterable[date] = ()
) -> Trend:
    """Trend line through ``(date, value)`` points, time in weeks since the earliest date.

    ``ols``: least squares (aimsweb, FastBridge). ``tukey``: tri-split through the (median week,
    median score) of the first and last thirds (DOMAIN.md). ``theil-sen``: median of all
    pairwise slopes (pairs on the same date skipped), intercept = median of (y − slope·x).
    Fewer than 2 points (3 for Tukey) or a single date raise :class:`InsufficientDataError`.
    ``breaks`` (Mondays of whole no-school weeks) are left out of the time axis.
    """
    if method not in TREND_METHODS:
        raise ValueError(f"trend method {method!r} is not one of: {', '.join(TREND_METHODS)}")
    skip = tuple(breaks)
    origin, xs, ys = _xy(points, skip)
    need = 3 if method == "tukey" else 2
    if len(xs) < need:
        raise InsufficientDataError(f"a {method} trend needs at least {need} scores, got {len(xs)}")
    fit = {"ols": _ols, "tukey": _tukey, "theil-sen": _theil_sen}[method]
    slope, intercept = fit(xs, ys)
    return Trend(float(slope), float(intercept), origin, method, len(xs), skip)
