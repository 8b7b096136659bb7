"""Score import: progress-monitoring history from spreadsheets and other tools' CSV exports.

Three steps, like the roster import, so the user sees what will happen before anything is
written:

1. :func:`parse_scores` reads a file into a :class:`ParsedScores` — the layout (long or wide),
   each score cell with its line (and column, for wide files), problems found in the file;
2. :func:`plan_score_import` matches students and checks every score with the Store's own
   checks, returning a :class:`ScorePlan` (new / unchanged / conflicts / problems);
3. :func:`apply_score_import` writes the plan in one undoable batch, all or nothing.

**Long** files have one row per score: a student column (``student_id``/``id``,
``sis_id``, ``student``/``name``, or given and family name columns), ``measure``/``probe``
(or ``--measure``), ``date``/``probe_date``, ``score``/``value``/``wcpm`` and optionally
``errors``. The app's own ``export scores`` CSV is a long file. **Wide** files have one row
per student and one column per probe date (``9/8/2026``, ``2026-09-08``, ``Sep 8``); blank
cells are skipped and ``62/3`` is a score of 62 with 3 errors.

Dates: ISO, US ``M/D/YYYY`` (``D/M/YYYY`` with ``date_format="dmy"``), month names. When every
numeric date reads both ways and the readings differ, the file is ambiguous: a problem that
asks for ``date_format``. A date without a year takes the school year's.

A score already stored for the same student, measure and date with the same value is
*unchanged*, so importing a file twice changes nothing; a different value is a *conflict*,
written only with ``replace=True``. Any problem writes nothing.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import ValidationError
from store.model import Measure, Score, Student, check_int, fmt_number
from store.records import frozen_record, mutable_record
from store.score_dates import (  # noqa: F401 - re-exported
    DATE_FORMATS,
    DateContext,
    ambiguity,
    choose_order,
    date_readings,
    resolve_date,
)
from store.tabular import (  # noqa: F401 - re-exported
    MAX_BYTES,
    add_section,
    all_or_nothing,
    decode,
    norm,
    problems_verdict,
    read_raw_table,
    refuse_problems,
    sniff_delimiter,
)

if TYPE_CHECKING:
    from store.db import Store

NOTHING_TO_CHANGE = "Nothing to change: every score in this file is already saved."
Progress = Callable[[int, int], None]

#: Our field → header names that mean it (compared lower-case, ``_``/``-`` as spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "student_id": ("student_id", "studentid", "id", "student number", "student no"),
    "sis_id": ("sis_id", "sisid", "sis", "sis identifier", "local id", "state id"),
    "name": ("student", "name", "student name", "full name", "fullname"),
    "given_name": ("given_name", "givenname", "first_name", "firstname", "first"),
    "family_name": ("family_name", "familyname", "last_name", "lastname", "last", "surname"),
    "measure": ("measure", "probe", "measure code", "assessment", "probe type"),
    "date": ("date", "probe_date", "probe date", "test date", "assessment date", "score date"),
    "score": ("score", "value", "wcpm", "words correct", "correct", "result"),
    "errors": ("errors", "error", "errs"),
}
_STUDENT_FIELDS = ("student_id", "sis_id", "name", "given_name", "family_name")
_BLANK = {"", "-", "–", "—", "n/a", "na", "abs", "absent", "."}
_WITH_ERRORS = re.compile(r"(\d+(?:\.\d+)?)\s*/\s*(\d+)")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")


# --------------------------------------------------------------------------- records
def _errors(n: int) -> str:
    return f"{n} error{'s' if n != 1 else ''}"


@frozen_record
class ScoreProblem:
    """Something wrong in the file, by (physical, 1-based) line and, in wide files, column."""

    file: str
    line: int | None
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@mutable_record
class ScoreCell:
    """One score as read from the file, before students and measures are looked up."""

    line: int
    column: str  # the date header in a wide file; "" in a long file
    student: dict[str, str]  # our student field -> the cell's text
    measure: str
    day: date
    value: str
    errors: str = ""


@mutable_record
class ParsedScores:
    """What a score file says, before it is compared with the Store."""

    source: str
    layout: str  # "long" or "wide"
    cells: list[ScoreCell] = field(default_factory=list)
    problems: list[ScoreProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    skipped: int = 0  # blank / "absent" cells

    @property
    def file(self) -> str:
        return Path(self.source).name


@mutable_record
class PlannedScore:
    """A checked score of the file: the student, the value as it would be saved, and the
    score already saved for that student, measure and day (None: a new score)."""

    line: int
    column: str
    student: Student
    measure: str
    day: date
    value: float
    errors: int | None
    existing: Score | None = None

    def describe(self, measures: dict[str, Measure]) -> str:
        m = measures.get(self.measure)
        text = f"{self.student.name}: {self.measure} {m.format(self.value) if m else self.value}"
        if self.errors is not None:
            text += f" ({_errors(self.errors)})"
        return f"{text} on {self.day.isoformat()}"

    def conflict(self, measures: dict[str, Measure]) -> str:
        """``Ava Jones: ORF on 2026-09-08: saved 62 (3 errors), file 65``."""
        m = measures.get(self.measure)

        def fmt(value: float, errors: int | None) -> str:
            text = m.format(value) if m else fmt_number(value)
            return text + (f" ({_errors(errors)})" if errors is not None else "")

        assert self.existing is not None
        return (
            f"{self.student.name}: {self.measure} on {self.day.isoformat()}: saved "
            f"{fmt(self.existing.value, self.existing.errors)}, file {fmt(self.value, self.errors)}"
            f" (line {self.line}{', column ' + self.column if self.column else ''})"
        )


@mutable_record
class ScorePlan:
    """What :func:`apply_score_import` would do; nothing has been written yet."""

    source: str
    layout: str
    new: list[PlannedScore] = field(default_factory=list)
    unchanged: list[PlannedScore] = field(default_factory=list)
    conflicts: list[PlannedScore] = field(default_factory=list)
    problems: list[ScoreProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    skipped: int = 0
    measures: dict[str, Measure] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def changes(self, replace: bool = False) -> int:
        """How many scores applying the plan writes (conflicts only with ``replace``)."""
        return len(self.new) + (len(self.conflicts) if replace else 0)

    def summary(self) -> str:
        """``12 new, 3 unchanged, 1 conflict, 0 problems``."""
        n = len(self.conflicts)
        p = len(self.problems)
        return (
            f"{len(self.new)} new, {len(self.unchanged)} unchanged, "
            f"{n} conflict{'s' if n != 1 else ''}, {p} problem{'s' if p != 1 else ''}"
        )

    def verdict(self, replace: bool = False) -> str:
        """What happens next, in one sentence."""
        if self.problems:
            return problems_verdict(self.problems, self.source)
        if self.conflicts and not replace:
            n = len(self.conflicts)
            return (
                f"{n} score{'s' if n != 1 else ''} in the file differ{'s' if n == 1 else ''} "
                "from the saved one: nothing will be written unless you replace "
                f"{'them' if n != 1 else 'it'}."
            )
        if self.changes(replace) == 0:
            return NOTHING_TO_CHANGE
        n = self.changes(replace)
        replaced = f" ({len(self.conflicts)} replaced)" if replace and self.conflicts else ""
        return f"Ready to import: {n} score{'s' if n != 1 else ''}{replaced}."

    def preview(self, limit: int = 20) -> list[str]:
        """Human-readable lines describing the plan (at most ``limit`` per section)."""
        out = [f"Scores from {self.source} ({self.layout} format): {self.summary()}"]
        out.extend(self.notices)
        if self.skipped:
            out.append(
                f"{self.skipped} blank or absent cell{'s' if self.skipped != 1 else ''} skipped"
            )

        add_section(
            out, "Problems (nothing will be written)", [str(p) for p in self.problems], limit
        )
        add_section(
            out,
            "Conflicts (a different score is already saved)",
            [c.conflict(self.measures) for c in self.conflicts],
            limit,
        )
        add_section(out, "New scores", [s.describe(self.measures) for s in self.new], limit)
        return out


@mutable_record
class ScoreImportResult:
    added: int
    replaced: int
    unchanged: int

    def summary(self) -> str:
        return (
            f"Imported: {self.added} new scores, {self.replaced} replaced, "
            f"{self.unchanged} already saved"
        )


# --------------------------------------------------------------------------- parsing
def _find_columns(header: Sequence[str]) -> dict[str, int]:
    by_norm: dict[str, int] = {}
    for pos, h in enumerate(header):
        by_norm.setdefault(norm(h), pos)
    found: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            at = by_norm.get(norm(alias))
            if at is not None and at not in found.values():
                found[key] = at
                break
    return found


def _cell(row: Sequence[str], i: int | None) -> str:
    return row[i] if i is not None and i < len(row) else ""


def _split_value(text: str, delimiter: str) -> tuple[str, str]:
    """``62/3`` → (``62``, ``3``); ``12,5`` in a ``;`` file → ``12.5``."""
    if m := _WITH_ERRORS.fullmatch(text):
        return m[1], m[2]
    if delimiter != "," and _DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", "."), ""
    return text, ""


def parse_scores(
    path: Path | str,
    *,
    year_start: date,
    year_end: date | None = None,
    today: date | None = None,
    measure: str | None = None,
    date_format: str | None = None,
    progress: Progress | None = None,
) -> ParsedScores:
    """Read a long or wide score file; StoreError when it cannot be read at all.

    ``year_start``/``year_end`` are the school year's first and last days (dates without a
    year; with ``today``, which of two date orders is meant), ``measure``
    the measure of rows without a measure column, ``date_format`` ``"mdy"``/``"dmy"``."""
    p = Path(path).expanduser()
    if date_format is not None and date_format not in DATE_FORMATS:
        raise ValidationError(
            f"date format {date_format!r} is not mdy or dmy", field="date_format", value=date_format
        )
    table, notice = read_raw_table(p)
    ctx = DateContext(year_start, date_format, year_end, today)
    cols = _find_columns(table.header)
    date_headers = {
        i: r
        for i, h in enumerate(table.header)
        if i not in cols.values() and (r := date_readings(h, ctx)) is not None
    }
    wide = bool(date_headers) and "date" not in cols
    parsed = ParsedScores(str(p), "wide" if wide else "long")
    if notice:
        parsed.notices.append(notice)
    file = parsed.file
    have = ", ".join(h for h in table.header if h) or "no header"
    if not any(k in cols for k in ("student_id", "sis_id", "name", "given_name")):
        parsed.problems.append(
            ScoreProblem(
                file,
                1,
                "no student column: name the students with student_id, sis_id, student/name "
                f"or given_name and family_name (the header has: {have})",
            )
        )
    default_measure = (measure or "").strip()
    if not default_measure and "measure" not in cols:
        if table.header and "score" in cols and norm(table.header[cols["score"]]) == "wcpm":
            default_measure = "ORF"
        else:
            parsed.problems.append(
                ScoreProblem(
                    file, 1, "no measure column: choose the measure (ORF, NWF, …) for this file"
                )
            )
    if not wide:
        missing = [k for k in ("date", "score") if k not in cols]
        if missing:
            parsed.problems.append(
                ScoreProblem(
                    file,
                    1,
                    f"missing {' and '.join(missing)} column{'s' if len(missing) > 1 else ''}: "
                    "a long file needs date and score (or value) columns, a wide file one "
                    f"column per date (the header has: {have})",
                )
            )
    if not table.rows and not parsed.problems:
        parsed.problems.append(ScoreProblem(file, None, "no rows under the header"))
    if parsed.problems:
        return parsed

    # the order of numeric dates, from every date in the file
    if wide:
        readings = list(date_headers.values())
        texts = [table.header[i] for i in date_headers]
    else:
        cell_readings = [date_readings(_cell(row, cols["date"]), ctx) for _, row in table.rows]
        readings = [r for r in cell_readings if r is not None]
        texts = [_cell(row, cols["date"]) for _, row in table.rows]
    order = choose_order(readings, date_format, ctx)
    if order is None:
        parsed.problems.append(
            ScoreProblem(
                file, 1, ambiguity([t for t, r in zip(texts, readings, strict=False) if r])
            )
        )
        return parsed

    def student_of(row: Sequence[str]) -> dict[str, str]:
        return {k: _cell(row, cols.get(k)) for k in _STUDENT_FIELDS if k in cols}

    total = len(table.rows)
    for n, (line, row) in enumerate(table.rows, 1):
        if progress is not None and (n == total or n % 200 == 0):
            progress(n, total)
        student = student_of(row)
        if not any(student.values()):
            parsed.problems.append(ScoreProblem(file, line, "no student on this row"))
            continue
        code = _cell(row, cols.get("measure")) or default_measure
        if not code:
            parsed.problems.append(ScoreProblem(file, line, "no measure on this row"))
            continue
        if wide:
            for i, reading in date_headers.items():
                text = _cell(row, i)
                if text.lower() in _BLANK:
                    parsed.skipped += text != ""
                    continue
                column = table.header[i]
                day = resolve_date(reading, order)
                if day is None:
                    parsed.problems.append(
                        ScoreProblem(file, line, f"{column!r} is not a real date", column)
                    )
                    continue
                value, errors = _split_value(text, table.delimiter)
                parsed.cells.append(ScoreCell(line, column, student, code, day, value, errors))
            continue
        date_text = _cell(row, cols["date"])
        value_text = _cell(row, cols["score"])
        if value_text.lower() in _BLANK:
            parsed.skipped += 1
            continue
        read = date_readings(date_text, ctx)
        day = resolve_date(read, order) if read else None
        if day is None:
            what = f"date {date_text!r} is not a date" if date_text else "the date is empty"
            if read:
                what = f"date {date_text!r} is not a real date"
            parsed.problems.append(ScoreProblem(file, line, what))
            continue
        value, errors = _split_value(value_text, table.delimiter)
        errors = _cell(row, cols.get("errors")) or errors
        parsed.cells.append(ScoreCell(line, "", student, code, day, value, errors))
    return parsed


# --------------------------------------------------------------------------- students
def fold(text: str) -> str:
    """A name as it is compared: no accents, no case, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[,.;]", " ", plain).split())


