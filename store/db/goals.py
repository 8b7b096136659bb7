"""Goals (baseline, goal value and date) and phase changes (a new trend starts)."""

from __future__ import annotations

from datetime import date

from store.db.core import CoreStore, UnknownIdError, _locked
from store.db.layout import CORE_FILE
from store.model import Goal, PhaseChange, check_text
from store.validation import check_date_range


class GoalsMixin(CoreStore):
    """Goals and phase changes."""

    @_locked
    def set_goal(
        self,
        student_id: str,
        measure: str,
        *,
        baseline_value: float,
        baseline_date: date,
        goal_value: float,
        goal_date: date,
        method: str = "custom",
        note: str = "",
    ) -> Goal:
        student = self._student(student_id)
        m = self._measure(measure)
        goal = Goal(
            self._unused_core_id("goals", "go"),
            student.id,
            m.code,
            baseline_value,
            baseline_date,
            goal_value,
            goal_date,
            method,
            self.today(),
            note,
        ).validated(m)
        check_date_range(goal.baseline_date, "baseline date", self.today())
        check_date_range(goal.goal_date, "goal date", self.today())
        self._save_core(
            f"{m.code} goal {m.format(goal.goal_value)} by {goal.goal_date} for {student.name}",
            "goals",
            goal,
        )
        return goal

    @_locked
    def goal(self, student_id: str, measure: str) -> Goal | None:
        """The goal in force: the one set last (by set_on, then by order of entry)."""
        matching = [g for g in self.goals(student_id) if g.measure == measure]
        return matching[-1] if matching else None

    @_locked
    def goals(self, student_id: str | None = None) -> list[Goal]:
        """Every goal ever set (history), oldest first."""
        docs = self._docs(CORE_FILE, "goals")
        out = [
            Goal.from_doc(d) for d in docs if student_id is None or d["student_id"] == student_id
        ]
        order = {g.id: i for i, g in enumerate(out)}
        return sorted(out, key=lambda g: (g.set_on or date.min, order[g.id]))

    @_locked
    def add_phase_change(
        self, student_id: str, measure: str, on: date | str, label: str
    ) -> PhaseChange:
        student = self._student(student_id)
        m = self._measure(measure)
        phase = PhaseChange(
            self._unused_core_id("phase_changes", "ph"),
            student.id,
            m.code,
            # a trend can't start in the future
            check_date_range(
                self._past_date(on, "phase change date"), "phase change date", self.today()
            ),
            check_text(label, "phase label", required=True),
        )
        self._save_core(
            f"phase change {phase.label!r} for {student.name} ({m.code}) on {phase.date}",
            "phase_changes",
            phase,
        )
        return phase

    @_locked
    def delete_phase_change(self, phase_id: str) -> PhaseChange:
        doc = self._find(CORE_FILE, "phase_changes", phase_id)
        if doc is None:
            raise UnknownIdError("phase change", phase_id)
        phase = PhaseChange.from_doc(doc)
        self._commit(
            f"deleted phase change {phase.label!r} on {phase.date}",
            [(CORE_FILE, "phase_changes", phase.id, None)],
        )
        return phase

    @_locked
    def phase_changes(self, student_id: str, measure: str | None = None) -> list[PhaseChange]:
        out = [
            PhaseChange.from_doc(d)
            for d in self._docs(CORE_FILE, "phase_changes")
            if d["student_id"] == student_id and (measure is None or d["measure"] == measure)
        ]
        return sorted(out, key=lambda p: (p.date, p.id))
