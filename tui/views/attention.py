"""The caseload rows every screen shares, and Today's "needs attention" list.

:func:`caseload_rows` is the one way the app (Today, the caseload review, the meeting packet)
and ``intervene caseload`` compute the caseload, so they can never disagree. What "needs a
decision" means is ``CaseloadRow.needs_decision`` (``store.vocabulary``); the attention list
is every row that needs a decision or has a probe overdue (``CaseloadRow.needs_attention``),
and its counts line is ``store.caseload.attention_summary``.

Importing this module imports no Textual or Rich (the command line uses it); the attention
lines' labels are drawn by ``tui.widgets.measure_cells.attention_label``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from store.caseload import (
    CaseloadRow,
    attention_summary,
    caseload_summary,
    row_order,
    session_windows,
)
from store.db import SCORES_DIR, SESSIONS_DIR, Store
from store.errors import CorruptFileError, StoreError
from store.model import Goal, Group, Score, Session, Student
from tui.config import AppConfig
from tui.views.attention_cache import AttentionCache, Entry, Scan, folder_key, partitions

if TYPE_CHECKING:
    from tui.views.lines import MeasureLine


def history_start(store: Store, goals: list[Goal]) -> date:
    """How far back the caseload reads scores: the school year's first day, or an earlier
    goal baseline (as ``tui.views.lines.history_start``; here so the CLI needs no widgets)."""
    return min([store.calendar().year_start] + [g.baseline_date for g in goals])


def caseload_rows(store: Store, day: date, config: AppConfig) -> list[CaseloadRow]:
    """Every active student's caseload rows as of ``day``, most urgent first."""
    return _caseload(store, day, config)[0]


def _caseload(store: Store, day: date, config: AppConfig) -> tuple[list[CaseloadRow], list[Score]]:
    """The caseload rows and the scores they were computed from."""
    computed = _caseload_of(store, day, config)
    return computed.rows, computed.scores


class _Computed(NamedTuple):
    rows: list[CaseloadRow]
    scores: list[Score]
    students: list[Student]  # the students computed (readable)
    groups: list[Group]  # the groups read (every group, or the ``only`` students')
    since: date  # the history start


def _caseload_of(
    store: Store, day: date, config: AppConfig, only: Collection[str] | None = None
) -> _Computed:
    """The caseload rows, their scores and the students computed: every student, or those in
    ``only`` (then only their groups' session logs are read). A student's rows do not depend
    on other students' records beyond the history start (every goal's baseline), so rows
    computed for some students are the rows the whole caseload gives them."""
    goals = store.goals()
    since = history_start(store, goals)
    groups = store.groups(include_inactive=True)
    if only is not None:
        groups = [g for g in groups if any(m.student_id in only for m in g.memberships)]
    readable: list[Student] = []
    scores_of: dict[str, list[Score]] = {}
    for st in store.students():
        if only is not None and st.id not in only:
            continue
        try:
            scores_of[st.id] = store.scores(st.id, since=since, until=day)
        except CorruptFileError:  # left out until restored: see unreadable_files()
            continue
        readable.append(st)
    phases = {st.id: store.phase_changes(st.id) for st in readable}
    # only the logs, and the years of them, that some student's dosage window reaches
    windows = session_windows(
        readable,
        groups,
        goals,
        (s for st in readable for s in scores_of[st.id]),
        (p for st in readable for p in phases[st.id]),
        day,
    )
    sessions: list[Session] = []
    blind: set[str] = set()  # members of a group whose session log is unreadable
    for g in groups:
        if g.id not in windows:
            continue
        try:
            sessions.extend(store.sessions(g.id, since=windows[g.id], until=day))
        except CorruptFileError:  # named by unreadable_files(); no dosage from half a log
            blind.update(m.student_id for m in g.memberships)
    students = [st for st in readable if st.id not in blind]
    scores = [s for st in students for s in scores_of[st.id]]
    rows = caseload_summary(
        students,
        groups,
        store.measures(include_inactive=True),
        goals,
        scores,
        [p for st in students for p in phases[st.id]],
        sessions,
        store.calendar(),
        day,
        config.decision,
    )
    return _Computed(rows, scores, students, groups, since)