class StudentIndex:
    """Find students by id, SIS id or name ("Given Family", "Family, Given")."""

    def __init__(self, students: Sequence[Student]) -> None:
        self.by_id = {s.id: s for s in students}
        self.by_sis = {s.sis_id: s for s in students if s.sis_id}
        self.by_name: dict[str, list[Student]] = {}
        for s in students:
            for key in {
                fold(f"{s.given_name} {s.family_name}"),
                fold(f"{s.family_name} {s.given_name}"),
            }:
                self.by_name.setdefault(key, []).append(s)
        self._memo: dict[tuple[tuple[str, str], ...], Student | str] = {}

    @staticmethod
    def _label(s: Student) -> str:
        sis = f", SIS {s.sis_id}" if s.sis_id else ""
        return f"{s.name} (grade {s.grade}{sis})"

    def find(self, given: dict[str, str]) -> Student | str:
        """The student, or a message saying why not (with the candidates)."""
        key = tuple(sorted(given.items()))
        if key not in self._memo:
            self._memo[key] = self._find(given)
        return self._memo[key]

    def _find(self, given: dict[str, str]) -> Student | str:
        sid, sis = given.get("student_id", ""), given.get("sis_id", "")
        for text, table in ((sid, self.by_id), (sis, self.by_sis), (sid, self.by_sis)):
            if text and text in table:
                return table[text]
        name = given.get("name", "")
        if not name and (given.get("given_name") or given.get("family_name")):
            name = f"{given.get('given_name', '')} {given.get('family_name', '')}"
        if not name.strip():
            ids = " / ".join(t for t in (sid, sis) if t)
            return f"no student has the id {ids!r}"
        matches = self.by_name.get(fold(name), [])
        if len(matches) > 1:
            active = [s for s in matches if s.active]
            if len(active) == 1:
                return active[0]
            shown = "; ".join(self._label(s) for s in matches[:6])
            return (
                f"{name.strip()!r} matches {len(matches)} students: {shown}; "
                "add a student_id or sis_id column"
            )
        if matches:
            return matches[0]
        close = difflib.get_close_matches(fold(name), list(self.by_name), n=3, cutoff=0.75)
        candidates = []
        for k in close:
            for s in self.by_name[k]:
                if s not in candidates:
                    candidates.append(s)
        hint = (
            f" (did you mean {' or '.join(self._label(s) for s in candidates)}?)"
            if candidates
            else " (import the roster first, or check the spelling)"
        )
        return f"no student matches {name.strip()!r}{hint}"


