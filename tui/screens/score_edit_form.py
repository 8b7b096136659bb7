"""Change one score's value, errors or date."""

from __future__ import annotations

from textual.widgets import Input

from store.model import Measure, Score, Student
from tui.screens.small_form import SmallForm


class ScoreEditForm(SmallForm):
    """Change one score's value, errors or date."""

    def __init__(self, score: Score, measure: Measure, student: Student) -> None:
        super().__init__()
        self.score = score
        self.measure = measure
        self.TITLE_TEXT = (
            f"Edit {measure.code} {measure.format(score.value)} · {student.name} · "
            f"{score.date:%b %-d, %Y}"
        )

    def fields(self) -> list[tuple[str, Input]]:
        out = [
            (
                "Score",
                Input(self.measure.format(self.score.value), id="edit-value"),
            )
        ]
        if self.measure.records_errors:
            errors = "" if self.score.errors is None else str(self.score.errors)
            out.append(("Errors", Input(errors, id="edit-errors", placeholder="none")))
        out.append(("Date", Input(self.score.date.isoformat(), id="edit-date")))
        return out

    def on_mount(self) -> None:
        self.query_one("#edit-value", Input).focus()

    def save(self) -> Score:
        changes: dict[str, object] = {
            "value": self.query_one("#edit-value", Input).value,
            "date": self.query_one("#edit-date", Input).value,
        }
        if self.measure.records_errors:
            errors = self.query_one("#edit-errors", Input).value.strip()
            changes["errors"] = errors or None
        return self.store.update_score(self.score.id, **changes)