def caseload_with_scores(
    store: Store, day: date, config: AppConfig
) -> tuple[list[CaseloadRow], dict[tuple[str, str], list[Score]]]:
    """The caseload rows and each (student id, measure code)'s scores in date order, from
    that student's own history start (as ``tui.views.lines.student_rows`` reads them), so a
    report needs no second read per student."""
    rows, scores = _caseload(store, day, config)
    year_start = store.calendar().year_start
    since: dict[str, date] = {}
    for g in store.goals():
        since[g.student_id] = min(since.get(g.student_id, year_start), g.baseline_date)
    by_line: dict[tuple[str, str], list[Score]] = {}
    for score in scores:
        if score.date >= since.get(score.student_id, year_start):
            by_line.setdefault((score.student_id, score.measure), []).append(score)
    return rows, by_line


def attention_lines(store: Store, day: date, config: AppConfig) -> list[MeasureLine]:
    """The rows that need a person to look (a decision to make or a probe overdue), most
    urgent first. Each line carries ``extra["row"]``, its caseload row (the list's label is
    ``tui.widgets.measure_cells.attention_label`` of it)."""
    rows, scores = _caseload(store, day, config)
    return _attention_of(rows, scores, day)


def _attention_of(rows: list[CaseloadRow], scores: list[Score], day: date) -> list[MeasureLine]:
    from tui.views.lines import line_from_row

    out: list[MeasureLine] = []
    by_line: dict[tuple[str, str], list[Score]] = {}  # the rows' scores, read once
    for score in scores:  # each student's scores are in date order: so is each list
        by_line.setdefault((score.student_id, score.measure), []).append(score)
    for row in rows:
        if not row.needs_attention:
            continue
        line_scores = by_line.get((row.student.id, row.measure.code), [])
        every = min((g.probe_every_weeks for g in row.groups), default=1)
        out.append(line_from_row(row, line_scores, day, every))
    return out


