"""Create or edit a group: who, what, where, and a recurrence built without RRULE syntax.

The schedule is shown back in plain words with its next 5 dates while it is typed; clashes
with other groups (the interventionist booked twice, a student in two overlapping groups)
are shown before saving, with a choice to save anyway. Member changes take effect on a date,
so dosage and history stay right.

A new group starts today (its start date is filled in), or tomorrow when today's meeting
time has already passed: nothing counts as "not logged" from before the group existed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Header,
    Input,
    Static,
    TextArea,
)
from textual.widgets.selection_list import Selection

from store import schedule
from store.errors import StoreError, ValidationError
from store.model import (
    Group,
    Membership,
    Student,
    check_int,
    parse_date,
    parse_optional_date,
    parse_time,
    time_of,
)
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField, WeekdayPicker
from tui.widgets.marked import Checkbox, SelectionList  # ticks readable without colour

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("group name",),
    "weekdays": ("rrule", "recurrence"),
    "start_date": ("start date",),
    "end_date": ("end date",),
    "duration": ("duration (minutes)", "duration_minutes"),
    "start_time": ("start time",),
    "probe_every": ("probe interval (weeks)", "probe_every_weeks"),
    "fidelity": ("fidelity item", "fidelity_items"),
    "effective": ("on", "changes take effect", "joined", "left"),
    "members": ("memberships", "student_id"),
}


def rule_parts(rrule: str) -> tuple[list[str], int]:
    """(weekday codes, interval) of a simple weekly rule; ([], 1) for anything else."""
    parts = dict(
        p.split("=", 1) for p in rrule.upper().removeprefix("RRULE:").split(";") if "=" in p
    )
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if parts.get("FREQ") == "DAILY" and not days:
        days = ["MO", "TU", "WE", "TH", "FR"]
    interval = int(parts["INTERVAL"]) if parts.get("INTERVAL", "").isdigit() else 1
    return days, interval


def planned_memberships(
    current: list[Membership], wanted: list[str], day: date
) -> list[Membership]:
    """Memberships after making ``wanted`` the members from ``day`` (mirrors Store.save_group;
    used to check conflicts before saving)."""
    out = [
        m.with_(end=max(m.start, day)) if m.end is None and m.student_id not in wanted else m
        for m in current
    ]
    open_ids = {m.student_id for m in out if m.end is None}
    out.extend(Membership(sid, day) for sid in wanted if sid not in open_ids)
    return out


class GroupForm(AppScreen[Group | None]):
    """Every field of a group; ctrl+s saves (after showing any schedule clashes)."""

    BINDINGS = bindings("group_form")

    def __init__(self, group: Group | None = None) -> None:
        super().__init__()
        self.group = group
        self.chosen: list[str] = list(group.member_ids) if group else []
        self.next_dates: list[date] = []
        self._auto_start = "" if group else self.default_start("").isoformat()

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        g = self.group
        days, interval = rule_parts(g.rrule) if g else (["MO", "TU", "WE", "TH"], 1)
        store = self.store
        self.students: list[Student] = store.students()
        known = {s.id for s in self.students}
        for sid in self.chosen:  # an archived member still shows (and can be removed)
            if sid not in known:
                self.students.append(store.student(sid))
        measures = store.measures(include_inactive=True)
        on_group = set(g.measures) if g else set()
        title = "New group" if g is None else f"Edit {g.name}"
        yield Header(show_clock=False)
        yield Static(Text(title, style="bold"), classes="manage-bar")
        with Horizontal(id="group-form-body"):
            with VerticalScroll(id="group-form-left"):
                yield Form(
                    FormField("Name", Input(g.name if g else "", id="gf-name"), key="name"),
                    FormField(
                        "Program", Input(g.program if g else "", id="gf-program"), key="program"
                    ),
                    FormField(
                        "Skill focus",
                        Input(g.skill_focus if g else "", id="gf-skill"),
                        key="skill_focus",
                        aliases=("skill focus",),
                    ),
                    FormField(
                        "Tier",
                        Input(
                            str(g.tier) if g else "2", id="gf-tier", restrict="[23]?", max_length=1
                        ),
                        key="tier",
                        hint="2 = small group, 3 = intensive",
                    ),
                    FormField(
                        "Location", Input(g.location if g else "", id="gf-location"), key="location"
                    ),
                    FormField(
                        "Start time",
                        Input(g.start_time if g else "", id="gf-time", placeholder="HH:MM"),
                        key="start_time",
                    ),
                    FormField(
                        "Minutes",
                        Input(
                            str(g.duration_minutes) if g else "30",
                            id="gf-duration",
                            restrict=r"\d*",
                            max_length=3,
                        ),
                        key="duration",
                    ),
                    FormField(
                        "Weekdays",
                        WeekdayPicker(days, id="gf-days"),
                        key="weekdays",
                        hint="1–5 or m t w h f toggle a day",
                    ),
                    FormField(
                        "Repeat",
                        Checkbox("every other week", interval == 2, id="gf-biweekly"),
                        key="interval",
                    ),
                    FormField(
                        "Start date",
                        Input(
                            g.start_date.isoformat() if g and g.start_date else self._auto_start,
                            id="gf-start",
                            placeholder="YYYY-MM-DD (blank: first day of school)",
                        ),
                        key="start_date",
                    ),
                    FormField(
                        "End date",
                        Input(
                            g.end_date.isoformat() if g and g.end_date else "",
                            id="gf-end",
                            placeholder="YYYY-MM-DD (blank: last day of school)",
                        ),
                        key="end_date",
                    ),
                    FormField(
                        "Probes",
                        SelectionList[str](
                            *(
                                Selection(Text(f"{m.code} · {m.name}"), m.code, m.code in on_group)
                                for m in measures
                                if m.active or m.code in on_group
                            ),
                            id="gf-measures",
                        ),
                        key="measures",
                    ),
                    FormField(
                        "Probe every",
                        Input(
                            str(g.probe_every_weeks) if g else "1",
                            id="gf-probe",
                            restrict=r"\d*",
                            max_length=1,
                        ),
                        key="probe_every",
                        hint="weeks (1 or 2)",
                    ),
                    FormField(
                        "Fidelity checklist",
                        TextArea("\n".join(g.fidelity_items) if g else "", id="gf-fidelity"),
                        key="fidelity",
                        hint="one item per line",
                    ),
                    id="group-form",
                )
            with Vertical(id="group-form-right"):
                yield Static(id="gf-preview")
                yield Static(Text("Members", style="bold"), classes="pane-title")
                yield Input(placeholder="Search students", id="group-member-search")
                yield SelectionList[str](id="gf-members")
                yield Static(id="gf-member-count")
                yield Input(
                    "" if g is None else self.today().isoformat(),
                    id="gf-effective",
                    placeholder="blank: the group's start date",
                )
                yield Static(
                    Text("Member changes take effect on this date", style="dim"),
                    id="gf-effective-help",
                )
                yield Static("", id="gf-effective-error")
        yield Footer()

    def on_mount(self) -> None:
        self.fill_members()
        self.update_preview()
        self.query_one("#gf-name", Input).focus()

    # ------------------------------------------------------------------ members
    def fill_members(self) -> None:
        query = self.query_one("#group-member-search", Input).value.casefold().split()
        members = self.query_one("#gf-members", SelectionList)
        members.clear_options()
        for s in sorted(self.students, key=lambda s: s.sort_key):
            hay = f"{s.name} {s.sis_id or ''}".casefold()
            if s.id in self.chosen or all(w in hay for w in query):
                label = Text(f"{s.name} (gr {s.grade})")
                if not s.active:
                    label.append(" archived", style="dim")
                members.add_option(Selection(label, s.id, s.id in self.chosen))
        self.query_one("#gf-member-count", Static).update(
            Text(f"{len(self.chosen)} selected · space toggles", style="dim")
        )

    @on(Input.Changed, "#group-member-search")
    def _member_search(self) -> None:
        self.fill_members()

    @on(Input.Submitted, "#group-member-search")
    def _member_search_done(self) -> None:
        self.query_one("#gf-members", SelectionList).focus()

    @on(SelectionList.SelectionToggled, "#gf-members")
    def _member_toggled(self, event: SelectionList.SelectionToggled) -> None:
        sid = event.selection.value
        if sid in self.chosen:
            self.chosen.remove(sid)
        else:
            self.chosen.append(sid)
        self.query_one("#gf-member-count", Static).update(
            Text(f"{len(self.chosen)} selected · space toggles", style="dim")
        )

    # ------------------------------------------------------------------ reading the form
    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def schedule_fields(self) -> dict[str, object]:
        """The schedule's fields, parsed; raises ValidationError naming the bad field."""
        start_time = parse_time(self._value("gf-time"))
        duration = check_int(self._value("gf-duration") or "", "duration (minutes)", lo=5, hi=240)
        weekdays = self.query_one("#gf-days", WeekdayPicker).selected
        interval = 2 if self.query_one("#gf-biweekly", Checkbox).value else 1
        rrule = schedule.build_rrule(weekdays, interval)
        start = parse_optional_date(self._value("gf-start").strip(), "start date")
        end = parse_optional_date(self._value("gf-end").strip(), "end date")
        if start and end and end < start:
            raise ValidationError(
                f"end date {end} is before start date {start}", field="end_date", value=end
            )
        return {
            "start_time": start_time,
            "duration_minutes": duration,
            "rrule": rrule,
            "start_date": start,
            "end_date": end,
        }

    def fields(self) -> dict[str, object]:
        """Every group field from the form; raises ValidationError naming the bad field."""
        values = self.schedule_fields()
        tier = self._value("gf-tier").strip()
        if tier not in ("2", "3"):
            raise ValidationError(f"tier {tier!r} is not 2 or 3", field="tier", value=tier)
        probe = check_int(self._value("gf-probe") or "", "probe interval (weeks)", lo=1, hi=8)
        fidelity = [
            line.strip()
            for line in self.query_one("#gf-fidelity", TextArea).text.splitlines()
            if line.strip()
        ]
        values.update(
            name=self._value("gf-name"),
            program=self._value("gf-program"),
            skill_focus=self._value("gf-skill"),
            tier=int(tier),
            location=self._value("gf-location"),
            measures=list(self.query_one("#gf-measures", SelectionList).selected),
            probe_every_weeks=probe,
            fidelity_items=fidelity,
        )
        return values

    def effective_date(self, start: date | None) -> date:
        text = self._value("gf-effective").strip()
        if not text:
            return start or self.today()
        return parse_date(text, "changes take effect")

    # ------------------------------------------------------------------ live preview
    @on(Input.Changed, "#gf-time, #gf-duration, #gf-start, #gf-end")
    @on(Checkbox.Changed, "#gf-biweekly")
    @on(WeekdayPicker.Changed, "#gf-days")
    def _schedule_changed(self) -> None:
        self._follow_start()
        self.update_preview()

    def default_start(self, start_time: str) -> date:
        """Today, or tomorrow once today's meeting at ``start_time`` has ended."""
        now: datetime = self.clock()
        try:
            begins = datetime.combine(now.date(), time_of(parse_time(start_time)))
            minutes = check_int(self._value("gf-duration") or "", "duration", lo=5, hi=240)
        except ValidationError:
            return now.date()
        ended = begins + timedelta(minutes=minutes) <= now
        return now.date() + timedelta(days=1) if ended else now.date()

    def _follow_start(self) -> None:
        """A new group's start date follows its time until the user types a date."""
        field = self.query_one("#gf-start", Input)
        if self.group is not None or field.value != self._auto_start:
            return
        self._auto_start = self.default_start(self._value("gf-time")).isoformat()
        field.value = self._auto_start

    def update_preview(self) -> None:
        """The schedule in words and its next 5 dates, or what to fix."""
        preview = self.query_one("#gf-preview", Static)
        text = Text("Schedule\n", style="bold")
        if not self._value("gf-time").strip():
            text.append("Type a start time (HH:MM) to see it in words and its next dates", "dim")
            preview.update(text)
            self.next_dates = []
            return
        try:
            values = self.schedule_fields()
        except ValidationError as exc:
            text.append(str(exc), style="yellow")
            preview.update(text)
            return
        # values: Group's schedule fields by name, each checked by schedule_fields()
        candidate = Group(id="preview", name="preview", **values)  # type: ignore[arg-type]
        calendar = self.store.calendar()
        text.append(schedule.describe(candidate) + "\n")
        today = self.today()
        after = today - timedelta(days=1)
        dates = schedule.next_dates(candidate, calendar, after, 5)
        if dates:
            text.append("Next: ", style="dim")
            text.append(", ".join(f"{d:%a %b} {d.day}" for d in dates))
        else:
            text.append("No more meetings this school year", style="yellow")
        self.next_dates = dates
        preview.update(text)

    # ------------------------------------------------------------------ saving
    def show_error(self, exc: ValidationError | str, field_name: str | None = None) -> None:
        name = field_name if field_name is not None else getattr(exc, "field", "")
        error = self.query_one("#gf-effective-error", Static)
        error.update("")
        for key, aliases in FIELD_ALIASES.items():
            if name and (name == key or name in aliases):
                if key in ("effective", "members"):
                    self.query_one(Form).clear_errors()
                    error.update(Text(str(exc), style="red"))
                    self.query_one("#gf-effective", Input).focus()
                    return
                self.query_one(Form).show_error(exc, key)
                return
        self.query_one(Form).show_error(exc, name)

    def action_save(self) -> None:
        form = self.query_one(Form)
        form.clear_errors()
        self.query_one("#gf-effective-error", Static).update("")
        try:
            values = self.fields()
            # values: Group's fields by name (fields() parsed start_date to a date or None)
            day = self.effective_date(values["start_date"])  # type: ignore[arg-type]
        except ValidationError as exc:
            self.show_error(exc)
            return
        current = self.group.memberships if self.group else []
        try:
            candidate = Group(
                id=self.group.id if self.group else "new",
                memberships=planned_memberships(list(current), self.chosen, day),
                # values: Group's fields by name, each checked by fields()
                **values,  # type: ignore[arg-type]
            ).validated()
        except ValidationError as exc:
            self.show_error(exc)
            return
        store = self.store
        calendar = store.calendar()
        start = max(self.today(), calendar.year_start)
        names = {s.id: s.name for s in self.students}
        clashes = schedule.conflicts_for(
            candidate, store.groups(), calendar, start, calendar.year_end, student_names=names
        )
        if not clashes:
            self.save(values, day)
            return
        lines = "\n".join(f"• {c.message}" for c in clashes[:8])
        more = f"\n… and {len(clashes) - 8} more" if len(clashes) > 8 else ""
        question = f"This schedule clashes:\n{lines}{more}\n\nSave anyway?"

        def answer(yes: bool | None) -> None:
            if yes:
                self.save(values, day)

        self.app.push_screen(ConfirmScreen(question, yes="Save anyway", no="Go back"), answer)

    def save(self, values: dict[str, object], day: date) -> None:
        store = self.store
        try:
            if self.group is None:
                memberships = [Membership(sid, day) for sid in self.chosen]
                # values: Group's fields by name, each checked by fields()
                saved = store.add_group(Group(id="", memberships=memberships, **values))  # type: ignore[arg-type]
            else:
                saved = store.save_group(self.group.id, self.chosen, day, **values)
        except ValidationError as exc:
            self.show_error(exc)
            return
        except StoreError as exc:
            self.show_error(str(exc), "")
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)
