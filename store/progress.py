"""Progress monitoring: baseline, aim line, trend lines, ROI, decision rules, goal helpers.

One import for the engine's public names, which live in three modules:

* :mod:`store.trends` — baseline, aim line (a new one per phase), OLS / Tukey / Theil–Sen;
* :mod:`store.decisions` — the point, trend and behaviour rules and :func:`decide`;
* :mod:`store.goals` — goal setting from norms, rates and benchmarks; gap analysis.

Pure functions over plain dates and numbers (and the model's records). Definitions, decision
rules and norms follow ``shared/DOMAIN.md``; every function names its source. Time is in weeks
of school (days / 7, whole no-school weeks left out when the calendar's breaks are given).
"""

from __future__ import annotations

# ruff: noqa: F401 - this module re-exports
from store.decisions import (
    Decision,
    DosageLike,
    PointRule,
    Rule,
    RuleSettings,
    Status,
    TrendRule,
    cico_flag,
    decide,
    latest_phase_start,
    phase_points,
    pnd,
)
from store.goals import (
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
from store.trends import (
    TREND_METHODS,
    AimLine,
    InsufficientDataError,
    Point,
    Trend,
    TrendMethod,
    baseline,
    phase_aim,
    sorted_points,
    trend,
    tukey_groups,
    weeks_between,
)
from store.vocabulary import DecisionKind
