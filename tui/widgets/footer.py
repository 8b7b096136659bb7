"""Textual's Footer, without the work that changes nothing on screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey  # not re-exported; textual is pinned to 8.2


class Footer(TextualFooter):
    """Textual's Footer, as it looks and behaves, minus two costs on every screen's start:

    - Textual's Footer removes and remounts all its keys whenever the screen's bindings are
      refreshed (each focus change, screen resume or ``refresh_bindings`` call), even when
      the same keys result. This one remembers what it composed and skips the rebuild when
      nothing it shows (key, description, enabled, tooltip) has changed. On the Today screen
      that saved a second full rebuild, the one the initial focus schedules.
    - Each key starts ``compact`` (class ``-compact``) and is then bound to the footer's
      ``compact`` (False): two restylings per key. Bound keys here start with the footer's
      value.
    """

    _shown: list[tuple[object, bool, str]] | None = None

    @staticmethod
    def _keys(screen: Screen) -> list[tuple[object, bool, str]]:
        return [(b, enabled, tip) for (_, b, enabled, tip) in screen.active_bindings.values()]

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # bound to self.compact (the palette key is not: it keeps its own default)
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        if (
            self._shown is not None
            and self.is_attached
            and screen is self.screen
            and self._keys(screen) == self._shown
        ):
            return
        super().bindings_changed(screen)
