"""The student screen: one measure's chart, the numbers and words beside it, the score history.

``StudentScreen(student_id, day, measure=None)``. Tab / m cycles the student's measures, t the
trend method (OLS / Tukey / Theil–Sen). Scores are edited (e / Enter) or deleted (d) through the
Store's validation; ctrl+z undoes the last change. g sets the goal, p adds a phase change, n a
dated note (appended to the student's notes field as ``YYYY-MM-DD: text``).

The screen dismisses with ``True`` when something was saved, so the opener can refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from store.caseload import CaseloadRow, StudentProgress
from store.dosage import StudentDosage
from store.errors import StoreError
from store.goals import gap_analysis
from store.model import GOAL_METHODS, Goal, PhaseChange, Score, Student, fmt_number
from store.progress import TREND_METHODS, goal_statement
from store.school_weeks import break_weeks, school_weeks_between
from store.vocabulary import OVERDUE
from tui.charts import TREND_NAMES
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.tones import DECISION_STYLE, DECISION_WORDS, tone_style
from tui.views.numbers import roi_text
from tui.views.student import StudentView, fitted_roi, load_view
from tui.widgets.footer import Footer
from tui.widgets.progress_chart import ProgressChartView

WIDE = 110  # narrower terminals put the numbers under the chart


def _day(d: date) -> str:
    return f"{d:%b} {d.day}"


def _day_year(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value)} %"


def dosage_text(dosage: StudentDosage) -> Text:
    """Sessions and minutes over the logged sessions, unlogged ones named apart, fidelity
    (eduCLIMBER: ≥ 80 % of sessions and minutes; days never entered are not captured)."""
    text = Text(
        f"{_pct(dosage.attendance_pct)} attended ({dosage.sessions_attended} of "
        f"{dosage.sessions_logged} logged sessions) · {dosage.minutes_received} of "
        f"{dosage.minutes_planned_logged} min ({_pct(dosage.minutes_pct)})"
    )
    if dosage.sessions_not_logged:
        n = dosage.sessions_not_logged
        text.append(f" · {n} session{'s' if n != 1 else ''} not logged", style="bold yellow")
    if dosage.fidelity_avg is not None:
        text.append(f" · fidelity {_pct(dosage.fidelity_avg)}")
    text.append(f" since {_day(dosage.start)}", style="dim")
    return text


def facts_table(
    student: Student,
    progress: StudentProgress,
    row: CaseloadRow | None,
    day: date,
    method: str,
    *,
    breaks: Sequence[date] = (),
) -> Table:
    """The numbers and words beside the chart (data in, renderable out). ``breaks``: Mondays
    of whole no-school weeks, left out of the goal statement's weeks of school."""
    m = progress.measure
    goal = progress.goal
    d = progress.decision
    rows: list[tuple[str, Text]] = []
    # what to do first, then the numbers behind it, the record, and the long words last
    decision = Text(DECISION_WORDS.get(d.kind, d.kind), style=DECISION_STYLE.get(d.kind, ""))
    decision.append(f" — {d.reason}")
    rows.append(("Decision", decision))
    if goal is None:
        base = "–" if progress.baseline is None else f"{m.format(progress.baseline)} (first 3)"
        rows.append(("Baseline", Text(base)))
        rows.append(("Goal", Text("no goal set — press g to set one", style="yellow")))
    else:
        text = Text(f"{m.format(goal.goal_value)} by {_day_year(goal.goal_date)}", style="bold")
        text.append(f"  {GOAL_METHODS.get(goal.method, goal.method)}", style="dim")
        rows.append(("Goal", text))
        base = f"{m.format(goal.baseline_value)} on {_day(goal.baseline_date)}"
        rows.append(("Baseline", Text(base)))
    actual = fitted_roi(progress, method, breaks)
    needed = progress.aim.slope if progress.aim is not None else None
    roi = Text(f"needed {roi_text(needed)} · ")
    roi.append(f"actual {roi_text(actual)}", style="bold")
    n = len(progress.phase_points)
    detail = f"{TREND_NAMES[method]}, {n} pt{'s' if n != 1 else ''}"
    if progress.aim is not None and d.points:
        since = "this phase" if progress.phase_changes else "since the baseline"
        detail += f" over {fmt_number(round(d.weeks, 1), 1)} weeks of school {since}"
    roi.append(f" ({detail})", style="dim")
    need = d.needed_points
    if actual is not None and n < need:
        roi.append(f" provisional: {n} of {need} points", style="yellow")
    rows.append(("ROI", roi))
    if progress.last is not None:
        last_day, last_value = progress.last
        rows.append(("Last score", Text(f"{m.format(last_value)} on {_day(last_day)}")))
    else:
        rows.append(("Last score", Text("none yet", style="dim")))
    if row is not None and row.probe_overdue:
        due = f" (was due {_day(row.probe_due)})" if row.probe_due else ""
        rows.append(("Probe", Text(f"? OVERDUE{due}", style=tone_style(OVERDUE.tone))))
    elif row is not None and row.probe_due is not None:
        word = "due now" if row.probe_due <= day else f"next due {_day(row.probe_due)}"
        rows.append(("Probe", Text(word)))
    dosage = row.dosage if row is not None else progress.dosage
    if dosage is not None and dosage.sessions_planned:
        text = dosage_text(dosage)
        if dosage.is_low():
            text.stylize("yellow", 0, text.plain.index(" min (") + 1)
        rows.append(("Dosage", text))
    else:
        rows.append(("Dosage", Text("no sessions planned yet", style="dim")))
    if progress.phase_changes:
        p = progress.phase_changes[-1]
        rows.append(("Phase", Text(f"since {_day(p.date)}: {p.label}")))
    if student.notes.strip():
        lines = student.notes.strip().splitlines()[-2:]
        rows.append(("Notes", Text("\n".join(lines))))
    if d.pnd is not None or d.pct_at_goal is not None:
        parts = []
        if d.pct_at_goal is not None:
            parts.append(f"{_pct(d.pct_at_goal)} of scores at goal")
        if d.pnd is not None:
            base = "the previous phase" if progress.phase_changes else "the baseline"
            parts.append(f"PND {_pct(d.pnd)} (beyond {base}'s best)")
        rows.append(("Overlap", Text(" · ".join(parts))))
    # Gap analysis (DOMAIN.md): the gap and the weeks to the goal at the actual ROI.
    values = [v for when, v in progress.points if when <= day]
    analysis = gap_analysis(
        m,
        values,
        goal=goal.goal_value if goal is not None else None,
        roi=actual,
        grade=student.grade,
        on=day,
        goal_date=goal.goal_date if goal is not None else None,
        breaks=breaks,
    )
    if analysis is not None and analysis.gap is not None:
        style = "yellow" if analysis.significant else ""
        rows.append(("Gap", Text(analysis.gap_words(), style=style)))
    if analysis is not None and goal is not None:
        rows.append(("To goal", Text(analysis.weeks_words())))
    if goal is not None:
        weeks = school_weeks_between(goal.baseline_date, goal.goal_date, breaks)
        statement = goal_statement(
            student.given_name, m, goal.goal_value, weeks, goal_date=goal.goal_date
        )
        rows.append(("Statement", Text(statement)))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    for label, value in rows:
        grid.add_row(label, value)
    return grid