# --------------------------------------------------------------------------- plan & apply
def plan_score_import(
    parsed: ParsedScores, store: Store, progress: Progress | None = None
) -> ScorePlan:
    """Match students and check every score as the Store would save it. Reads only."""
    plan = ScorePlan(
        parsed.source,
        parsed.layout,
        problems=list(parsed.problems),
        notices=list(parsed.notices),
        skipped=parsed.skipped,
    )
    if parsed.problems:
        return plan
    index = StudentIndex(store.students(include_archived=True))
    measures = {m.code: m for m in store.measures(include_inactive=True)}
    plan.measures = measures
    by_text: dict[str, str] = {}
    for m in measures.values():
        by_text.setdefault(m.code.casefold(), m.code)
        by_text.setdefault(fold(m.name), m.code)
    seen: dict[tuple[str, str, date], PlannedScore] = {}
    named: set[tuple[int, str]] = set()
    file = parsed.file
    total = len(parsed.cells)
    for n, cell in enumerate(parsed.cells, 1):
        if progress is not None and (n == total or n % 100 == 0):
            progress(n, total)

        def problem(message: str, cell: ScoreCell = cell) -> None:
            plan.problems.append(ScoreProblem(file, cell.line, message, cell.column))

        student = index.find(cell.student)
        if isinstance(student, str):
            if (cell.line, student) not in named:  # a wide row names its student once
                named.add((cell.line, student))
                plan.problems.append(ScoreProblem(file, cell.line, student))
            continue
        code = by_text.get(cell.measure.casefold()) or by_text.get(fold(cell.measure), cell.measure)
        try:
            errors = check_int(cell.errors, "errors", lo=0, hi=999) if cell.errors else None
            value = store.check_score(
                student.id, code, cell.value, cell.day, errors=errors, replace=True
            )
        except ValidationError as exc:
            problem(str(exc))
            continue
        m = measures[code]
        planned = PlannedScore(cell.line, cell.column, student, m.code, cell.day, value, errors)
        key = (student.id, m.code, cell.day)
        first = seen.get(key)
        if first is not None:
            if (first.value, first.errors) != (value, errors):
                where = f"line {first.line}" + (f", column {first.column}" if first.column else "")
                problem(
                    f"a second {m.code} score for {student.name} on {cell.day.isoformat()} "
                    f"({m.format(value)}; {m.format(first.value)} on {where})"
                )
            continue
        seen[key] = planned
        existing = store.score_on(student.id, m.code, cell.day)
        planned.existing = existing
        if existing is None:
            plan.new.append(planned)
        elif existing.value == value and (errors is None or errors == existing.errors):
            plan.unchanged.append(planned)
        else:
            plan.conflicts.append(planned)
    return plan


