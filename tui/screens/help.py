"""`?`: the keys and the day's workflow in a few lines. The key tables are built from the
screens' BINDINGS (each key with its tooltip); what is not a binding — clicks, panes, what
score entry accepts as typed — is written here."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

from tui.keys import bindings

#: How a Textual key name is written for people (README and help); single characters and
#: ctrl+… combinations are written as they are.
KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "plus": "+",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "shift+tab": "shift+Tab",
    "delete": "Delete",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "f5": "F5",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
}


def key_name(key: str) -> str:
    """``question_mark`` → ``?``, ``escape`` → ``Esc``, ``ctrl+z`` → ``ctrl+z``, ``G`` → ``G``."""
    return KEY_NAMES.get(key, key)


def own_bindings(screen: type[Screen]) -> list[Binding]:
    """The bindings a screen class of ours declares (itself and its bases in tui/), not
    Textual's defaults (Tab focus, ctrl+c copy)."""
    declared: list[BindingType] = []
    for cls in reversed(screen.__mro__):
        if "BINDINGS" in cls.__dict__ and cls.__module__.startswith("tui."):
            declared.extend(cls.__dict__["BINDINGS"])
    return list(Binding.make_bindings(declared))


def key_rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) per action, in BINDINGS order: keys bound to the same action share
    a row (``Tab / m``); what they do is the binding's tooltip."""
    rows: dict[str, tuple[list[str], str]] = {}
    for b in bindings:
        keys, _ = rows.setdefault(b.action, ([], b.tooltip or b.description))
        keys.append(b.key_display or key_name(b.key))
    return [(" / ".join(keys), does) for keys, does in rows.values()]


def key_table(bindings: Iterable[Binding], extra: Iterable[tuple[str, str]] = ()) -> str:
    """A markdown table of the keys (``extra``: rows that are not bindings, first)."""
    lines = ["| key | does |", "|---|---|"]
    for keys, does in [*extra, *key_rows(bindings)]:
        lines.append(f"| {keys} | {does} |")
    return "\n".join(lines)


TODAY_EXTRA = [
    ("↑ ↓", "move in the focused list (PgUp PgDn, Home End: a page, the first / last row)"),
    (
        "click",
        "on a group or student: move to it; a click on the selected one opens it, like Enter "
        "· on an attention line: open it",
    ),
    ("Tab", "next pane (groups → students → needs attention)"),
    ("ctrl+p", "command palette (this screen's actions)"),
    ("ctrl+q", "quit — every save is already on disk"),
]

ENTRY_TYPING = """\
| type | does |
|---|---|
| `62` Enter | save 62 and move to the next row (keys typed ahead land in the right rows) |
| `62/3` Enter | 62 with 3 errors (ORF, NWF, LNF: accuracy shown) |
| `61 58 64` Enter | passages read in one sitting: the median is saved, the passages kept |
| paste a column | one value per line fills the next rows; the first refused line stops |
| Enter again | save a score far from the student's last ones, or replace today's |
| a wrong key (`2o`) | shown in red; Enter refuses the whole entry |
| `a` | mark the student absent and move on |
| Enter on an empty row | skip it |
"""

AFTER_ENTRY = """\
After the last row the **session log** opens with the students you marked absent, the
scheduled minutes and the next lesson (the one after the last logged lesson) filled in.
The fidelity checklist starts unticked: space ticks each item done; a checklist left
untouched is saved as *not recorded*, never as 0 %. Cancelling the session (a reason)
clears the minutes. Enter accepts and marks the group *done ✓*; Esc goes back to the scores.

A score that is outside the measure's range, not a number, or dated in the future is not
saved: the message says why and what you typed stays so you can fix it.

Press Esc or ? to close this help.
"""


def help_markdown() -> str:
    """The help page: each screen's key table from its BINDINGS, and the prose around them."""
    from tui.screens.caseload import CaseloadScreen
    from tui.screens.score_entry import ScoreEntryScreen
    from tui.screens.student import StudentScreen
    from tui.screens.students import StudentsScreen
    from tui.screens.today import TodayScreen

    parts = ["# intervene — keys", "**Today**", key_table(own_bindings(TodayScreen), TODAY_EXTRA)]
    parts += ["**Student screen**", key_table(own_bindings(StudentScreen))]
    parts += ["**Score entry**", ENTRY_TYPING.rstrip(), key_table(own_bindings(ScoreEntryScreen))]
    parts += ["**Caseload review**", key_table(own_bindings(CaseloadScreen))]
    parts += ["**Students**", key_table(own_bindings(StudentsScreen))]
    parts += [AFTER_ENTRY.rstrip()]
    return "\n\n".join(parts) + "\n"


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(help_markdown())

    def action_close(self) -> None:
        self.dismiss(None)
