"""Decision rules: what the data say for one student on one measure (DOMAIN.md decision
rules; NCII, IRIS Center, aimsweb, CICO-SWIS, eduCLIMBER). :func:`decide` is the one engine
every screen, report and command shows. Re-exported by :mod:`store.progress`.

A score is "above" or "below" the aim line only if it differs from the line's value on that
date (by more than a rounding tolerance). Decisions count only the *intervention-phase*
points: dated after the aim line's start (DOMAIN.md: "not counting baseline") and on or after
the latest phase change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from statistics import median
from typing import Literal, Protocol

from store.model import fmt_number
from store.records import frozen_record
from store.school_weeks import school_weeks_between
from store.trends import (
    _EPS,
    TREND_METHODS,
    AimLine,
    InsufficientDataError,
    Point,
    Trend,
    phase_aim,
    sorted_points,
    trend,
)
from store.vocabulary import DecisionKind

Status = Literal["above", "near", "below", "insufficient"]


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
    near target (continue), more than ``tolerance`` behind → below target (change).

    aimsweb's ±0.5 a week is in words correct per minute; it does not transfer to a 0–10
    rating or a 0–100 % card (DOMAIN.md). ``tolerance=None`` takes ``tolerance_fraction`` of
    the needed ROI instead, in the measure's own units."""

    min_points: int = 8
    tolerance: float | None = 0.5
    method: str = "ols"
    tolerance_fraction: float = 0.25

    def __post_init__(self) -> None:
        if self.method not in TREND_METHODS:
            raise ValueError(f"trend method {self.method!r} is not one of {TREND_METHODS}")
        if (self.tolerance is not None and self.tolerance < 0) or self.tolerance_fraction < 0:
            raise ValueError("trend rule: tolerance must not be negative")

    @property
    def needed_points(self) -> int:
        # aimsweb: ≤ 2 scores is always insufficient data.
        return max(self.min_points, 3)

    @property
    def label(self) -> str:
        names = {"ols": "OLS", "tukey": "Tukey", "theil-sen": "Theil–Sen"}
        return f"trend rule ({names[self.method]})"

    def band(self, needed: float) -> float:
        """The ± band around the needed ROI, in units per week."""
        if self.tolerance is not None:
            return self.tolerance
        return self.tolerance_fraction * abs(needed)


Rule = PointRule | TrendRule


@frozen_record
class RuleSettings:
    """The thresholds :func:`decide` applies besides the rule itself; the defaults are the
    field's (see ``store.config.DecisionConfig``, which builds one from the user's settings).

    ``min_weeks`` of instruction in the phase before change / raise the goal (IRIS Center:
    6–8 points and ≥ 3 weeks). ``level_gap_weeks``: "well below" the aim line = trailing it
    by more than this many weeks of the needed growth. ``goal_met_points``: the goal is met
    when the median of the latest this-many scores reaches it (aimsweb Goal Achieved; median
    of 3 as in benchmark practice). Behaviour (CICO-SWIS): ``behaviour_below`` of the last
    ``behaviour_window`` days below goal = questionable response, after at least
    ``behaviour_min_points`` ratings; goal met after ``behaviour_goal_weeks`` consecutive
    school weeks whose mean is at goal. ``fidelity_target``: below this share of the
    checklist, check delivery first (NCII). ``provisional_points``: ROI and trend from this
    many points. ``tolerance``: the slope band used to tell whether level and trend agree
    (None: ``tolerance_fraction`` of the needed ROI)."""

    min_weeks: float = 3
    level_gap_weeks: float = 3
    goal_met_points: int = 3
    behaviour_window: int = 5
    behaviour_below: int = 3
    behaviour_goal_weeks: int = 4
    behaviour_min_points: int = 5
    fidelity_target: float = 0.8
    provisional_points: int = 3
    tolerance: float | None = None
    tolerance_fraction: float = 0.25

    def band(self, needed: float) -> float:
        if self.tolerance is not None:
            return self.tolerance
        return self.tolerance_fraction * abs(needed)


class DosageLike(Protocol):
    """Anything with session counts, e.g. :class:`store.dosage.StudentDosage` (which also
    gives minutes, sessions not logged and fidelity; a tuple gives only the counts)."""

    @property
    def sessions_attended(self) -> int: ...

    @property
    def sessions_planned(self) -> int: ...


