"""Score entry's rows and what the entry field accepts, as plain values (no Textual, no Rich):
``62/3`` is 62 with 3 errors, ``61 58 64`` three passages read in one sitting (the median is
the day's score; DIBELS / Acadience / aimsweb benchmark practice)."""

from __future__ import annotations

import re
from dataclasses import field
from datetime import date

from store.errors import ValidationError
from store.model import Score
from store.records import mutable_record
from tui.views.lines import MeasureLine

#: What the entry field takes: ASCII digits, '.', '/' for errors, spaces between passages.
ALLOWED = frozenset("0123456789./ ")
_READING = re.compile(r"([0-9]+(?:\.[0-9]+)?)(?:/([0-9]+))?", re.ASCII)
HOW = "digits, one '.', '/' for errors, spaces between passages"


@mutable_record
class EntryRow:
    """One (student, measure) to probe in this session and what happened to it."""

    line: MeasureLine
    state: str = ""  # "", "saving", "saved", "absent", "error", "confirm"
    message: str = ""
    draft: str = ""
    saved: Score | None = None
    armed: set[str] = field(default_factory=set)  # warnings shown for ``armed_text``
    armed_text: str = ""
    typed: str = ""  # what was typed for the last save (undo puts it back)
    seq: int = 0  # bumped by each save and undo: a writer's late news for an older one is stale
    notices: list[str] = field(default_factory=list)

    @property
    def student_id(self) -> str:
        return self.line.student.id


def parse_entry(text: str, records_errors: bool, code: str) -> tuple[list[str], int | None]:
    """'62/3' → (['62'], 3); '61 58 64' → (['61', '58', '64'], None); '61/2 58/3 64/1' →
    (['61', '58', '64'], 2), the errors' median. Anything but ASCII digits, one '.' per value,
    '/' and spaces is refused whole (``2o`` is not 2). The values are checked by the store."""
    text = text.strip()
    bad = next((ch for ch in text if ch not in ALLOWED), None)
    if bad is not None:
        raise ValidationError(
            f"“{text}” is not a score: {bad!r} is not allowed ({HOW})", field="value", value=text
        )
    values: list[str] = []
    errors: list[int] = []
    for part in text.split():
        match = _READING.fullmatch(part)
        if match is None:
            raise ValidationError(
                f"“{part}” is not a score ({HOW}; e.g. 62 or 62/3)", field="value", value=part
            )
        values.append(match.group(1))
        if match.group(2) is not None:
            errors.append(int(match.group(2)))
    if errors and not records_errors:
        raise ValidationError(
            f"{code} does not record errors; type just the score", field="errors", value=text
        )
    if errors and len(errors) != len(values):
        raise ValidationError(
            "give errors for every passage or for none (e.g. 61/2 58/3 64/1)",
            field="errors",
            value=text,
        )
    return values, (int(Score.median(errors)) if errors else None)


def short_reason(reason: str, limit: int = 48) -> str:
    """The engine's reason cut to its lead, without the numbers in brackets:
    '4 consecutive scores below the aim line (48, 50, 52, 50) — …' → '4 in a row below the
    aim line'."""
    lead = re.sub(r"\s*\([^)]*\)", "", reason.split(" — ")[0]).strip().rstrip(".,;")
    lead = lead.replace("consecutive scores", "in a row")  # the point rule's usual words
    if len(lead) > limit:
        lead = lead[: limit - 1].rsplit(" ", 1)[0] + "…"
    return lead


def entry_row(line: MeasureLine, day: date, absent: set[str]) -> EntryRow:
    """A new row for ``line``: saved if it has a score on ``day``, else absent if the student
    is in ``absent``, else open."""
    row = EntryRow(line)
    today_score = next((s for s in line.scores if s.date == day), None)
    if today_score is not None:
        row.state, row.saved = "saved", today_score
    elif line.student.id in absent:
        row.state = "absent"
    return row