def read_score_file(
    path: Path | str,
    store: Store,
    *,
    measure: str | None = None,
    date_format: str | None = None,
    progress: Progress | None = None,
) -> ScorePlan:
    """Parse and plan in one call (``progress`` counts rows read, then scores checked)."""
    calendar = store.calendar()
    parsed = parse_scores(
        path,
        year_start=calendar.year_start,
        year_end=calendar.year_end,
        today=store.today(),
        measure=measure,
        date_format=date_format,
        progress=progress,
    )
    return plan_score_import(parsed, store, progress=progress)


def apply_score_import(
    plan: ScorePlan,
    store: Store,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> ScoreImportResult:
    """Write a plan in one undoable batch, all or nothing. A plan with problems, or with
    conflicts and ``replace`` False, raises ValidationError and writes nothing."""
    refuse_problems(plan.problems)
    if plan.conflicts and not replace:
        n = len(plan.conflicts)
        raise ValidationError(
            f"{n} score{'s' if n != 1 else ''} differ from the saved ones "
            f"(first: {plan.conflicts[0].conflict(plan.measures)}); nothing was written",
            field="replace",
            value=n,
        )
    todo = plan.new + (plan.conflicts if replace else [])
    total = len(todo)
    if progress is not None:
        progress(0, total)
    if total == 0:
        return ScoreImportResult(0, 0, len(plan.unchanged))
    done = 0
    with all_or_nothing(store, f"score import from {Path(plan.source).name}", lambda: done):
        for s in todo:
            store.record_score(
                s.student.id,
                s.measure,
                s.value,
                s.day,
                # a file without errors keeps the errors already saved for the day
                errors=s.errors
                if s.errors is not None or s.existing is None
                else s.existing.errors,
                replace=s.existing is not None,
            )
            done += 1
            if progress is not None:
                progress(done, total)
    return ScoreImportResult(len(plan.new), len(todo) - len(plan.new), len(plan.unchanged))