@frozen_record
class Decision:
    """What the data say (DOMAIN.md, decision rules). ``status`` is the student's standing in
    performance terms (``below`` = worse than the aim, whatever the measure's direction).

    ``aim`` is the line the decision compared with (a phase change starts its own);
    ``weeks`` the weeks of school in the current phase up to its latest score; ``provisional``
    marks a trend/ROI shown before the rule's minimum; ``pnd`` and ``pct_at_goal`` are given
    for behaviour measures and after a phase change; ``sessions_not_logged``, ``minutes_pct``
    and ``fidelity_pct`` are the delivery figures the verdict checked."""

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
    aim: AimLine | None = None
    weeks: float = 0.0
    provisional: bool = False
    pnd: float | None = None
    pct_at_goal: float | None = None
    sessions_not_logged: int | None = None
    minutes_pct: float | None = None
    fidelity_pct: float | None = None

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


def _num(value: float) -> str:
    return fmt_number(round(value, 1) + 0.0, 1)


def _weeks(value: float) -> str:
    w = _num(value)
    return f"{w} week" if w == "1" else f"{w} weeks"


@frozen_record
class _Delivery:
    """What the verdict knows of delivery: counts, minutes, unlogged sessions, fidelity."""

    attended: int
    planned: int
    not_logged: int = 0
    minutes_received: int | None = None
    minutes_planned: int | None = None
    fidelity: float | None = None

    @property
    def logged(self) -> int:
        return self.planned - self.not_logged

    @property
    def minutes_pct(self) -> float | None:
        if not self.minutes_planned or self.minutes_received is None:
            return None
        return 100.0 * self.minutes_received / self.minutes_planned


def _delivery(dosage: DosageLike | tuple[int, int] | None) -> _Delivery | None:
    if dosage is None:
        return None
    if isinstance(dosage, tuple):
        attended, planned = dosage
        return _Delivery(int(attended), int(planned))
    not_logged = int(getattr(dosage, "sessions_not_logged", 0) or 0)
    minutes_planned = getattr(dosage, "minutes_planned_logged", None)
    return _Delivery(
        int(dosage.sessions_attended),
        int(dosage.sessions_planned),
        not_logged,
        getattr(dosage, "minutes_received", None),
        None if minutes_planned is None else int(minutes_planned),
        getattr(dosage, "fidelity_avg", None),
    )


def _delivery_verdict(
    d: _Delivery | None, dosage_target: float, fidelity_target: float
) -> tuple[str, str] | None:
    """Before a "change" or "questionable response" is blamed on the intervention, check that
    it was delivered (NCII: check adherence and dosage before concluding a student is not
    responding; eduCLIMBER: ≥ 80 % of planned sessions and minutes; days never entered are
    not captured). Returns (kind, reason) or None when delivery is not the question."""
    if d is None or d.planned <= 0:
        return None
    low = []
    if d.logged > 0 and d.attended < dosage_target * d.logged:
        word = "planned" if not d.not_logged else "logged"
        pct = round(100 * d.attended / d.logged)
        low.append(f"attended {d.attended} of {d.logged} {word} sessions ({pct} %)")
    mpct = d.minutes_pct
    if mpct is not None and mpct < 100 * dosage_target:
        low.append(
            f"received {d.minutes_received} of {d.minutes_planned} planned minutes "
            f"({round(mpct)} %)"
        )
    if low:
        unlogged = f"; {d.not_logged} more not logged" if d.not_logged else ""
        return (
            "low-dosage",
            f"low dosage — {' and '.join(low)}{unlogged}; "
            "deliver the planned sessions before judging response",
        )
    if d.not_logged and d.attended < dosage_target * d.planned:
        word = "session" if d.not_logged == 1 else "sessions"
        return (
            "not-logged",
            f"{d.not_logged} {word} not logged — log them before judging dosage "
            + (
                f"(attended {d.attended} of the {d.logged} logged)"
                if d.logged
                else "(none logged yet)"
            ),
        )
    if d.fidelity is not None and d.fidelity < 100 * fidelity_target - _EPS:
        return (
            "low-fidelity",
            f"low fidelity — {round(d.fidelity)} % of the checklist done on average (target "
            f"{round(100 * fidelity_target)} %); check delivery before judging response",
        )
    return None