class AttentionBook:
    """Today's caseload rows and needs-attention lines for one day, kept by student, so that
    after a save only the students it touched are computed again (issue 16), and the
    caseload review can open on the rows already computed. ``computed`` counts the students
    whose caseload rows were computed, over the book's life. With ``config.attention_cache``
    the rows are also kept in the data folder between starts (``tui.views.attention_cache``):
    a start computes only the students whose records changed since."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.computed = 0
        self._by_student: dict[str, tuple[list[CaseloadRow], list[MeasureLine]]] = {}
        self._entries: dict[str, Entry] = {}  # what the cache file holds, when it is current
        self._key: tuple[object, ...] | None = None  # the cache file's key, when it is
        self._ids: tuple[str, ...] = ()  # the students the cache file is for
        self._unsaved: AttentionCache | None = None  # the file to write (``keep``)

    @staticmethod
    def _compute(
        store: Store, day: date, config: AppConfig, only: Collection[str] | None
    ) -> tuple[dict[str, tuple[list[CaseloadRow], list[MeasureLine]]], _Computed]:
        computed = _caseload_of(store, day, config, only)
        out: dict[str, tuple[list[CaseloadRow], list[MeasureLine]]] = {
            st.id: ([], []) for st in computed.students
        }
        for row in computed.rows:
            out[row.student.id][0].append(row)
        for line in _attention_of(computed.rows, computed.scores, day):
            out[line.student.id][1].append(line)
        return out, computed

    def _entries_of(
        self,
        fresh: dict[str, tuple[list[CaseloadRow], list[MeasureLine]]],
        computed: _Computed,
        scan: Scan,
    ) -> dict[str, Entry]:
        """The cache entries of freshly computed students, with the identities ``scan``
        took before they were read."""
        groups_of: dict[str, list[Group]] = {}
        for g in computed.groups:
            for sid in dict.fromkeys(m.student_id for m in g.memberships):
                groups_of.setdefault(sid, []).append(g)
        out: dict[str, Entry] = {}
        for sid, (rows, lines) in fresh.items():
            rels = partitions(sid, groups_of.get(sid, []), computed.since, self.day)
            out[sid] = (scan.deps(rels), rows, lines)
        return out

    def fill(
        self,
        store: Store,
        config: AppConfig,
        *,
        writable: bool | None = None,
        scan: Scan | None = None,
    ) -> None:
        """Compute every student's rows and lines (``caseload_rows``, ``attention_lines``);
        with the cache, only those whose entry is missing or out of date (``keep`` writes
        the file again, if ``writable``: by default, if the store is). ``scan``: the
        folder's identities taken before the store was opened (else taken here)."""
        if not config.attention_cache:
            self._by_student, computed = self._compute(store, self.day, config, None)
            self.computed += len(computed.students)
            return
        if writable is None:
            writable = not store.readonly
        cache = AttentionCache(store.data_dir, writable=writable)
        scan = scan or Scan(store.data_dir)  # before anything is read
        key = folder_key(scan, self.day, config.decision, store.calendar())
        ids, entries = cache.load(key)
        kept = {sid: e for sid, e in entries.items() if sid in ids and scan.current(e[0])}
        if not ids:  # no cache for this folder, day and settings: everyone
            ids = tuple(st.id for st in store.students())
        missing = [sid for sid in ids if sid not in kept]
        if missing:
            only = None if len(missing) == len(ids) else set(missing)
            fresh, computed = self._compute(store, self.day, config, only)
            self.computed += len(computed.students)
            kept.update(self._entries_of(fresh, computed, scan))
            self._unsaved = cache
        self._entries, self._key, self._ids = kept, key, ids
        self._by_student = {sid: (rows, lines) for sid, (_, rows, lines) in kept.items()}

    def refreshed(
        self, store: Store, config: AppConfig, student_ids: Iterable[str]
    ) -> AttentionBook:
        """A copy with the rows and lines of ``student_ids`` computed again (a deleted,
        archived or unreadable student's are dropped); the others are kept as they are.
        With the cache, the file is brought up to date too, unless the core records changed
        (the next start then computes everyone)."""
        ids = set(student_ids)
        book = AttentionBook(self.day)
        scan = Scan(store.data_dir) if self._key is not None else None
        fresh, computed = self._compute(store, self.day, config, ids)
        book.computed = self.computed + len(computed.students)
        book._by_student = {
            sid: fresh[sid] if sid in ids else kept
            for sid, kept in self._by_student.items()
            if sid not in ids or sid in fresh
        }
        book._by_student.update((sid, v) for sid, v in fresh.items() if sid not in self._by_student)
        if scan is not None and config.attention_cache:
            key = folder_key(scan, self.day, config.decision, store.calendar())
            if key == self._key:  # the same students, groups and goals: entries still hold
                entries = {s: e for s, e in self._entries.items() if s not in ids}
                entries.update(book._entries_of(fresh, computed, scan))
                book._unsaved = AttentionCache(store.data_dir, writable=not store.readonly)
                book._entries, book._key, book._ids = entries, key, self._ids
        return book

    def keep(self) -> None:
        """Write the cache file for the next start, if ``fill`` or ``refreshed`` computed
        anyone (after the list is shown: the file is for later)."""
        cache, self._unsaved = self._unsaved, None
        if cache is not None and self._key is not None:
            cache.save(self._key, self._ids, self._entries)

    @property
    def rows(self) -> list[CaseloadRow]:
        """Every caseload row, in the caseload's order, as ``caseload_rows``."""
        out = [row for rows, _ in self._by_student.values() for row in rows]
        out.sort(key=row_order)
        return out

    @property
    def lines(self) -> list[MeasureLine]:
        """Every line, in the caseload's order (most urgent first), as ``attention_lines``."""
        out = [line for _, lines in self._by_student.values() for line in lines]
        # extra is untyped; every attention line carries its CaseloadRow as extra["row"]
        out.sort(key=lambda line: row_order(line.extra["row"]))  # type: ignore[arg-type]
        return out


def unreadable_files(store: Store) -> list[str]:
    """One line per data file found damaged so far, naming whose scores it holds, e.g.
    "Ava Jones's scores are left out: <the file> cannot be read (...). <where a backup is>"."""
    out = []
    for exc in store.damaged_files():
        path = Path(exc.path)
        whose = "Some data is"
        if path.parent.parent.name == SCORES_DIR:
            try:
                whose = f"{store.student(path.stem).name}'s scores are"
            except StoreError:
                whose = "Scores are"
        elif path.parent.parent.name == SESSIONS_DIR:
            try:
                group = store.group(path.stem)
                whose = f"{group.name}'s session log (and its students' decisions) is"
            except StoreError:
                whose = "A session log is"
        out.append(f"{whose} left out: {exc}")
    return out


def attention_title_counts(lines: Iterable[MeasureLine]) -> str:
    """The counts line for the attention list ("5 to change · 3 probes overdue"): the same as
    ``attention_summary`` of the whole caseload, since the list holds every row it counts."""
    # extra is untyped; every attention line carries its CaseloadRow as extra["row"]
    return attention_summary(line.extra["row"] for line in lines)  # type: ignore[misc]
