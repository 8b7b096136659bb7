"""`?`: the keys and the day's workflow in a few lines."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# intervene — keys

**Today**

| key | does |
|---|---|
| ↑ ↓ / j k | move in the focused list (PgUp PgDn, Home End: a page, the first / last row) |
| click | on a group or student: move to it; a click on the selected one opens it, like Enter · on an attention line: open it |
| Tab | next pane (groups → students → needs attention) |
| Enter | on a group: enter its scores · on a student or attention line: open the student |
| ← → | previous / next school day |
| t | back to today |
| g | the selected group: members, session history, dosage, next meetings |
| l | log the selected group's session (delivered or cancelled, attendance, fidelity) |
| u | log the past week's sessions that are not logged yet, one after another |
| c | caseload review: every student by urgency, `/` filters |
| s | students: search, add, edit, archive |
| G | groups and their schedules |
| y | school calendar: first and last day, no-school days |
| M | measures: the built-ins and your own |
| r | a report (the student under the cursor, else the meeting packet) |
| x | export scores, sessions, a backup or the calendar |
| i | import a roster (CSV or OneRoster) |
| ctrl+p | command palette (this screen's actions) |
| ? | this help |
| q / ctrl+q | quit — every save is already on disk |

**Student screen**

| key | does |
|---|---|
| Tab / m | next measure |
| t | trend line: OLS → Tukey → Theil–Sen |
| g | set or change the goal (norms, benchmark or custom; the aim line is previewed) |
| p | add a phase change (the trend restarts after it) |
| n | add a dated note |
| e / d | edit / delete the selected score (asks first) |
| r | this student's report or family letter |
| ctrl+z | undo the last change |

**Score entry**

| type | does |
|---|---|
| `62` Enter | save 62 and move to the next row (keys typed ahead land in the right rows) |
| `62/3` Enter | 62 with 3 errors (ORF, NWF, LNF: accuracy shown) |
| `61 58 64` Enter | passages read in one sitting: the median is saved, the passages kept |
| paste a column | one value per line fills the next rows; the first refused line stops |
| Enter again | save a score far from the student's last ones, or replace today's |
| a wrong key (`2o`) | shown in red; Enter refuses the whole entry |
| `a` | mark the student absent and move on |
| `+` | add another member or measure of the group to this session |
| Enter on an empty row | skip it |
| ↑ ↓ | move between rows (what you typed is kept) |
| ctrl+z | undo the last save and go back to its row to fix it |
| ctrl+l | open the session log now |
| Esc | back to Today (asks first if something typed is not saved) |

After the last row the **session log** opens with the students you marked absent, the
scheduled minutes and the next lesson (the one after the last logged lesson) filled in.
The fidelity checklist starts unticked: space ticks each item done; a checklist left
untouched is saved as *not recorded*, never as 0 %. Cancelling the session (a reason)
clears the minutes. Enter accepts and marks the group *done ✓*; Esc goes back to the scores.

A score that is outside the measure's range, not a number, or dated in the future is not
saved: the message says why and what you typed stays so you can fix it.

Press Esc or ? to close this help.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close", tooltip="Close help"),
        Binding(
            "question_mark",
            "close",
            "Close",
            id="help.close2",
            key_display="?",
            show=False,
            tooltip="Close help",
        ),
        Binding("q", "close", "Close", id="help.close3", show=False, tooltip="Close help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)

    def action_close(self) -> None:
        self.dismiss(None)