def _behaviour_stats(
    points: Sequence[Point], pts: Sequence[Point], aim: AimLine, sign: int, phase: date | None
) -> tuple[float | None, float | None]:
    """(PND, % of days at goal) for the phase: PND against the previous phase (or the
    baseline period), % at goal = share of phase scores at or better than the goal."""
    if not pts:
        return None, None
    goal = aim.goal_value
    at_goal = 100.0 * sum(1 for _, v in pts if sign * (v - goal) >= -_EPS) / len(pts)
    cut = phase if phase is not None and phase > aim.start else None
    before = [v for d, v in points if (d < cut if cut else d <= aim.start)]
    try:
        share = pnd(before, [v for _, v in pts], higher_is_better=sign > 0)
    except InsufficientDataError:
        share = None
    return share, at_goal


def _goal_reached(pts: Sequence[Point], aim: AimLine, k: int, sign: int) -> float | None:
    """The median of the latest ``k`` scores when it reaches the goal, else None."""
    if len(pts) < k:
        return None
    level = float(median(v for _, v in pts[-k:]))
    return level if sign * (level - aim.goal_value) >= -_EPS else None


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
    behaviour: bool = False,
    today: date | None = None,
    settings: RuleSettings | None = None,
) -> Decision:
    """Apply a decision rule to one student's scores on one measure (DOMAIN.md decision rules;
    NCII, IRIS Center, aimsweb, CICO-SWIS, eduCLIMBER).

    In this order:

    1. Only intervention-phase points count (:func:`phase_points`); a phase change starts a
       new aim line from the phase's starting level (:func:`phase_aim`).
    2. **Goal attainment** (aimsweb Goal Achieved / Goal Missed): the median of the last
       ``goal_met_points`` scores at or past the goal → ``goal-met`` (set a new goal, never
       "change"); ``today`` after the goal date without it → ``goal-missed``.
    3. **Behaviour measures** (``behaviour``: CICO, DBR; CICO-SWIS) are judged against the
       goal level: ``behaviour_below`` of the last ``behaviour_window`` days worse than the
       goal → ``questionable-response``; ``behaviour_goal_weeks`` consecutive weeks at goal →
       ``goal-met`` (consider fading to self-monitoring); else ``continue`` (responding).
    4. Academic measures need the rule's points **and** ``min_weeks`` weeks of school in the
       phase (IRIS Center), else ``insufficient-data``; then the point or trend rule against
       the phase's aim line. When level and slope disagree by more than the slope band
       (above the line but growing slower than needed, or below it but catching up), the
       verdict is ``continue`` and says so.
    5. A ``change`` or ``questionable-response`` is first checked against delivery: low
       dosage in sessions or minutes (``dosage_target`` of the logged plan), sessions not
       logged, low fidelity (NCII: check dosage and adherence before response).

    ``dosage`` is a :class:`store.dosage.StudentDosage` (or an ``(attended, planned)``
    tuple). For lower-is-better measures above and below swap meaning. ROI and the trend use
    the trend rule's method, else ``roi_method`` (default OLS), from
    ``settings.provisional_points`` points (``provisional`` until the rule's minimum).
    """
    cfg = settings or RuleSettings()
    all_points = sorted_points(points)
    start = latest_phase_start(phase_start)
    phased = start is not None and start > aim.start
    line = phase_aim(aim, all_points, start) if phased and start is not None else aim
    pts = phase_points(all_points, aim, start)
    sign = 1 if higher_is_better else -1
    need = max(cfg.behaviour_min_points, cfg.behaviour_window) if behaviour else rule.needed_points
    where = f"since the phase change on {start}" if phased else "since the baseline"
    begin = start if phased and start is not None else aim.start
    weeks = school_weeks_between(begin, pts[-1][0], aim.breaks) if pts else 0.0
    fitted: Trend | None = None
    method = rule.method if isinstance(rule, TrendRule) else (roi_method or "ols")
    if len(pts) >= max(cfg.provisional_points, 3 if method == "tukey" else 2):
        try:
            fitted = trend(pts, method, breaks=aim.breaks)
        except InsufficientDataError:
            fitted = None
    delivery = _delivery(dosage)
    share, at_goal = (None, None)
    if behaviour or phased:
        share, at_goal = _behaviour_stats(all_points, pts, aim, sign, start)
    common = {
        "rule": "behaviour rule (CICO-SWIS)" if behaviour else rule.label,
        "points": tuple(pts),
        "needed_points": need,
        "actual_roi": fitted.slope if fitted else None,
        "needed_roi": line.slope,
        "trend": fitted,
        "phase_start": start,
        "sessions_attended": delivery.attended if delivery else None,
        "sessions_planned": delivery.planned if delivery else None,
        "aim": line,
        "weeks": weeks,
        "provisional": fitted is not None and len(pts) < need,
        "pnd": share,
        "pct_at_goal": at_goal,
        "sessions_not_logged": delivery.not_logged if delivery else None,
        "minutes_pct": delivery.minutes_pct if delivery else None,
        "fidelity_pct": delivery.fidelity if delivery else None,
    }

    def made(kind: str, status: str, reason: str) -> Decision:
        # common holds Decision's other fields by name, each of its type; a dict cannot say so
        return Decision(kind, reason, status, **common)  # type: ignore[arg-type]

    def checked(kind: str, status: str, reason: str) -> Decision:
        if kind in ("change", "questionable-response"):
            verdict = _delivery_verdict(delivery, dosage_target, cfg.fidelity_target)
            if verdict is not None:
                return made(verdict[0], status, verdict[1])
        return made(kind, status, reason)

    goal_words = fmt_number(aim.goal_value, 1)
    last_day = pts[-1][0] if pts else None
    ref = today or last_day
    complete = ref is not None and ref > aim.goal_date  # aimsweb: judged at completion
    k = cfg.goal_met_points
    reached = None if behaviour else _goal_reached(pts, aim, k, sign)
    enough = len(pts) >= need and (behaviour or weeks >= cfg.min_weeks - _EPS)

    def goal_met(level: float) -> Decision:
        return made(
            "goal-met",
            "above",
            f"goal met — the median of the last {k} scores ({_nums(v for _, v in pts[-k:])} "
            f"→ {_num(level)}) reached the goal of {goal_words} — set a new goal",
        )

    # 2. goal attainment: at completion (the goal date passed) met or missed; before it, met
    # once the rule's points and weeks are in (a goal is never "met" on too few points)
    if reached is not None and (complete or enough):
        return goal_met(reached)
    if behaviour and enough:
        met = _weeks_at_goal(pts, aim, sign, cfg.behaviour_goal_weeks)
        if met is not None:
            return made(
                "goal-met",
                "above",
                f"goal met — at or {'above' if sign > 0 else 'below'} the goal of {goal_words} "
                f"for {cfg.behaviour_goal_weeks} consecutive weeks (weekly means {_nums(met)}) "
                "— consider fading to self-monitoring",
            )
    if complete:
        recent = pts[-k:]
        level = (
            f"median of the last {len(recent)}: {_num(median(v for _, v in recent))}"
            if recent
            else "no scores in this phase"
        )
        return made(
            "goal-missed",
            "below",
            f"goal date {aim.goal_date:%b %-d, %Y} passed — goal not met ({level} vs the goal "
            f"of {goal_words}) — set a new goal or change the intervention",
        )

    # 3–4. enough data?
    if len(pts) < need:
        word = "score" if len(pts) == 1 else "scores"
        what = "the behaviour rule" if behaviour else f"the {rule.label}"
        return made(
            "insufficient-data",
            "insufficient",
            f"only {len(pts)} {word} {where}; {what} needs {need} — keep monitoring before "
            "deciding",
        )
    if behaviour:
        kind, status, reason = _behaviour_rule(pts, aim, sign, cfg)
        return checked(kind, status, reason)
    if not enough:
        return made(
            "insufficient-data",
            "insufficient",
            f"{len(pts)} scores {where}, but only {_weeks(weeks)} of instruction; decisions "
            f"need {_weeks(cfg.min_weeks)} — keep monitoring before deciding",
        )
    if isinstance(rule, TrendRule):
        if fitted is None:
            return made(
                "insufficient-data",
                "insufficient",
                f"the {len(pts)} scores {where} are all on one date — keep monitoring",
            )
        kind, status, reason = _trend_rule(pts, line, rule, fitted, sign, cfg)
    else:
        kind, status, reason = _point_rule(pts, line, rule, sign)
        kind, reason = _level_vs_slope(kind, reason, fitted, line, sign, cfg)
    return checked(kind, status, reason)


