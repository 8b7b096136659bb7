"""Decision-rule settings, passed in by the app (DOMAIN.md: "make thresholds configurable;
these are the field's defaults" — NCII point rule, aimsweb trend rule, 80 % dosage)."""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from typing import Any, Literal

from store.model import Measure
from store.progress import TREND_METHODS, PointRule, RuleSettings, TrendRule
from store.records import frozen_record

#: The thresholds this config shares with :class:`RuleSettings`, by the same name; their
#: defaults are RuleSettings' (one place for the field's numbers).
_RULE_DEFAULTS = RuleSettings()
_RULE_FIELDS = (
    "min_weeks",
    "level_gap_weeks",
    "goal_met_points",
    "behaviour_window",
    "behaviour_below",
    "behaviour_goal_weeks",
    "behaviour_min_points",
    "fidelity_target",
    "provisional_points",
)


@frozen_record
class DecisionConfig:
    """Which decision rule to apply and its thresholds (the field's defaults).

    * ``rule``: "point" (NCII 4-point rule; ``point_of_last`` for "n of the last m") or
      "trend" (aimsweb ROI comparison, ``trend_tolerance`` a week for measures without their
      own band — ORF's is 0.5 WCPM — else ``trend_tolerance_fraction`` of the needed ROI).
    * ``min_weeks``: weeks of instruction in the current phase before "change" or "raise the
      goal", as well as the rule's points (IRIS Center: 6–8 points and ≥ 3 weeks).
    * ``level_gap_weeks``: a trend "well below" the aim line trails it by more than this many
      weeks of the needed growth (a level gap in score units).
    * ``goal_met_points``: the goal is met when the median of this many latest scores reaches
      it (aimsweb "Goal Achieved"; the median of 3 as in benchmark practice).
    * ``behaviour_below`` of the last ``behaviour_window`` days below goal = questionable
      response; goal met after ``behaviour_goal_weeks`` consecutive weeks at goal; at least
      ``behaviour_min_points`` ratings first (CICO-SWIS).
    * ``dosage_target``: fraction of planned sessions *and* minutes a student must receive
      before "change" is recommended (eduCLIMBER: ≥ 80 %); ``fidelity_target`` likewise for
      the fidelity checklist (NCII: check adherence before judging response).
    * ``provisional_points``: the trend line and ROI are shown from this many points, marked
      provisional until the rule's minimum.
    * ``probe_overdue_factor``: a probe is overdue when there is no score within this many
      probe intervals (Group.probe_every_weeks).
    * ``plausibility_jump``: score entry asks before saving a score this far (a fraction)
      outside the student's recent range (see ``store.plausible``).
    """

    rule: Literal["point", "trend"] = "point"
    point_n: int = 4
    point_min: int = 6
    point_of_last: int | None = None
    trend_min: int = 8
    trend_tolerance: float = 0.5
    trend_method: str = "ols"
    trend_tolerance_fraction: float = _RULE_DEFAULTS.tolerance_fraction
    min_weeks: float = _RULE_DEFAULTS.min_weeks
    level_gap_weeks: float = _RULE_DEFAULTS.level_gap_weeks
    goal_met_points: int = _RULE_DEFAULTS.goal_met_points
    behaviour_window: int = _RULE_DEFAULTS.behaviour_window
    behaviour_below: int = _RULE_DEFAULTS.behaviour_below
    behaviour_goal_weeks: int = _RULE_DEFAULTS.behaviour_goal_weeks
    behaviour_min_points: int = _RULE_DEFAULTS.behaviour_min_points
    dosage_target: float = 0.8
    fidelity_target: float = _RULE_DEFAULTS.fidelity_target
    provisional_points: int = _RULE_DEFAULTS.provisional_points
    probe_overdue_factor: float = 2
    plausibility_jump: float = 0.5

    def __post_init__(self) -> None:
        if self.rule not in ("point", "trend"):
            raise ValueError(f"decision rule {self.rule!r} is not 'point' or 'trend'")
        if self.trend_method not in TREND_METHODS:
            raise ValueError(f"trend method {self.trend_method!r} is not one of {TREND_METHODS}")
        if not 0 <= self.dosage_target <= 1:
            raise ValueError(f"dosage target {self.dosage_target} must be a fraction 0–1")
        if not 0 <= self.fidelity_target <= 1:
            raise ValueError(f"fidelity target {self.fidelity_target} must be a fraction 0–1")
        if self.probe_overdue_factor <= 0:
            raise ValueError("probe overdue factor must be positive")
        if self.min_weeks < 0 or self.level_gap_weeks < 0 or self.trend_tolerance_fraction < 0:
            raise ValueError("minimum weeks, level gap and tolerance must not be negative")
        if not 1 <= self.behaviour_below <= self.behaviour_window:
            raise ValueError(
                f"behaviour rule: {self.behaviour_below} of the last {self.behaviour_window} "
                "days is impossible"
            )
        if self.goal_met_points < 1 or self.behaviour_goal_weeks < 1:
            raise ValueError("goal-met points and weeks must be at least 1")
        if self.plausibility_jump <= 0:
            raise ValueError("plausibility jump must be positive")
        self.decision_rule()  # validates the rule's own numbers

    def decision_rule(self, measure: Measure | None = None) -> PointRule | TrendRule:
        """The rule object :func:`store.progress.decide` takes. With a ``measure`` the trend
        band is the measure's own (ORF: aimsweb's 0.5 WCPM), else a fraction of the needed
        ROI; without one, ``trend_tolerance``."""
        if self.rule == "trend":
            tolerance = self.trend_tolerance if measure is None else measure.trend_tolerance
            return TrendRule(
                self.trend_min, tolerance, self.trend_method, self.trend_tolerance_fraction
            )
        return PointRule(self.point_n, self.point_min, self.point_of_last)

    def rule_settings(self, measure: Measure | None = None) -> RuleSettings:
        """The thresholds :func:`store.progress.decide` applies besides the rule."""
        return RuleSettings(
            **{name: getattr(self, name) for name in _RULE_FIELDS},
            tolerance=None if measure is None else measure.trend_tolerance,
            tolerance_fraction=self.trend_tolerance_fraction,
        )

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> DecisionConfig:
        """Unknown keys are ignored, missing ones take the defaults."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})

    def with_(self, **changes: Any) -> DecisionConfig:
        return replace(self, **changes)
