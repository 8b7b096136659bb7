"""Putting the user's settings into effect in the running app (issue 19): the keymap
(Textual's ``App.set_keymap``; every Binding has an id), the school year (into the store's
calendar, the one source of truth) and the start-up notices about refused keys."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from store.errors import StoreError
from store.model import SchoolCalendar
from store.settings import Settings

__all__ = ["apply_settings", "binding_ids", "school_year_calendar", "unknown_binding_ids"]


def binding_ids(app_class: type | None = None) -> dict[str, str]:
    """Every binding id of the app (``app_class``) and its screens → its description
    (imports the screens: call it off the start-up path)."""
    import tui.screens

    found: dict[str, str] = {}
    classes: list[Any] = [] if app_class is None else [app_class]
    for info in pkgutil.iter_modules(tui.screens.__path__):
        module = importlib.import_module(f"tui.screens.{info.name}")
        classes.extend(v for v in vars(module).values() if isinstance(v, type))
    for cls in classes:
        for binding in getattr(cls, "BINDINGS", ()):
            binding_id = getattr(binding, "id", None)
            if binding_id:
                found.setdefault(binding_id, getattr(binding, "description", ""))
    return found


def unknown_binding_ids(keys: dict[str, str], app_class: type | None = None) -> list[str]:
    """The ids in ``keys`` that no binding (of the screens, of ``app_class``) has."""
    known = binding_ids(app_class)
    return [k for k in keys if k not in known]


def school_year_calendar(settings: Settings, current: SchoolCalendar) -> SchoolCalendar | None:
    """The store's calendar with the settings' school year (no-school days kept), or None when
    the settings set none or the same one."""
    year = settings.school_year
    if year.first is None or year.last is None:
        return None
    if (year.first, year.last) == (current.year_start, current.year_end):
        return None
    return SchoolCalendar(year.first, year.last, list(current.no_school))


def apply_settings(app: Any, *, start: bool = False) -> None:
    """Apply ``app.config.settings`` (see the module docstring)."""
    config = app.config
    if start:
        for notice in config.notices:
            app.notify(notice, title="Settings", severity="warning", timeout=20, markup=False)
    if config.settings.keys:
        app.set_keymap(dict(config.settings.keys))
        if start:
            app.set_timer(1.0, lambda: _warn_unknown_keys(app))
    if app.store.is_empty() or app.store.view_only:
        return  # the first-run screen asks for the year; a read-only folder is not changed
    try:
        calendar = school_year_calendar(config.settings, app.store.calendar())
        if calendar is not None:
            saved = app.store.set_calendar(calendar)
            app.notify(
                f"School year from settings: {saved.year_start} to {saved.year_end}",
                markup=False,
            )
    except StoreError as exc:
        app.notify(
            f"settings [school_year] not applied: {exc}",
            title="Settings",
            severity="warning",
            timeout=20,
            markup=False,
        )


def _warn_unknown_keys(app: Any) -> None:
    unknown = unknown_binding_ids(app.config.settings.keys, type(app))
    if unknown:
        app.notify(
            f"settings [keys]: no binding {', '.join(unknown)}; ignored (the settings "
            "screen, comma, lists the binding ids)",
            title="Settings",
            severity="warning",
            timeout=20,
            markup=False,
        )