# --------------------------------------------------------------------------- the screen
class StudentScreen(AppScreen[bool]):
    """One student: chart, numbers, score history and the actions that change them."""

    BINDINGS = bindings("student")

    def __init__(self, student_id: str, day: date, measure: str | None = None) -> None:
        super().__init__()
        self.student_id = student_id
        self.day = day
        self.measure = measure
        self.method: str = "ols"
        self.view: StudentView | None = None
        self.changed = False
        self.history: list[Score] = []

    @property
    def reads_scores_of(self) -> str:
        """The student whose scores this screen needs (the app checks they can be read)."""
        return self.student_id

    def compose(self) -> ComposeResult:
        yield Static(id="st-title")
        with VerticalScroll(id="st-body"):
            with Horizontal(id="st-top"):
                yield ProgressChartView(id="st-chart", day=self.day)
                yield Static(id="st-facts")
            yield Static(id="st-history-title", classes="pane-title")
            yield DataTable(id="st-scores", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.method = self.config.decision.trend_method
        table = self.query_one("#st-scores", DataTable)
        for label, key in (
            ("Date", "date"),
            ("Score", "value"),
            ("Errors", "errors"),
            ("Accuracy", "accuracy"),
            ("Phase", "phase"),
            ("Entered", "entered"),
        ):
            table.add_column(label, key=key)
        self.reload()
        table.focus(scroll_visible=False)  # keep the chart in view on short terminals

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width, event.size.height)

    def fit(self, width: int, height: int) -> None:
        """Chart beside the numbers on wide terminals, numbers under the chart on narrow."""
        narrow = width < WIDE
        self.set_class(narrow, "-narrow")
        top = self.query_one("#st-top")
        chart = self.query_one("#st-chart")
        if narrow:
            top.styles.height = "auto"
            chart.styles.height = max(10, min(18, height - 14))
        else:
            top.styles.height = max(14, height - 14)
            chart.styles.height = "100%"

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        """Read the student again and redraw everything."""
        config = self.config
        self.view = load_view(self.store, self.student_id, self.day, config, self.measure)
        measures = self.view.measures
        if self.measure not in measures:
            self.measure = measures[0] if measures else None
        self.refresh_all()

    def current(self) -> tuple[StudentProgress, CaseloadRow | None] | None:
        if self.view is None or self.measure is None:
            return None
        return self.view.progress(self.measure), self.view.rows.get(self.measure)

    def refresh_all(self) -> None:
        view = self.view
        assert view is not None
        self.query_one("#st-title", Static).update(self.title_text())
        current = self.current()
        chart = self.query_one("#st-chart", ProgressChartView)
        facts = self.query_one("#st-facts", Static)
        if current is None:
            chart.update(Text("No measures yet — add the student to a group that probes one."))
            facts.update("")
            self.fill_history([], [])
            return
        progress, row = current
        breaks = break_weeks(self.store.calendar())
        chart.breaks = breaks
        chart.show(
            progress, method=self.method, title=f"{progress.measure.code} ({progress.measure.unit})"
        )
        facts.update(facts_table(view.student, progress, row, self.day, self.method, breaks=breaks))
        scores = view.scores.get(progress.measure.code, [])
        self.fill_history(scores, list(progress.phase_changes))

    def title_text(self) -> Text:
        view = self.view
        assert view is not None
        s = view.student
        text = Text()
        text.append(s.name, style="bold")
        text.append(f"  grade {s.grade}", style="dim")
        groups = {g.name for r in view.rows.values() for g in r.groups}
        if groups:
            text.append(f" · {', '.join(sorted(groups))}", style="dim")
        text.append("   ")
        for code in view.measures:
            style = "bold reverse" if code == self.measure else "dim"
            text.append(f" {code} ", style=style)
        text.append(f"   trend: {TREND_NAMES[self.method]}", style="dim")
        return text

    def fill_history(self, scores: list[Score], phases: list[PhaseChange]) -> None:
        table = self.query_one("#st-scores", DataTable)
        keep = table.cursor_row
        table.clear()
        self.history = sorted(scores, key=lambda s: s.date, reverse=True)
        m = self.view.progress(self.measure).measure if self.measure and self.view else None
        for s in self.history:
            phase = next((p for p in reversed(phases) if p.date <= s.date), None)
            acc = s.accuracy
            table.add_row(
                f"{s.date:%a %b %d %Y}",
                m.format(s.value) if m else str(s.value),
                "" if s.errors is None else str(s.errors),
                "" if acc is None else f"{acc:.0%}",
                Text(phase.label if phase else "–", style="dim"),
                Text(f"{s.entered_at:%b %d %H:%M}" if s.entered_at else "", style="dim"),
                key=s.id,
            )
        title = Text("Score history", style="bold")
        if self.measure:
            n = len(self.history)
            title.append(
                f" · {self.measure} · {n} score{'s' if n != 1 else ''}"
                " · e edit · d delete · ctrl+z undo",
                style="dim",
            )
        self.query_one("#st-history-title", Static).update(title)
        if self.history:
            table.move_cursor(row=min(max(keep, 0), len(self.history) - 1))

    def selected_score(self) -> Score | None:
        table = self.query_one("#st-scores", DataTable)
        if not self.history or not 0 <= table.cursor_row < len(self.history):
            return None
        return self.history[table.cursor_row]

    def saved(self, message: str | None = None) -> None:
        """Something was written: re-read, redraw and say so."""
        self.changed = True
        self.reload()
        if message:
            self.notify(message, markup=False)

    # ------------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_measure(self, step: int) -> None:
        measures = self.view.measures if self.view else []
        if len(measures) < 2:
            self.notify("This student has one measure", severity="information", markup=False)
            return
        i = measures.index(self.measure) if self.measure in measures else 0
        self.measure = measures[(i + step) % len(measures)]
        self.refresh_all()

    def action_report(self) -> None:
        from tui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen(self.student_id))

    def action_trend(self) -> None:
        i = TREND_METHODS.index(self.method)
        self.method = TREND_METHODS[(i + 1) % len(TREND_METHODS)]
        self.refresh_all()
        self.notify(f"Trend line: {TREND_NAMES[self.method]}", markup=False)

    def action_goal(self) -> None:
        current = self.current()
        if current is None or self.view is None:
            self.notify("No measure to set a goal on", severity="warning", markup=False)
            return
        from tui.screens.goal_form import GoalForm

        progress, row = current
        form = GoalForm(
            self.view.student,
            progress,
            self.view.scores.get(progress.measure.code, []),
            self.day,
            self.store.calendar().year_end,
            dosage=row.dosage if row else None,
        )
        self.app.push_screen(form, self._goal_done)

    def _goal_done(self, goal: Goal | None) -> None:  # GoalForm is an AppModal[Goal | None]
        if goal is not None:
            self.saved(f"Goal saved: {goal.measure} {goal.goal_value:g} by {goal.goal_date}")

    def action_phase(self) -> None:
        current = self.current()
        if current is None or self.view is None:
            self.notify("No measure to add a phase change to", severity="warning", markup=False)
            return
        from tui.screens.phase_form import PhaseForm

        form = PhaseForm(self.view.student, current[0].measure, self.day)
        self.app.push_screen(form, self._phase_done)

    def _phase_done(self, phase: object) -> None:
        if isinstance(phase, PhaseChange):
            self.saved(f"Phase change on {phase.date}: {phase.label} — the trend restarts here")

    def action_note(self) -> None:
        if self.view is None:
            return
        from tui.screens.phase_form import NoteForm

        self.app.push_screen(NoteForm(self.view.student, self.day), self._note_done)

    def _note_done(self, student: object) -> None:
        if student is not None:
            self.saved("Note added")

    @on(DataTable.RowSelected, "#st-scores")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit_score()

    def action_edit_score(self) -> None:
        score = self.selected_score()
        if score is None or self.view is None or self.measure is None:
            self.notify("No score selected", severity="warning", markup=False)
            return
        from tui.screens.phase_form import ScoreEditForm

        m = self.view.progress(self.measure).measure
        self.app.push_screen(ScoreEditForm(score, m, self.view.student), self._edit_done)

    def _edit_done(self, score: object) -> None:
        if isinstance(score, Score):
            self.saved(f"Saved {score.measure} {score.value:g} on {score.date} (ctrl+z undoes)")

    def action_delete_score(self) -> None:
        score = self.selected_score()
        if score is None or self.view is None:
            self.notify("No score selected", severity="warning", markup=False)
            return
        from tui.screens.confirm import ConfirmScreen

        question = (
            f"Delete {score.measure} {score.value:g} of {score.date:%b %-d, %Y} for "
            f"{self.view.student.name}? (ctrl+z undoes)"
        )

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                deleted = self.store.delete_score(score.id)
            except StoreError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.saved(f"Deleted {deleted.measure} {deleted.value:g} on {deleted.date}")

        self.app.push_screen(ConfirmScreen(question, yes="Delete", no="Keep"), answer)

    def action_undo(self) -> None:
        message = self.undo()
        if message is not None:
            self.saved(message)
