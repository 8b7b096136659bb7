"""A labelled-field form with the store's validation messages shown inline.

Each :class:`FormField` is a label, one input widget and an error line under it. A
:class:`Form` finds the field a :class:`store.errors.ValidationError` is about (by its
``field`` name: ``"grade"``, ``"SIS identifier"``, ``"sis_id"``…) and shows the message
there; a message about no known field shows at the top of the form.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from store.errors import StoreError, ValidationError
from tui.keys import bindings


def _norm(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


class FormField(Vertical):
    """One labelled field: ``label  [widget]`` with an error line underneath."""

    DEFAULT_CSS = """
    FormField { height: auto; }
    FormField > .form-row { height: auto; }
    FormField .form-label { width: 20; padding: 1 1 0 0; text-align: right; }
    FormField .form-row > Input, FormField .form-row > SelectionList,
    FormField .form-row > TextArea, FormField .form-row > Select,
    FormField .form-row > Checkbox { width: 1fr; }
    FormField .form-error { height: auto; padding: 0 0 0 20; color: $error; display: none; }
    FormField.-invalid .form-error { display: block; }
    FormField .form-hint { height: auto; padding: 0 0 0 20; color: $text-muted; }
    """

    def __init__(
        self,
        label: str,
        widget: Widget,
        *,
        key: str,
        aliases: Iterable[str] = (),
        hint: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id or f"field-{key}")
        self.label = label
        self.widget = widget
        self.key = key
        self.names = {_norm(key), _norm(label), *(_norm(a) for a in aliases)}
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(Text(self.label), classes="form-label")
            yield self.widget
        if self.hint:
            yield Static(Text(self.hint), classes="form-hint")
        yield Static("", classes="form-error")

    def matches(self, field_name: str) -> bool:
        return _norm(field_name) in self.names

    def set_error(self, message: str | None) -> None:
        """Show ``message`` under the field (None clears it)."""
        self.query_one(".form-error", Static).update(Text(message or ""))
        self.set_class(bool(message), "-invalid")

    @property
    def error(self) -> str:
        return (
            str(self.query_one(".form-error", Static).render())
            if self.has_class("-invalid")
            else ""
        )


def school_year_fields(
    ids: tuple[str, str],
    values: tuple[str, str] = ("", ""),
    placeholders: tuple[str, str] = ("YYYY-MM-DD", "YYYY-MM-DD"),
) -> list[FormField]:
    """The school year's First day and Last day fields (keys ``year_start``, ``year_end``,
    as the store names them); the welcome screen and the calendar both ask for them."""
    named = (
        ("First day", "year_start", "first day of school", ""),
        ("Last day", "year_end", "last day of school", "Enter saves the school year"),
    )
    return [
        FormField(label, Input(value, placeholder=ph, id=id_), key=key, aliases=(alias,), hint=hint)
        for (label, key, alias, hint), id_, value, ph in zip(
            named, ids, values, placeholders, strict=True
        )
    ]


class Form(VerticalScroll):
    """A column of :class:`FormField` s with a general error line at the top.

    Tab / shift+Tab are *priority* bindings here: the app moves the focus as soon as it reads
    the key, before it hands out the next one, so ``Name⇥Program⇥…`` typed ahead (a fast
    typist, a macro, a paste) fills each field in turn. (As an ordinary binding the focus would
    move only after the key had gone through the field, and the keys behind it would land in
    the old field.)"""

    BINDINGS = bindings("form")

    DEFAULT_CSS = """
    Form { height: auto; max-height: 100%; }
    Form > .form-general { height: auto; color: $error; display: none; padding: 0 1; }
    Form.-invalid > .form-general { display: block; }
    """

    def __init__(self, *fields: Widget, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Static("", classes="form-general"), *fields, id=id, classes=classes)

    @property
    def fields(self) -> list[FormField]:
        return list(self.query(FormField))

    def field(self, key: str) -> FormField:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def value(self, key: str) -> str:
        widget = self.field(key).widget
        assert isinstance(widget, Input)
        return widget.value

    def clear_errors(self) -> None:
        for f in self.fields:
            f.set_error(None)
        self.query_one(".form-general", Static).update("")
        self.remove_class("-invalid")

    def show_error(self, exc: ValidationError | str, field_name: str | None = None) -> None:
        """Show the message next to its field (focusing it), or at the top of the form."""
        self.clear_errors()
        message = str(exc)
        name = field_name if field_name is not None else getattr(exc, "field", "") or ""
        for f in self.fields:
            if name and f.matches(name):
                f.set_error(message)
                f.widget.focus()
                f.scroll_visible()
                return
        self.query_one(".form-general", Static).update(Text(message))
        self.add_class("-invalid")
        self.scroll_home(animate=False)

    def show_store_error(self, exc: StoreError) -> None:
        """A refused save: a ValidationError next to its field, any other store error (a
        file that cannot be written) as the form's top line."""
        if isinstance(exc, ValidationError):
            self.show_error(exc)
        else:
            self.show_error(str(exc), "")

    @property
    def errors(self) -> dict[str, str]:
        """{field key (or "" for the top line): message} of the errors shown now."""
        out = {f.key: f.error for f in self.fields if f.error}
        if self.has_class("-invalid"):
            out[""] = str(self.query_one(".form-general", Static).render())
        return out


#: (RRULE code, label) of the school weekdays; their keys (1–5, m t w h f) are the weekdays
#: table of tui/keys.toml.
WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("MO", "Mon"),
    ("TU", "Tue"),
    ("WE", "Wed"),
    ("TH", "Thu"),
    ("FR", "Fri"),
)


class WeekdayPicker(Widget, can_focus=True):
    """School weekdays as checkboxes: 1–5 or m t w h f toggle a day, ←/→ and space too."""

    DEFAULT_CSS = """
    WeekdayPicker { height: 3; border: tall $border-blurred; padding: 0 1; width: 1fr; }
    WeekdayPicker:focus { border: tall $border; }
    """
    BINDINGS = bindings("weekdays")

    class Changed(Message):
        def __init__(self, picker: WeekdayPicker) -> None:
            super().__init__()
            self.picker = picker

        @property
        def control(self) -> WeekdayPicker:
            return self.picker

    days: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    cursor: reactive[int] = reactive(0)

    def __init__(self, days: Iterable[str] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(WeekdayPicker.days, frozenset(days))

    def render(self) -> Text:
        text = Text()
        for i, (code, label) in enumerate(WEEKDAYS):
            box = "[x]" if code in self.days else "[ ]"
            style = "reverse" if self.has_focus and i == self.cursor else ""
            text.append(f"{box} {label}", style=style)
            text.append("  ")
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def watch_days(self) -> None:
        self.post_message(self.Changed(self))

    def action_toggle_day(self, code: str) -> None:
        self.days = self.days ^ {code}
        self.cursor = [c for c, *_ in WEEKDAYS].index(code)

    def action_toggle_cursor(self) -> None:
        self.action_toggle_day(WEEKDAYS[self.cursor][0])

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(WEEKDAYS)

    @property
    def selected(self) -> list[str]:
        """The chosen days as RRULE codes, Monday first."""
        return [code for code, *_ in WEEKDAYS if code in self.days]
