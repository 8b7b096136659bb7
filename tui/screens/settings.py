"""The settings screen (issue 19; `,` or the palette): who signs the letters, their
language, the decision rule's thresholds, the school year and the keymap.

Every value is checked by :mod:`store.settings` (the same checks as the file); a refused
value shows under its field with the key, the value and what is allowed, and nothing is
saved. ctrl+s saves the file (comments kept) and applies it at once: decisions recomputed
with the new thresholds, the keymap, the school year written to the store's calendar.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, Select, Static, TextArea

from store.errors import StoreError
from store.settings import DECISION_KEYS, Settings, save_settings, settings_from_doc
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.widgets.form import Form, FormField

__all__ = ["SettingsScreen"]

_YOU: tuple[tuple[str, str], ...] = (
    ("name", "Your name"),
    ("role", "Role"),
    ("school", "School"),
    ("email", "Email"),
    ("phone", "Phone"),
)
_DECISION_LABELS = {
    "point_n": ("Points in a row", "NCII point rule: this many points above/below the aim line"),
    "point_min": ("Points first", "scores needed before the point rule applies"),
    "trend_min": ("Trend points", "scores needed before the trend rule applies"),
    "trend_tolerance": ("Trend tolerance", "score units a week (aimsweb: 0.5 WCPM for ORF)"),
    "min_weeks": ("Minimum weeks", "weeks in a phase before change / raise the goal"),
    "dosage_target": ("Dosage target", "fraction 0–1 of planned sessions and minutes (0.8)"),
    "fidelity_target": ("Fidelity target", "fraction 0–1 of the fidelity checklist (0.8)"),
    "plausibility_jump": ("Plausibility", "score entry asks beyond this fraction of the range"),
}
_KEY_LINE = re.compile(r"^\s*([^=\s]+)\s*=\s*(.+?)\s*$")
_FIELD_OF = re.compile(r"^(?:[\w.-]+\.toml: )?([a-z_]+\.[\w.-]+)")


def _number(text: str) -> Any:
    """'4' → 4, '0.8' → 0.8, '80%' → 0.8; anything else is returned as typed (refused later
    with the key and what is allowed)."""
    t = text.strip()
    try:
        if t.endswith("%"):
            return float(t[:-1]) / 100
        return int(t) if re.fullmatch(r"[+-]?\d+", t) else float(t)
    except ValueError:
        return t


def _field(label: str, widget: Any, *, key: str, **kw: Any) -> FormField:
    """A FormField keyed by the settings file's dotted key (its widget id made of it)."""
    return FormField(label, widget, key=key, id=f"field-{key.replace('.', '-')}", **kw)