def _level_vs_slope(
    kind: str, reason: str, fitted: Trend | None, line: AimLine, sign: int, cfg: RuleSettings
) -> tuple[str, str]:
    """The point rule reads the level; when the trend clearly says otherwise (beyond the
    slope band), say so instead of an unqualified verdict (DOMAIN.md: judged on level and
    trend)."""
    if fitted is None or kind not in ("change", "raise-goal"):
        return kind, reason
    diff = sign * (fitted.slope - line.slope)
    band = cfg.band(line.slope)
    rates = f"ROI {_roi(fitted.slope)}/week vs {_roi(line.slope)}/week needed"
    lead = reason.split(" — ")[0]
    if kind == "raise-goal" and diff < -band - _EPS:
        return (
            "continue",
            f"{lead}, but growing slower than needed ({rates}) — continue and watch the trend "
            "before raising the goal",
        )
    if kind == "change" and diff > band + _EPS:
        return (
            "continue",
            f"{lead}, but growing faster than needed ({rates}): catching up — continue the "
            "intervention",
        )
    return kind, reason


def _weeks_at_goal(pts: Sequence[Point], aim: AimLine, sign: int, weeks: int) -> list[float] | None:
    """The weekly means of the last ``weeks`` consecutive school weeks when each is at or
    better than the goal (CICO-SWIS: ≥ 80 % for about 4 consecutive weeks), else None."""
    by_week: dict[date, list[float]] = {}
    for d, v in pts:
        by_week.setdefault(d - timedelta(days=d.weekday()), []).append(v)
    mondays = sorted(by_week)[-weeks:]
    if len(mondays) < weeks:
        return None
    for a, b in zip(mondays, mondays[1:], strict=False):
        if abs(school_weeks_between(a, b, aim.breaks) - 1) > _EPS:
            return None  # a school week without a rating breaks the run
    means = [sum(by_week[m]) / len(by_week[m]) for m in mondays]
    if all(sign * (m - aim.goal_value) >= -_EPS for m in means):
        return means
    return None


