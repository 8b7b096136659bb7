"""Set or change a goal: pick a method, see the goal value, statement and aim line, then save.

Methods (DOMAIN.md goal setting; ``store.progress`` goal helpers):

* norms, realistic / ambitious — ORF, grades 1–6: baseline + Fuchs et al. (1993) weekly
  growth × weeks;
* benchmark target — the end-of-year target (Hasbrouck & Tindal 2017, 50th percentile, is
  filled in for ORF);
* rate of improvement — baseline + rate × multiplier × weeks (e.g. 1.1 doubled = 2.2/week);
  for a lower-is-better measure (DBR disruptive behaviour) the rate is a decrease, so the goal
  is baseline − rate × weeks (DOMAIN.md: some behaviour measures are lower is better);
* custom — a value typed in.

Weeks are weeks of school from the baseline date to the goal date: whole no-school weeks of the
calendar (a winter break) are left out (:mod:`store.school_weeks`), since the growth rates are
per week of instruction. The statement is the saved goal's, dated ("By March 19, 2027 (17 weeks
of school), Yara will read 89 words correct per minute."). The preview chart is the student's
chart with the proposed aim line and the no-school weeks shaded, and the decision it would
give; ``ctrl+s`` (or Enter in a field) saves through ``Store.set_goal``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from store.caseload import StudentProgress, student_progress
from store.dosage import StudentDosage
from store.errors import StoreError
from store.goals import norm_season
from store.model import (
    GOAL_METHODS,
    Goal,
    Score,
    Student,
    check_number,
    fmt_number,
    parse_date,
)
from store.progress import (
    GoalSuggestion,
    fuchs_growth,
    goal_from_benchmark,
    goal_from_growth,
    goal_from_multiplier,
    goal_from_rate,
    goal_statement,
    ht_norm,
)
from store.records import frozen_record
from store.school_weeks import break_weeks, school_weeks_between
from tui.keys import bindings
from tui.screens.base import AppModal
from tui.tones import DECISION_STYLE, DECISION_WORDS
from tui.views.numbers import roi_text
from tui.widgets.progress_chart import ProgressChartView

METHOD_LABELS: dict[str, str] = {
    "norms-realistic": "norms, realistic (Fuchs)",
    "norms-ambitious": "norms, ambitious (Fuchs)",
    "benchmark": "benchmark target",
    "roi": "rate × weeks",
    "custom": "custom value",
}
# Which inputs each method uses.
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    "norms-realistic": (),
    "norms-ambitious": (),
    "benchmark": ("target",),
    "roi": ("rate", "multiplier"),
    "custom": ("target",),
}


season_of = norm_season  # the norms season of a date (store.goals.norm_season)


def uses_norms(student: Student, code: str) -> bool:
    """Fuchs (1993) growth rates exist for ORF in grades 1–6."""
    return code == "ORF" and student.grade in ("1", "2", "3", "4", "5", "6")


@frozen_record
class GoalInputs:
    """What the form holds, as typed."""

    method: str
    baseline: str
    baseline_date: str
    goal_date: str
    rate: str = ""
    multiplier: str = "1"
    target: str = ""


@frozen_record
class ProposedGoal:
    """The goal as it would be saved: ``goal_value`` rounded and clamped to the measure's
    scale, ``weeks`` of school, and the dated ``statement`` of that saved value."""

    suggestion: GoalSuggestion
    baseline: float
    baseline_date: date
    goal_date: date
    goal_value: float
    weeks: float = 0.0
    statement: str = ""


def propose(
    student: Student,
    progress: StudentProgress,
    inputs: GoalInputs,
    *,
    breaks: Sequence[date] = (),
) -> ProposedGoal:
    """The goal the inputs describe; raises ValueError (a ValidationError or the goal
    helpers' own) with a message for the form when something does not add up. ``breaks``:
    Mondays of whole no-school weeks (:func:`store.school_weeks.break_weeks`), left out of
    the weeks."""
    m = progress.measure
    baseline = check_number(inputs.baseline, "baseline")
    start = parse_date(inputs.baseline_date, "baseline date")
    end = parse_date(inputs.goal_date, "goal date")
    if end <= start:
        raise ValueError(f"goal date {end} must be after the baseline date {start}")
    weeks = school_weeks_between(start, end, breaks)
    if weeks <= 0:
        raise ValueError(f"no weeks of school between {start} and {end}")
    name = student.given_name
    method = inputs.method
    if method in ("norms-realistic", "norms-ambitious"):
        if not uses_norms(student, m.code):
            raise ValueError(
                f"Fuchs (1993) norms give ORF growth for grades 1–6; for {m.code} in grade "
                f"{student.grade} use rate of improvement or a benchmark"
            )
        ambitious = method == "norms-ambitious"
        s = goal_from_growth(
            baseline, weeks, student.grade, ambitious, name=name, measure=m, goal_date=end
        )
    elif method == "benchmark":
        target = check_number(inputs.target, "benchmark target")
        s = goal_from_benchmark(
            target, baseline=baseline, weeks=weeks, name=name, measure=m, goal_date=end
        )
    elif method == "roi":
        rate = check_number(inputs.rate, "rate of improvement")
        times = check_number(inputs.multiplier or "1", "multiplier", lo=0)
        s = goal_from_multiplier(baseline, rate, times, weeks, name=name, measure=m, goal_date=end)
    else:
        target = check_number(inputs.target, "goal value")
        s = goal_from_rate(
            baseline,
            (target - baseline) / weeks,
            weeks,
            name=name,
            measure=m,
            method="custom",
            higher_is_better=True,  # the typed value is the goal: the slope as it comes
            goal_date=end,
        )
    value = s.value if method == "custom" else s.value_for(m)
    statement = goal_statement(name, m, value, weeks, goal_date=end)
    return ProposedGoal(s, baseline, start, end, value, weeks, statement)


class GoalForm(AppModal[Goal | None]):
    """Set a goal for one student and measure, with a live preview; dismisses with the Goal."""

    BINDINGS = bindings("goal_form")

    def __init__(
        self,
        student: Student,
        progress: StudentProgress,
        scores: list[Score],
        day: date,
        year_end: date,
        *,
        dosage: StudentDosage | None = None,
        breaks: Sequence[date] | None = None,
    ) -> None:
        super().__init__()
        self.student = student
        self.progress = progress
        self.scores = scores
        self.day = day
        self.year_end = year_end
        self.dosage = dosage
        self._breaks = None if breaks is None else tuple(breaks)
        self.proposed: ProposedGoal | None = None

    @property
    def breaks(self) -> tuple[date, ...]:
        """Mondays of the calendar's whole no-school weeks (read once from the Store)."""
        if self._breaks is None:
            self._breaks = break_weeks(self.store.calendar())
        return self._breaks

    def defaults(self) -> GoalInputs:
        """Start from the goal in force, else the first three scores and twelve weeks. The
        rate is growth in the measure's improving direction (a decrease when lower is
        better)."""
        m = self.progress.measure
        goal = self.progress.goal
        norms = uses_norms(self.student, m.code)
        sign = 1 if m.higher_is_better else -1
        if goal is not None:
            weeks = school_weeks_between(goal.baseline_date, goal.goal_date, self.breaks)
            if weeks <= 0:
                weeks = (goal.goal_date - goal.baseline_date).days / 7
            goal_rate = sign * (goal.goal_value - goal.baseline_value) / weeks
            return GoalInputs(
                goal.method,
                m.format(goal.baseline_value),
                goal.baseline_date.isoformat(),
                goal.goal_date.isoformat(),
                f"{goal_rate:.2f}",
                "1",
                m.format(goal.goal_value),
            )
        pts = self.progress.points
        base = "" if self.progress.baseline is None else m.format(self.progress.baseline)
        start = pts[min(2, len(pts) - 1)][0] if pts else self.day
        end = min(self.year_end, start + timedelta(weeks=12))
        if end <= start:
            end = start + timedelta(weeks=12)
        target = ""
        # A starting value to edit, not a norm: 1 unit a week, or 2 % of a behaviour scale
        # (0.2 on a 0–10 DBR rating) — behaviour scales are short.
        rate = fmt_number((m.max - m.min) * 0.02, 2) if m.behaviour else "1"
        if norms:
            target = str(ht_norm(self.student.grade, season_of(end), 50))
            rate = f"{fuchs_growth(self.student.grade):.2f}"
        return GoalInputs(
            "norms-ambitious" if norms else "roi",
            base,
            start.isoformat(),
            end.isoformat(),
            rate,
            "1",
            target,
        )

    def compose(self) -> ComposeResult:
        d = self.defaults()
        m = self.progress.measure
        methods = [(METHOD_LABELS.get(code, label), code) for code, label in GOAL_METHODS.items()]
        with Vertical(id="goal-box"):
            yield Static(
                Text(f"Goal · {self.student.name} · {m.code} ({m.unit})", style="bold"),
                id="goal-title",
            )
            with Horizontal(id="goal-body"):
                with VerticalScroll(id="goal-fields"):
                    yield from self._row(
                        "Method", Select(methods, value=d.method, allow_blank=False, id="g-method")
                    )
                    yield from self._row("Baseline", Input(d.baseline, id="g-baseline"))
                    yield from self._row("Baseline date", Input(d.baseline_date, id="g-bdate"))
                    yield from self._row("Goal date", Input(d.goal_date, id="g-gdate"))
                    rate_label = "Rate / week" if m.higher_is_better else "Decrease / week"
                    yield from self._row(rate_label, Input(d.rate, id="g-rate"), key="rate")
                    yield from self._row(
                        "× multiplier", Input(d.multiplier, id="g-multiplier"), key="multiplier"
                    )
                    yield from self._row("Target", Input(d.target, id="g-target"), key="target")
                with Vertical(id="goal-preview-box"):
                    yield Static(id="goal-preview")
                    yield ProgressChartView(
                        self.progress, day=self.day, breaks=self.breaks, id="goal-chart"
                    )
            yield Static("", id="goal-error")
            yield Static(
                Text("ctrl+s or Enter saves · Esc cancels · Tab moves between fields", style="dim"),
                id="goal-help",
            )

    @staticmethod
    def _row(label: str, widget: Widget, key: str | None = None) -> ComposeResult:
        classes = "goal-row" + (f" goal-{key}" if key else "")
        with Horizontal(classes=classes):
            yield Label(label, classes="goal-label")
            yield widget

    def on_mount(self) -> None:
        self.update_preview()
        self.query_one("#g-method", Select).focus()

    def inputs(self) -> GoalInputs:
        def val(wid: str) -> str:
            return self.query_one(wid, Input).value

        method = self.query_one("#g-method", Select).value
        return GoalInputs(
            str(method),
            val("#g-baseline"),
            val("#g-bdate"),
            val("#g-gdate"),
            val("#g-rate"),
            val("#g-multiplier"),
            val("#g-target"),
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self.update_preview()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.update_preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def update_preview(self) -> None:
        """Recompute the proposed goal, its statement, the aim line and the decision."""
        inputs = self.inputs()
        used = METHOD_FIELDS.get(inputs.method, ())
        for key in ("rate", "multiplier", "target"):
            for row in self.query(f".goal-{key}"):
                row.display = key in used
        preview = self.query_one("#goal-preview", Static)
        chart = self.query_one("#goal-chart", ProgressChartView)
        self.query_one("#goal-error", Static).update("")
        m = self.progress.measure
        try:
            proposed = propose(self.student, self.progress, inputs, breaks=self.breaks)
        except ValueError as exc:
            self.proposed = None
            preview.update(Text(str(exc), style="yellow"))
            chart.show(self.progress, title=f"{m.code} · current aim line")
            return
        self.proposed = proposed
        goal = self.preview_goal(proposed)
        progress = student_progress(
            self.student.id,
            m,
            scores=self.scores,
            goal=goal,
            phase_changes=self.progress.phase_changes,
            dosage=self.dosage,
            config=self.config.decision,
            today=self.day,
        )
        text = Text()
        text.append(f"Goal {m.format(proposed.goal_value)}", style="bold")
        text.append(f" by {proposed.goal_date:%b %-d, %Y}")
        weeks = proposed.weeks
        calendar_weeks = (proposed.goal_date - proposed.baseline_date).days / 7
        needed = (proposed.goal_value - proposed.baseline) / weeks
        text.append(f" · {weeks:.1f} weeks of school · needed {roi_text(needed)}")
        skipped = round(calendar_weeks - weeks)
        if skipped >= 1:
            word = "week" if skipped == 1 else "weeks"
            text.append(f" ({skipped} no-school {word} left out)", style="dim")
        text.append("\n")
        text.append(Text(proposed.statement))
        d = progress.decision
        text.append("\nWith this goal: ", style="dim")
        text.append(DECISION_WORDS.get(d.kind, d.kind), style=DECISION_STYLE.get(d.kind, ""))
        preview.update(text)
        chart.show(progress, title=f"{m.code} · proposed aim line")

    def preview_goal(self, proposed: ProposedGoal) -> Goal:
        m = self.progress.measure
        return Goal(
            "preview",
            self.student.id,
            m.code,
            proposed.baseline,
            proposed.baseline_date,
            proposed.goal_value,
            proposed.goal_date,
            proposed.suggestion.method,
            self.day,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        error = self.query_one("#goal-error", Static)
        try:
            proposed = propose(self.student, self.progress, self.inputs(), breaks=self.breaks)
            goal = self.store.set_goal(
                self.student.id,
                self.progress.measure.code,
                baseline_value=proposed.baseline,
                baseline_date=proposed.baseline_date,
                goal_value=proposed.goal_value,
                goal_date=proposed.goal_date,
                method=proposed.suggestion.method,
                note=proposed.statement,
            )
        except (StoreError, ValueError) as exc:
            error.update(Text(str(exc)))
            return
        self.dismiss(goal)
