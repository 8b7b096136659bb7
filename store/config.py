"""Decision-rule settings, passed in by the app (DOMAIN.md: "make thresholds configurable;
these are the field's defaults" — NCII point rule, aimsweb trend rule, 80 % dosage)."""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from typing import Any, Literal

from store.progress import TREND_METHODS, PointRule, TrendRule
from store.records import frozen_record


@frozen_record
class DecisionConfig:
    """Which decision rule to apply and its thresholds.

    ``rule``: "point" (NCII 4-point rule; ``point_of_last`` for "n of the last m") or "trend"
    (aimsweb ROI comparison). ``dosage_target``: fraction of planned sessions a student must
    attend before "change" is recommended. ``probe_overdue_factor``: a probe is overdue when
    there is no score within this many probe intervals (Group.probe_every_weeks)."""

    rule: Literal["point", "trend"] = "point"
    point_n: int = 4
    point_min: int = 6
    point_of_last: int | None = None
    trend_min: int = 8
    trend_tolerance: float = 0.5
    trend_method: str = "ols"
    dosage_target: float = 0.8
    probe_overdue_factor: float = 2

    def __post_init__(self) -> None:
        if self.rule not in ("point", "trend"):
            raise ValueError(f"decision rule {self.rule!r} is not 'point' or 'trend'")
        if self.trend_method not in TREND_METHODS:
            raise ValueError(f"trend method {self.trend_method!r} is not one of {TREND_METHODS}")
        if not 0 <= self.dosage_target <= 1:
            raise ValueError(f"dosage target {self.dosage_target} must be a fraction 0–1")
        if self.probe_overdue_factor <= 0:
            raise ValueError("probe overdue factor must be positive")
        self.decision_rule()  # validates the rule's own numbers

    def decision_rule(self) -> PointRule | TrendRule:
        """The rule object :func:`store.progress.decide` takes."""
        if self.rule == "trend":
            return TrendRule(self.trend_min, self.trend_tolerance, self.trend_method)
        return PointRule(self.point_n, self.point_min, self.point_of_last)

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> DecisionConfig:
        """Unknown keys are ignored, missing ones take the defaults."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})

    def with_(self, **changes: Any) -> DecisionConfig:
        return replace(self, **changes)
