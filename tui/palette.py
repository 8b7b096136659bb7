"""The command palette's providers (issue 19): commands found by their title *or* their
description ("letter", "family" find the family letter), and students found by name
("Open Ana Lopez"). Loaded lazily by ``InterventionApp.COMMANDS``."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import Hit, Hits, Provider
from textual.system_commands import SystemCommandsProvider

__all__ = ["CommandsProvider", "StudentsProvider"]

#: a match on the description ranks below one on the title
DESCRIPTION_WEIGHT = 0.6


class CommandsProvider(SystemCommandsProvider):
    """The app's and the screen's commands, matched on title and on description."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        words = query.casefold().split()
        for name, help_text, callback, *_ in self.app.get_system_commands(self.screen):
            score = matcher.match(name)
            if score <= 0 and words and all(w in help_text.casefold() for w in words):
                score = DESCRIPTION_WEIGHT
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class StudentsProvider(Provider):
    """Every current student, by name (given, family, "Family, Given") or SIS id."""

    async def startup(self) -> None:
        app: Any = self.app
        try:
            self.students = list(app.store.students())
        except Exception:  # a damaged file: the palette still offers commands
            self.students = []

    def _open(self, student_id: str) -> None:
        from tui.screens.student import StudentScreen

        app: Any = self.app
        day = getattr(self.screen, "day", None) or app.start_date or app.today()
        app.push_screen(StudentScreen(student_id, day))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for s in self.students:
            names = [s.name, f"{s.family_name}, {s.given_name}"]
            if s.sis_id:
                names.append(s.sis_id)
            score = max(matcher.match(n) for n in names)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(f"Open {s.name}"),
                    partial(self._open, s.id),
                    text=f"Open {s.name}",
                    help=f"Student · grade {s.grade}",
                )

    async def discover(self) -> Hits:
        return
        yield  # no students listed before typing: the list would be the whole caseload
