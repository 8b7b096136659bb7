"""A custom measure for the catalogue: code, name, unit, range, direction, decimals, errors."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Static

from store.errors import StoreError
from store.model import Measure
from tui.keys import bindings
from tui.screens.form_modal import FormModal
from tui.widgets.form import Form, FormField


class MeasureForm(FormModal[Measure]):
    """A custom measure: code, name, unit, min, max, direction, decimals, errors."""

    BINDINGS = bindings("measure_form")
    FIRST = "#mf-code"

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
            yield self.help_line()

    def action_save(self) -> None:
        form = self.query_one(Form)
        measure = Measure(
            code=form.value("code").strip(),
            name=form.value("name"),
            unit=form.value("unit"),
            # the form's text; Measure.validated() parses min, max and decimals to numbers
            min=form.value("min"),  # type: ignore[arg-type]
            max=form.value("max"),  # type: ignore[arg-type]  # as min
            higher_is_better=self.query_one("#mf-higher", Checkbox).value,
            decimals=form.value("decimals") or "0",  # type: ignore[arg-type]  # as min
            records_errors=self.query_one("#mf-errors", Checkbox).value,
        )
        try:
            saved = self.store.add_measure(measure)
        except StoreError as exc:
            form.show_store_error(exc)
            return
        self.dismiss(saved)
