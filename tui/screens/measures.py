"""The measure catalogue: the built-ins, custom measures to add, and switching a custom one
off (its scores stay)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, DataTable, Header, Input, Static

from store.errors import StoreError, ValidationError
from store.model import Measure, fmt_number
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField


class MeasuresScreen(Screen[None]):
    """Every measure, built-in and custom."""

    BINDINGS = [
        Binding("a", "add", "Add custom", id="measures.add", tooltip="Add a custom measure"),
        Binding(
            "x",
            "toggle_active",
            "Deactivate/activate",
            id="measures.toggle",
            tooltip="Switch the selected custom measure off or on (its scores stay)",
        ),
        Binding("escape", "back", "Back", id="measures.back", tooltip="Go back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[Measure] = []

    @property
    def store(self):  # noqa: ANN201 - the app's Store
        return self.app.store  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(Text("Measures", style="bold"), classes="manage-bar")
        yield DataTable(id="measure-list", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#measure-list", DataTable)
        for label, key in (
            ("Code", "code"),
            ("Name", "name"),
            ("Unit", "unit"),
            ("Range", "range"),
            ("Better", "better"),
            ("Dec.", "decimals"),
            ("Errors", "errors"),
            ("Kind", "kind"),
            ("Status", "status"),
        ):
            table.add_column(label, key=key)
        self.refresh_list()
        table.focus()

    def refresh_list(self, keep: str | None = None) -> None:
        table = self.query_one("#measure-list", DataTable)
        if keep is None and self.shown and 0 <= table.cursor_row < len(self.shown):
            keep = self.shown[table.cursor_row].code
        self.shown = self.store.measures(include_inactive=True)
        table.clear()
        for m in self.shown:
            dim = "" if m.active else "dim"
            table.add_row(
                Text(m.code, style=dim),
                Text(m.name, style=dim),
                Text(m.unit, style=dim),
                f"{fmt_number(m.min)}–{fmt_number(m.max)}",
                "higher" if m.higher_is_better else "lower",
                str(m.decimals),
                "yes" if m.records_errors else "",
                "built-in" if m.builtin else "custom",
                Text("active") if m.active else Text("off", style="dim italic"),
                key=m.code,
            )
        codes = [m.code for m in self.shown]
        if keep in codes:
            table.move_cursor(row=codes.index(keep))

    def selected(self) -> Measure | None:
        table = self.query_one("#measure-list", DataTable)
        if not self.shown or not (0 <= table.cursor_row < len(self.shown)):
            return None
        return self.shown[table.cursor_row]

    def action_add(self) -> None:
        def saved(measure: Measure | None) -> None:
            if measure is not None:
                self.notify(f"Added measure {measure.code}", markup=False)
                self.refresh_list(keep=measure.code)

        self.app.push_screen(MeasureForm(), saved)

    def action_toggle_active(self) -> None:
        m = self.selected()
        if m is None:
            return
        if m.builtin:
            self.notify(
                f"{m.code} is built in; only custom measures can be switched off",
                severity="warning",
                markup=False,
            )
            return
        try:
            self.store.update_measure(m.code, active=not m.active)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        state = "switched on" if not m.active else "switched off (its scores stay)"
        self.notify(f"{m.code} {state}", markup=False)
        self.refresh_list(keep=m.code)

    def action_back(self) -> None:
        self.dismiss(None)

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Add custom measure", "Add a measure to the catalogue", self.action_add)
        yield SystemCommand(
            "Deactivate measure", "Switch a custom measure off or on", self.action_toggle_active
        )


class MeasureForm(ModalScreen[Measure | None]):
    """A custom measure: code, name, unit, min, max, direction, decimals, errors."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="measure_form.save", tooltip="Save the measure"),
        Binding("escape", "cancel", "Cancel", id="measure_form.cancel", tooltip="Close unsaved"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="measure-form-box", classes="form-box"):
            yield Static(Text("New measure", style="bold"), classes="form-title")
            yield Form(
                FormField("Code", Input(id="mf-code", placeholder="e.g. PSF"), key="code"),
                FormField("Name", Input(id="mf-name"), key="name", aliases=("measure name",)),
                FormField(
                    "Unit", Input(id="mf-unit", placeholder="e.g. sounds per minute"), key="unit"
                ),
                FormField("Minimum", Input("0", id="mf-min"), key="min", aliases=("minimum",)),
                FormField("Maximum", Input(id="mf-max"), key="max", aliases=("maximum",)),
                FormField(
                    "Better",
                    Checkbox("higher is better", True, id="mf-higher"),
                    key="higher_is_better",
                ),
                FormField(
                    "Decimals", Input("0", id="mf-decimals", restrict=r"\d*"), key="decimals"
                ),
                FormField(
                    "Errors",
                    Checkbox("records errors", False, id="mf-errors"),
                    key="records_errors",
                ),
                id="measure-form",
            )
            yield Static(
                Text("Enter or ctrl+s saves · Esc cancels", style="dim"), classes="form-help"
            )

    def on_mount(self) -> None:
        self.query_one("#mf-code", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        form = self.query_one(Form)
        measure = Measure(
            code=form.value("code").strip(),
            name=form.value("name"),
            unit=form.value("unit"),
            min=form.value("min"),  # type: ignore[arg-type]
            max=form.value("max"),  # type: ignore[arg-type]
            higher_is_better=self.query_one("#mf-higher", Checkbox).value,
            decimals=form.value("decimals") or "0",  # type: ignore[arg-type]
            records_errors=self.query_one("#mf-errors", Checkbox).value,
        )
        try:
            saved = self.app.store.add_measure(measure)  # type: ignore[attr-defined]
        except ValidationError as exc:
            form.show_error(exc)
            return
        except StoreError as exc:
            form.show_error(str(exc), "")
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)
