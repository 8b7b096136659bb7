"""What the app is configured with (passed into InterventionApp, never read from globals)."""

from __future__ import annotations

from dataclasses import field
from pathlib import Path

from store.config import DecisionConfig
from store.records import frozen_record


@frozen_record
class AppConfig:
    """Settings for one run of the app.

    ``demo_dir`` is where the welcome screen builds the demo caseload: its own folder, never
    the real data folder. ``is_demo`` marks a run on demo data (shown in the title).
    """

    decision: DecisionConfig = field(default_factory=DecisionConfig)
    demo_dir: Path | None = None
    is_demo: bool = False
    sparkline_weeks: int = 12