def _behaviour_rule(
    pts: Sequence[Point], aim: AimLine, sign: int, cfg: RuleSettings
) -> tuple[str, str, str]:
    """CICO-SWIS: "3 of the last 5 days below goal" = questionable response; otherwise the
    student is responding (DOMAIN.md behaviour). For a lower-is-better rating (DBR
    disruptive behaviour) "below goal" means above the goal value."""
    window = [v for _, v in pts[-cfg.behaviour_window :]]
    worse = [v for v in window if sign * (v - aim.goal_value) < -_EPS]
    goal = fmt_number(aim.goal_value, 1)
    side = "below" if sign > 0 else "above"
    values = _nums(window)
    n = len(window)
    if len(worse) >= cfg.behaviour_below:
        return (
            "questionable-response",
            "below",
            f"questionable response — {len(worse)} of the last {n} days {side} the goal of "
            f"{goal} ({values}) — review the intervention with the team",
        )
    return (
        "continue",
        "near",
        f"responding — {n - len(worse)} of the last {n} days at or {'above' if sign > 0 else 'below'} "
        f"the goal of {goal} ({values}) — continue",
    )


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
    pts: list[Point],
    aim: AimLine,
    rule: TrendRule,
    fitted: Trend,
    sign: int,
    cfg: RuleSettings | None = None,
) -> tuple[str, str, str]:
    """aimsweb's ROI comparison, plus DOMAIN.md's caveat: a trend about parallel to the aim line
    but well below it is not "continue". "Well below" is a level gap in score units: the trend
    trails the aim line on the latest score's date by more than ``level_gap_weeks`` weeks of
    the needed growth (or of the slope band, for a flat line). A steeper trend that is still
    below the aim line is "catching up", not a reason to raise the goal. The band is the rule's
    tolerance in the measure's units (see :class:`TrendRule`)."""
    cfg = cfg or RuleSettings()
    actual, needed = fitted.slope, aim.slope
    tol = rule.band(needed)
    diff = sign * (actual - needed)
    rates = f"ROI {_roi(actual)}/week vs {_roi(needed)}/week needed"
    last = pts[-1][0]
    now, on_line = fitted.value_at(last), aim.value_at(last)
    level = f"about {_num(now)} now vs {_num(on_line)} on the aim line"
    band = fmt_number(round(tol, 2), 2)
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
            f"the trend is more than {band} a week ahead of the aim line ({rates}) "
            "— consider raising the goal",
        )
    if diff < -tol - _EPS:
        return (
            "change",
            "below",
            f"the trend is more than {band} a week behind the aim line ({rates}) "
            "— consider changing the intervention",
        )
    gap_allowed = cfg.level_gap_weeks * max(abs(needed), tol)
    if sign * (on_line - now) > gap_allowed + _EPS:
        return (
            "change",
            "below",
            f"the trend runs about parallel to the aim line ({rates}) but well below it "
            f"({level}), so the goal will not be met — consider changing the intervention",
        )
    return (
        "continue",
        "near",
        f"the trend is within {band} a week of the aim line ({rates}) — continue the intervention",
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
