"""How numbers read on screen (plain strings, shared by the student screen and the goal form)."""

from __future__ import annotations


def roi_text(value: float | None) -> str:
    """+1.25/wk, or – when there is no ROI."""
    return "–" if value is None else f"{value:+.2f}/wk"
