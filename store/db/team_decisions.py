"""The team's decision at a data meeting (issue 19, meeting mode): what the team decided for
one student on one measure, the decision the data suggested, a note and, for a change of
intervention, the phase change it started — all saved in one undoable step.

The vocabulary follows the NCII data-based individualization steps (continue, intensify or
change the intervention, raise the goal, fade supports, exit): see DOMAIN.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, get_args

from store.db.core import CoreStore, _locked
from store.db.layout import CORE_FILE
from store.errors import ValidationError
from store.model import PhaseChange, Record, parse_date
from store.records import mutable_record
from store.validation import check_date_range, check_text

__all__ = ["TEAM_CHOICES", "TEAM_DECISIONS", "TeamChoice", "TeamDecision", "TeamDecisionsMixin"]

TEAM_DECISIONS = "team_decisions"  #: the core.json table
TeamChoice = Literal["continue", "change", "raise-goal", "fade", "exit"]
TEAM_CHOICES: tuple[str, ...] = get_args(TeamChoice)
#: The words for each choice (screens, packet, letters' English).
TEAM_CHOICE_LABELS: dict[str, str] = {
    "continue": "continue the intervention",
    "change": "change the intervention",
    "raise-goal": "raise the goal",
    "fade": "fade the support",
    "exit": "exit the intervention",
}
MAX_NOTE = 2000


@mutable_record
class TeamDecision(Record):
    """One meeting's decision. ``suggested``: the decision kind the data suggested then
    (store.vocabulary); ``phase_id``: the phase change saved with a "change"."""

    id: str
    student_id: str
    measure: str
    date: date
    decision: str
    note: str = ""
    suggested: str = ""
    phase_id: str | None = None
    attendees: str = ""

    @property
    def label(self) -> str:
        return TEAM_CHOICE_LABELS.get(self.decision, self.decision)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TeamDecision:
        return cls(
            id=doc["id"],
            student_id=doc["student_id"],
            measure=doc["measure"],
            date=parse_date(doc["date"]),
            decision=doc["decision"],
            note=doc.get("note", ""),
            suggested=doc.get("suggested", ""),
            phase_id=doc.get("phase_id"),
            attendees=doc.get("attendees", ""),
        )


class TeamDecisionsMixin(CoreStore):
    """The team's decisions, newest last."""

    @_locked
    def record_team_decision(
        self,
        student_id: str,
        measure: str,
        decision: str,
        *,
        note: str = "",
        on: date | str | None = None,
        suggested: str = "",
        phase_label: str = "",
        attendees: str = "",
    ) -> TeamDecision:
        """Save the team's ``decision`` (one of :data:`TEAM_CHOICES`) with its note; with
        "change", ``phase_label`` (required) names the new phase, saved as a phase change on
        the same day. One undo step; every value checked before anything is written."""
        student = self._student(student_id)
        m = self._measure(measure)
        if decision not in TEAM_CHOICES:
            raise ValidationError(
                f"team decision {decision!r} is not one of {', '.join(TEAM_CHOICES)}",
                field="decision",
                value=decision,
            )
        day = check_date_range(
            self._past_date(on if on is not None else self.today(), "meeting date"),
            "meeting date",
            self.today(),
        )
        note = check_text(note, "note", limit=MAX_NOTE)
        attendees = check_text(attendees, "attendees", limit=500)
        suggested = check_text(suggested, "suggested decision", limit=40)
        label = check_text(phase_label, "new phase", required=decision == "change")
        ops: list[tuple[str, str, str, dict[str, Any] | None]] = []
        phase_id: str | None = None
        if decision == "change":
            phase = PhaseChange(
                self._unused_core_id("phase_changes", "ph"), student.id, m.code, day, label
            )
            phase_id = phase.id
            ops.append((CORE_FILE, "phase_changes", phase.id, phase.to_doc()))
        record = TeamDecision(
            self._unused_core_id(TEAM_DECISIONS, "td"),
            student.id,
            m.code,
            day,
            decision,
            note,
            suggested,
            phase_id,
            attendees,
        )
        ops.append((CORE_FILE, TEAM_DECISIONS, record.id, record.to_doc()))
        what = f"{record.label}" + (f" ({label})" if phase_id else "")
        self._commit(f"team decision for {student.name} ({m.code}): {what}", ops)
        return record

    @_locked
    def team_decisions(self, student_id: str | None = None) -> list[TeamDecision]:
        """Every team decision (of one student), oldest first (by date, then entry)."""
        docs = self._docs(CORE_FILE, TEAM_DECISIONS)
        out = [
            TeamDecision.from_doc(d)
            for d in docs
            if student_id is None or d["student_id"] == student_id
        ]
        order = {d.id: i for i, d in enumerate(out)}
        return sorted(out, key=lambda d: (d.date, order[d.id]))

    def latest_team_decision(
        self, student_id: str, measure: str | None = None
    ) -> TeamDecision | None:
        """The team's last decision for a student (on one measure), or None."""
        matching = [
            d for d in self.team_decisions(student_id) if measure is None or d.measure == measure
        ]
        return matching[-1] if matching else None

    def latest_team_decisions(self) -> dict[str, TeamDecision]:
        """student id → the team's last decision, for every student with one (the packet)."""
        return {d.student_id: d for d in self.team_decisions()}