class SettingsScreen(AppScreen[Settings | None]):
    """Edit the settings file; ctrl+s saves and applies, Esc goes back unsaved."""

    BINDINGS = bindings("settings")

    def compose(self) -> ComposeResult:
        settings = self.config.settings
        calendar = self.store.calendar()
        d = settings.decisions
        path = self.config.settings_path
        yield Header(show_clock=False)
        with Vertical(id="settings-box"):
            where = f"File: {path}" if path else "Not saved to a file (this run only)"
            yield Static(Text(f"Settings · {where}"), id="settings-title")
            fields: list[FormField] = [
                _field(
                    label, Input(getattr(settings.you, key), id=f"set-you-{key}"), key=f"you.{key}"
                )
                for key, label in _YOU
            ]
            fields.append(
                _field(
                    "Letters' language",
                    Select(
                        [("English", "en"), ("Español (Spanish)", "es")],
                        value=settings.letters.language,
                        allow_blank=False,
                        id="set-language",
                    ),
                    key="letters.language",
                    aliases=("language", "letters"),
                )
            )
            fields.append(
                _field(
                    "Closing",
                    Input(
                        settings.letters.closing, placeholder="e.g. Warm regards", id="set-closing"
                    ),
                    key="letters.closing",
                )
            )
            fields.append(
                _field(
                    "Decision rule",
                    Select(
                        [("NCII point rule", "point"), ("aimsweb trend rule", "trend")],
                        value=d.rule,
                        allow_blank=False,
                        id="set-rule",
                    ),
                    key="decisions.rule",
                )
            )
            for key, (label, hint) in _DECISION_LABELS.items():
                fields.append(
                    _field(
                        label,
                        Input(str(getattr(d, key)), id=f"set-{key}"),
                        key=f"decisions.{key}",
                        hint=hint,
                    )
                )
            fields += [
                _field(
                    "First school day",
                    Input(
                        calendar.year_start.isoformat(), placeholder="YYYY-MM-DD", id="set-first"
                    ),
                    key="school_year.first",
                ),
                _field(
                    "Last school day",
                    Input(calendar.year_end.isoformat(), placeholder="YYYY-MM-DD", id="set-last"),
                    key="school_year.last",
                ),
                _field(
                    "Keys",
                    TextArea(
                        "\n".join(f"{k} = {v}" for k, v in settings.keys.items()),
                        id="set-keys",
                        soft_wrap=False,
                    ),
                    key="keys",
                    hint="one per line: binding id = keys, e.g. today.log = ctrl+l,f2",
                ),
            ]
            yield Form(*fields, id="settings-form")
            yield Static(
                Text("ctrl+s saves and applies · Esc goes back unsaved", style="dim"),
                id="settings-help",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#set-you-name", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def typed(self) -> dict[str, Any]:
        """What the form holds, as the settings file's tables."""
        from datetime import date

        form = self.query_one(Form)
        you = {key: form.value(f"you.{key}") for key, _ in _YOU}
        language = self.query_one("#set-language", Select).value
        rule = self.query_one("#set-rule", Select).value
        decisions: dict[str, Any] = {"rule": rule}
        for key in _DECISION_LABELS:
            decisions[key] = _number(form.value(f"decisions.{key}"))
        year: dict[str, Any] = {}
        for key in ("first", "last"):
            text = form.value(f"school_year.{key}").strip()
            if text:
                try:
                    year[key] = date.fromisoformat(text)
                except ValueError:
                    year[key] = text  # refused with the key and the format
        keys: dict[str, Any] = {}
        for line in self.query_one("#set-keys", TextArea).text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            match = _KEY_LINE.match(line)
            if match is None:
                keys[line.strip()] = ""  # refused: no "="
            else:
                keys[match.group(1)] = match.group(2).strip("\"'")
        return {
            "you": you,
            "letters": {"language": language, "closing": form.value("letters.closing")},
            "decisions": decisions,
            "school_year": year,
            "keys": keys,
        }

    def checked(self) -> tuple[Settings, list[str]]:
        """The typed settings and a line for each refused value (the file's own checks;
        the other decision thresholds kept from the file)."""
        doc = self.typed()
        kept = self.config.settings.decisions.to_doc()
        doc["decisions"] = {**{k: v for k, v in kept.items() if v is not None}, **doc["decisions"]}
        settings, problems = settings_from_doc(doc)
        if not problems:
            from tui.settings_apply import unknown_binding_ids

            problems = [
                f"keys.{k}: no binding has this id (e.g. today.log, app.settings)"
                for k in unknown_binding_ids(settings.keys, type(self.app))
            ]
        return settings, problems

    def action_save(self) -> None:
        form = self.query_one(Form)
        settings, problems = self.checked()
        if problems:
            match = _FIELD_OF.match(problems[0])
            name = match.group(1) if match else ""
            if name.startswith("keys."):
                name = "keys"
            first = re.sub(r"; the default.*$|; the key is left as it is$", "", problems[0])
            message = first + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
            form.show_error(message, name)
            return
        form.clear_errors()
        path = self.config.settings_path
        try:
            if path is not None:
                save_settings(path, settings)
        except StoreError as exc:
            form.show_error(str(exc), "")
            return
        app: Any = self.app
        app.config = app.config.with_settings(settings)
        app.apply_settings()
        self.notify("Settings saved" + (f" in {path}" if path else ""), markup=False)
        self.dismiss(settings)

    def action_back(self) -> None:
        self.dismiss(None)


# the labels the form's fields use, for the help page and tests
DECISION_FIELDS = tuple(f"decisions.{k}" for k in DECISION_KEYS if k in _DECISION_LABELS)
