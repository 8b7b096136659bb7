"""ctrl+z on the management and review screens: undo the store's last change and say so."""

from __future__ import annotations

from textual.screen import Screen

from store.errors import NothingToUndoError, StoreError


def undo_last(screen: Screen) -> str | None:
    """Undo the last change through the app's Store. Returns what was undone (the caller
    shows it and refreshes), or None after telling the user why nothing was undone.
    Messages name students and groups: never parsed as markup."""
    try:
        return screen.app.store.undo_last()  # type: ignore[attr-defined]
    except NothingToUndoError:
        screen.notify("Nothing to undo", severity="warning", markup=False)
    except StoreError as exc:
        screen.notify(str(exc), severity="error", markup=False)
    return None
