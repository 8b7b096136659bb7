"""What the app is configured with (passed into InterventionApp, never read from globals)."""

from __future__ import annotations

from dataclasses import field, replace
from pathlib import Path

from store.config import DecisionConfig
from store.records import frozen_record
from store.settings import Settings


@frozen_record
class AppConfig:
    """Settings for one run of the app.

    ``demo_dir`` is where the welcome screen builds the demo caseload: its own folder, never
    the real data folder. ``is_demo`` marks a run on demo data (shown in the title).
    ``settings``: the user's settings file as loaded (``settings_path``, None: not saved
    anywhere, e.g. tests); ``decision`` is its ``decisions`` (see :meth:`with_settings`).
    ``notices``: lines shown on start (the settings keys that were refused).
    ``attention_cache``: keep Today's caseload rows in the data folder between starts
    (``tui.views.attention_cache``); ``intervene`` turns it on, tests leave it off.
    """

    decision: DecisionConfig = field(default_factory=DecisionConfig)
    demo_dir: Path | None = None
    is_demo: bool = False
    sparkline_weeks: int = 12
    settings: Settings = field(default_factory=Settings)
    settings_path: Path | None = None
    notices: tuple[str, ...] = ()
    attention_cache: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, **kw: object) -> AppConfig:
        """A config whose decision rule and thresholds are the settings' ``[decisions]``."""
        return cls(decision=settings.decisions, settings=settings, **kw)  # type: ignore[arg-type]

    def with_settings(self, settings: Settings) -> AppConfig:
        """This config with new settings (and their decision rule), e.g. after a save."""
        return replace(self, settings=settings, decision=settings.decisions)
