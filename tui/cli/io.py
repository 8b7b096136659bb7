"""Command-line data in/out: ``import`` (roster, scores), ``export``, ``restore``, ``exports``, ``today``,
``add-score``.

Every command takes ``--data-dir DIR`` (default ``$INTERVENE_DATA_DIR`` or the user data
folder). Exit codes: 0 ok, 1 a user error (one line ``intervene: …`` on stderr, no
traceback), 2 usage (argparse). Commands that would replace or add data ask first when run
in a terminal; ``--yes`` skips the question, and without a terminal nothing is written.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from store.errors import CorruptFileError, FolderNotWritableError, StoreError, StoreLockedError

if TYPE_CHECKING:
    from store.db import Store
    from store.export import ExportFilter
    from store.settings import Settings
    from tui.config import AppConfig

Handler = Callable[[argparse.Namespace], int]


class CommandError(Exception):
    """A mistake the user can fix: printed as ``intervene: <message>``, exit code 1."""


def _fail(message: str) -> int:
    print(f"intervene: {message}", file=sys.stderr)
    return 1


def _handles_errors(handler: Handler) -> Handler:
    """Turn expected failures into one line on stderr and exit code 1."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (CommandError, StoreError) as exc:
            return _fail(str(exc))
        except BrokenPipeError:  # `intervene export scores - | head`
            return 0

    return run


# --------------------------------------------------------------------------- helpers
def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def _today() -> date:
    return datetime.now().date()


def _data_dir(args: argparse.Namespace) -> Path:
    from store.paths import default_data_dir

    given = getattr(args, "data_dir", None)
    return Path(given).expanduser() if given else default_data_dir()


def read_settings(err: TextIO | None = None) -> tuple[Settings, AppConfig]:
    """The user's settings file and the app's config from it (decision rule and thresholds,
    the letters' signer); each refused key is one ``intervene: settings…`` line on ``err``
    (stderr), and its default is used."""
    from store.settings import default_settings_path, load_settings
    from tui.config import AppConfig

    path = default_settings_path()
    settings, warnings = load_settings(path)
    for warning in warnings:
        print(f"intervene: {warning}", file=err or sys.stderr)
    return settings, AppConfig.from_settings(settings, settings_path=path)


def settings_config() -> AppConfig:
    """The app's config from the user's settings file (:func:`read_settings`)."""
    return read_settings()[1]


@contextmanager
def read_as_of(args: argparse.Namespace) -> Iterator[tuple[Store, date, AppConfig]]:
    """For a command that prints what the data says on a day: the data opened read-only
    (no writer lock, so it works while the app is open), the day (``--date``, else today)
    and the settings file's config, so the verdicts are the app's."""
    from store.db import Store

    day: date = getattr(args, "date", None) or _today()
    config = settings_config()
    with Store.open(_data_dir(args), readonly=True) as store:
        yield store, day, config


def print_lines(lines: Iterable[str]) -> int:
    """Print a text command's lines (trailing spaces dropped); exit code 0."""
    for line in lines:
        _say(line.rstrip())
    return 0


def lock_wait() -> float:
    """How long a writing command waits for the writer lock (``INTERVENE_LOCK_WAIT``, 3 s)."""
    import os

    try:
        return max(0.0, float(os.environ.get("INTERVENE_LOCK_WAIT", "3")))
    except ValueError:
        return 3.0


def _open(args: argparse.Namespace, *, read_only_ok: bool = False) -> Store:
    """The Store for this command. A command that only reads (or exports: the export log
    needs no writer lock) opens read-only when the app has the folder or its disk is
    read-only; a writing command waits a few seconds for another command to finish."""
    from store.db import Store

    folder = _data_dir(args)
    if getattr(args, "read_only", False):
        if not read_only_ok:
            raise CommandError("this command saves data; drop --read-only")
        return Store.open(folder, readonly=True)
    try:
        store = Store.open(folder, lock_wait=0.0 if read_only_ok else lock_wait(), holder="command")
    except (StoreLockedError, FolderNotWritableError):  # the app has it, a read-only disk
        if not read_only_ok:
            raise
        return Store.open(folder, readonly=True)
    for notice in store.notices:  # e.g. an interrupted restore, finished
        print(f"intervene: {notice}", file=sys.stderr)
    store.backup_when_due = not read_only_ok  # a writing command: the daily backup first
    return store


def open_to_read(folder: Path, clock: Callable[[], datetime] = datetime.now) -> Store:
    """The Store for a command that only reads and logs (a report): read-only when the app
    has the folder open or its disk is read-only."""
    from store.db import Store

    try:
        return Store.open(folder, clock=clock, holder="command")
    except (StoreLockedError, FolderNotWritableError):
        return Store.open(folder, clock=clock, readonly=True)


def _confirm(question: str, yes: bool) -> bool | None:
    """True to go ahead; False when the user says no; None when there is no one to ask."""
    if yes:
        return True
    if not sys.stdin.isatty():
        return None
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _import_stopped(problems: Sized, path: object, hint: str = "") -> CommandError:
    """The error of an import whose file has problems: nothing is written."""
    n = len(problems)
    return CommandError(
        f"import stopped: {n} problem{'s' if n != 1 else ''} in {path}{hint}; nothing was written"
    )


class _Summarised(Protocol):
    def summary(self) -> str: ...


def _write_import(
    store: Store,
    question: str,
    yes: bool,
    write: Callable[[Callable[[int, int], None]], _Summarised],
) -> None:
    """Ask ``question`` (no one to ask, or a no, writes nothing: CommandError), back up if
    due, then ``write(progress)``, counting on stderr when it is a terminal; then say what
    was written."""
    answer = _confirm(question, yes)
    if answer is None:
        raise CommandError(
            "no terminal to confirm the import, so nothing was written; "
            "run again with --yes to import"
        )
    if not answer:
        raise CommandError("import cancelled; nothing was written")
    store.backup_if_due()
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show and total:
            print(f"\rimporting… {done}/{total}", end="", file=sys.stderr, flush=True)

    result = write(progress)
    if show:
        print(file=sys.stderr)
    _say(result.summary())


def _say(text: str, *, to_stderr: bool = False) -> None:
    print(text, file=sys.stderr if to_stderr else sys.stdout)


# --------------------------------------------------------------------------- import
def _group_map(pairs: list[str]) -> dict[str, str]:
    """``--map-group 'CLASS=GROUP'`` values → {class title: group}."""
    out: dict[str, str] = {}
    for pair in pairs:
        title, sep, group = pair.partition("=")
        if not sep or not title.strip() or not group.strip():
            raise CommandError(
                f"--map-group {pair!r}: give CLASS=GROUP, e.g. 'Reading 3B=Fluency 3'"
            )
        out[title.strip()] = group.strip()
    return out


@_handles_errors
def cmd_import_roster(args: argparse.Namespace) -> int:
    from store.roster import apply_import, parse_roster, plan_import

    parsed = parse_roster(args.path, groups=args.groups)
    group_map = _group_map(getattr(args, "map_group", None) or [])
    with _open(args) as store:
        plan = plan_import(
            parsed, store, on=getattr(args, "date", None) or _today(), group_map=group_map
        )
        for line in plan.preview():
            _say(line)
        existing = sorted(g.name for g in store.groups())
        if plan.new_groups and existing:  # offer to map a class onto a group already here
            _say(
                "To add a class's students to an existing group instead of a new one: "
                f"--map-group 'CLASS=GROUP' (groups: {', '.join(existing)})"
            )
        if not plan.ok:
            raise _import_stopped(plan.problems, args.path)
        if plan.changes == 0:
            _say(plan.verdict())
            return 0
        _write_import(
            store,
            "Import these changes?",
            args.yes,
            lambda progress: apply_import(plan, store, progress=progress),
        )
    return 0


@_handles_errors
def cmd_import_scores(args: argparse.Namespace) -> int:
    from store.score_import import apply_score_import, read_score_file

    with _open(args) as store:
        plan = read_score_file(args.path, store, measure=args.measure, date_format=args.date_format)
        for line in plan.preview():
            _say(line)
        if not plan.ok:
            hint = ""
            if any(p.message.startswith("no measure column") for p in plan.problems):
                hint = " (give --measure CODE)"
            elif any("choose the date format" in p.message for p in plan.problems):
                hint = " (give --date-format mdy or dmy)"
            raise _import_stopped(plan.problems, args.path, hint)
        if plan.conflicts and not args.replace:
            n = len(plan.conflicts)
            raise CommandError(
                f"{n} score{'s' if n != 1 else ''} in {args.path} differ"
                f"{'s' if n == 1 else ''} from the saved one{'s' if n != 1 else ''}; "
                "nothing was written. Run again with --replace to overwrite "
                f"{'them' if n != 1 else 'it'} with the file's"
            )
        _say(plan.verdict(args.replace))
        if plan.changes(args.replace) == 0:
            return 0
        _write_import(
            store,
            "Import these scores?",
            args.yes,
            lambda progress: apply_score_import(
                plan, store, replace=args.replace, progress=progress
            ),
        )
    return 0


# --------------------------------------------------------------------------- export
def _filter(args: argparse.Namespace, store: Store) -> ExportFilter:
    from store.export import export_filter

    return export_filter(
        store,
        since=args.since,
        until=args.until,
        group=args.group or "",
        student=args.student or "",
    )


@_handles_errors
def cmd_export_table(args: argparse.Namespace) -> int:
    from store.export import STDOUT, run_export

    with _open(args, read_only_ok=True) as store:  # logged without the writer lock
        result = run_export(
            store, args.kind, args.file, _filter(args, store), deidentify=args.deidentify
        )
    _say(result.summary(args.kind), to_stderr=args.file == STDOUT)
    return 0


def _export_whole(args: argparse.Namespace, kind: str) -> int:
    """An export of the whole folder (``backup``, ``calendar``): no filters."""
    from store.export import STDOUT, run_export

    with _open(args, read_only_ok=True) as store:  # logged without the writer lock
        result = run_export(store, kind, args.file)
    _say(result.summary(kind), to_stderr=result.path == STDOUT)
    return 0


@_handles_errors
def cmd_export_backup(args: argparse.Namespace) -> int:
    return _export_whole(args, "backup")


@_handles_errors
def cmd_export_calendar(args: argparse.Namespace) -> int:
    return _export_whole(args, "calendar")


@_handles_errors
def cmd_exports(args: argparse.Namespace) -> int:
    with _open(args, read_only_ok=True) as store:
        log = store.exports()
    if not log:
        _say("No exports yet.")
        return 0
    from store.export import export_log_row

    for e in log:
        when, kind, who, how, path = export_log_row(e)
        _say(f"{when}  {kind:<9} {who:>12}  {how:<13}  {path}")
    return 0


# --------------------------------------------------------------------------- restore
@_handles_errors
def cmd_restore(args: argparse.Namespace) -> int:
    from store.export import load_backup, restore_backup

    backup = load_backup(args.file)
    folder = _data_dir(args)
    damage: CorruptFileError | None = None  # an unreadable store is a reason to restore
    try:
        with _open(args) as store:
            empty = store.is_empty()
            current = f"{len(store.students(include_archived=True))} students, {len(store.groups(include_inactive=True))} groups"
    except CorruptFileError as exc:
        damage, empty, current = exc, False, "damaged"
    _say(
        f"Backup {args.file}: {backup.summary()} (saved {backup.exported_at or 'at an unknown time'})"
    )
    if not empty:
        question = (
            f"The data in {folder} cannot be read. Replace it with this backup, keeping the "
            "damaged files aside?"
            if damage
            else f"Replace ALL data in {folder} ({current}) with this backup?"
        )
        answer = _confirm(question, args.yes)
        if answer is None and damage is not None:
            raise CommandError(
                f"{damage} Run again with --yes to restore this backup over it (the damaged "
                "files are kept in the backups folder)"
            )
        if answer is None:
            raise CommandError(
                f"{folder} already holds data ({current}); nothing was changed. "
                "Run again with --yes to replace it with the backup"
            )
        if not answer:
            raise CommandError("restore cancelled; nothing was changed")
    if damage is None:
        with _open(args) as store:
            store.backup_if_due()  # the daily backup (when due), as every writing command
    result = restore_backup(folder, backup, damaged=damage is not None)
    _say(f"Restored {backup.summary()} into {folder}")
    if result.safety_copy is not None:
        what = "damaged data" if damage else "data"
        _say(f"The {what} it replaced is kept in {result.safety_copy}")
    return 0


# --------------------------------------------------------------------------- today
def _clock_text(hhmm: str) -> str:
    h, m = hhmm.split(":")
    return f"{int(h)}:{m}"


def today_rows(store: Store, day: date) -> list[dict[str, object]]:
    """The day's meetings as plain dicts (the ``--json`` output)."""
    from store.schedule import meetings_on

    rows: list[dict[str, object]] = []
    for meeting in meetings_on(store.groups(), store.calendar(), day):
        g = meeting.group
        session = store.session_on(g.id, day)
        status = "not logged"
        if session is not None:
            status = "logged" if session.delivered else "cancelled"
        rows.append(
            {
                "date": day.isoformat(),
                "start": g.start_time,
                "end": g.end_time,
                "group_id": g.id,
                "group": g.name,
                "location": g.location,
                "program": g.program,
                "students": len(g.members_on(day)),
                "status": status,
                "cancel_reason": session.cancel_reason if session else None,
            }
        )
    return rows


@_handles_errors
def cmd_today(args: argparse.Namespace) -> int:
    day = getattr(args, "date", None) or _today()
    with _open(args, read_only_ok=True) as store:
        rows = today_rows(store, day)
        calendar = store.calendar()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    heading = f"{day:%A} {day.day} {day:%b %Y}"
    if not rows:
        if not calendar.is_school_day(day):
            why = calendar.no_school_label(day) or (
                "weekend" if day.weekday() >= 5 else "outside the school year"
            )
            _say(f"{heading}: no school ({why})")
        else:
            _say(f"{heading}: no groups meet")
        return 0
    _say(f"{heading}: {len(rows)} group{'s' if len(rows) != 1 else ''}")
    times = [f"{_clock_text(str(r['start']))}–{_clock_text(str(r['end']))}" for r in rows]
    width = {
        "time": max(len(t) for t in times),
        "group": max(len(str(r["group"])) for r in rows),
        "location": max(len(str(r["location"])) for r in rows),
    }
    for t, r in zip(times, rows, strict=True):
        # today_rows' values are JSON-ready objects; "students" is always the int len(members)
        n = int(r["students"])  # type: ignore[call-overload]
        who = f"{n} student{'s' if n != 1 else ''}"
        _say(
            f"  {t:>{width['time']}}  {r['group']!s:<{width['group']}}  "
            f"{r['location']!s:<{width['location']}}  {who:>11}  {r['status']}"
        )
    return 0


# --------------------------------------------------------------------------- add-score
def _passages(args: argparse.Namespace) -> list[str]:
    """The readings given: several VALUE arguments and/or ``--passages "61 58 64"``."""
    given = list(args.value or [])
    if getattr(args, "passages", None):
        given += args.passages.replace(",", " ").split()
    return given


@_handles_errors
def cmd_add_score(args: argparse.Namespace) -> int:
    """Save a score (the median of several passages, if given). A score far outside the
    student's recent range is saved all the same, with a warning on stderr (exit 0), so a
    script is never stopped by it."""
    from store.db import DuplicateScoreError
    from store.export import find_student
    from store.plausible import plausibility_warning

    day = getattr(args, "date", None) or _today()
    readings = _passages(args)
    if not readings:
        raise CommandError("give the score (VALUE), or several passages")
    several = len(readings) > 1
    with _open(args) as store:
        student = find_student(store, args.student)
        try:
            score = store.record_score(
                student.id,
                args.measure,
                None if several else readings[0],
                day,
                errors=args.errors,
                replace=args.replace,
                passages=readings if several else None,
            )
        except DuplicateScoreError as exc:
            raise CommandError(f"{exc}; add --replace to overwrite it") from None
        measure = store.measure(score.measure)
        earlier = [s.value for s in store.scores(student.id, measure.code) if s.date < score.date]
    extra = f", {score.errors} errors" if score.errors is not None else ""
    if score.passages:
        extra += f" (median of {', '.join(measure.format(p) for p in score.passages)})"
    _say(
        f"Saved {measure.code} {measure.format(score.value)}{extra} for {student.name} "
        f"on {score.date.isoformat()}"
    )
    warning = plausibility_warning(
        measure,
        score.value,
        earlier,
        student.given_name,
        jump=settings_config().decision.plausibility_jump,
    )
    if warning is not None:
        print(f"intervene: warning: {warning} (saved anyway; check it)", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- parser
def data_dir_option(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    """``--data-dir DIR``; the SUPPRESS default keeps a value given before the command."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        default=default,
        help="data folder (default: $INTERVENE_DATA_DIR or your user data folder)",
    )


def _common() -> argparse.ArgumentParser:
    """--data-dir on every subcommand; SUPPRESS keeps a value given before the command."""
    common = argparse.ArgumentParser(add_help=False)
    data_dir_option(common)
    return common


def _date_option(
    parser: argparse.ArgumentParser, help_text: str, default: object = argparse.SUPPRESS
) -> None:
    """``--date YYYY-MM-DD``; the SUPPRESS default keeps a value given before the command."""
    parser.add_argument("--date", type=_date, metavar="YYYY-MM-DD", default=default, help=help_text)


def add_read_command(
    sub: argparse._SubParsersAction, name: str, handler: Handler, *, help: str, description: str
) -> argparse.ArgumentParser:
    """Add a command that prints what the data says on a day (:func:`read_as_of`):
    ``--data-dir`` and ``--date`` (as of this day, default today)."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, parents=[_common()], help=help, description=description
    )
    _date_option(p, "as of this day (default: today)")
    p.set_defaults(handler=handler)
    return p


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="since", type=_date, metavar="YYYY-MM-DD", help="from this date on"
    )
    parser.add_argument(
        "--to", dest="until", type=_date, metavar="YYYY-MM-DD", help="up to this date"
    )
    parser.add_argument("--group", metavar="GROUP", help="group id or name (prefix)")
    parser.add_argument("--student", metavar="STUDENT", help="student id or name (prefix)")
    parser.add_argument(
        "--deidentify",
        action="store_true",
        help="codes instead of names and ids, week numbers instead of dates, no free text",
    )


def add_io_commands(sub: argparse._SubParsersAction) -> None:
    """Add the data in/out commands to the ``intervene`` parser's subcommands."""
    common = _common()

    imp = sub.add_parser("import", parents=[common], help="import a roster or scores (CSV)")
    imp_sub = imp.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    roster = imp_sub.add_parser(
        "roster",
        parents=[common],
        help="students (and groups) from a CSV file or a OneRoster 1.1 folder",
        description="Import students from student_id,given_name,family_name,grade[,group] CSV "
        "or a OneRoster 1.1 CSV folder. Shows what will change and asks before writing.",
    )
    roster.add_argument("path", metavar="FILE_OR_FOLDER")
    roster.add_argument(
        "--groups",
        action="store_true",
        help="OneRoster: make a group of every scheduled class with student enrollments "
        "(homeroom classes are skipped)",
    )
    roster.add_argument(
        "--map-group",
        action="append",
        metavar="CLASS=GROUP",
        help="with --groups: add the class's students to this existing group instead of a "
        "new one (repeatable)",
    )
    roster.add_argument("--yes", "-y", action="store_true", help="import without asking")
    _date_option(roster, "group memberships start on this date (default: today)")
    roster.set_defaults(handler=cmd_import_roster)
    scores = imp_sub.add_parser(
        "scores",
        parents=[common],
        help="probe scores from a spreadsheet or another tool's CSV (long or wide)",
        description="Import scores from a CSV file: long (one row per score: student, "
        "measure, date, score[, errors]) or wide (one row per student, one column per date; "
        "62/3 = score 62 with 3 errors). Students are matched by id, SIS id or name. Shows "
        "new, unchanged and conflicting scores and asks before writing; any problem writes "
        "nothing.",
    )
    scores.add_argument("path", metavar="FILE")
    scores.add_argument(
        "--measure", metavar="CODE", help="the measure of rows without one (ORF, NWF, …)"
    )
    scores.add_argument(
        "--date-format",
        choices=("mdy", "dmy"),
        help="numeric dates are month/day (mdy, 9/8 = Sep 8) or day/month (dmy)",
    )
    scores.add_argument(
        "--replace",
        action="store_true",
        help="overwrite saved scores that differ from the file's (conflicts)",
    )
    scores.add_argument("--yes", "-y", action="store_true", help="import without asking")
    scores.set_defaults(handler=cmd_import_scores)

    exp = sub.add_parser("export", parents=[common], help="export scores, sessions, a backup…")
    exp_sub = exp.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    for kind, what in (
        ("scores", "one row per score (CSV)"),
        ("sessions", "one row per attendance record (CSV)"),
    ):
        p = exp_sub.add_parser(kind, parents=[common], help=what, description=what)
        p.add_argument("file", metavar="FILE", help="CSV file to write (- for standard output)")
        _filters(p)
        p.set_defaults(handler=cmd_export_table, kind=kind)
    backup = exp_sub.add_parser(
        "backup", parents=[common], help="every record as one JSON file (see `restore`)"
    )
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(handler=cmd_export_backup)
    ical = exp_sub.add_parser(
        "calendar", parents=[common], help="the groups' schedule as iCalendar (.ics)"
    )
    ical.add_argument("file", metavar="FILE")
    ical.set_defaults(handler=cmd_export_calendar)

    restore = sub.add_parser(
        "restore",
        parents=[common],
        help="replace all data with a backup made by `export backup`",
        description="Check a backup completely, then replace all data with it. The data it "
        "replaces is kept in the backups folder.",
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--yes", "-y", action="store_true", help="replace without asking")
    restore.set_defaults(handler=cmd_restore)

    log = sub.add_parser("exports", parents=[common], help="list every export made so far")
    log.set_defaults(handler=cmd_exports)

    today = sub.add_parser("today", parents=[common], help="print the day's schedule")
    _date_option(today, "another day than today")
    today.add_argument("--json", action="store_true", help="a JSON list instead of text")
    today.set_defaults(handler=cmd_today)

    add = sub.add_parser(
        "add-score",
        parents=[common],
        help="save one probe score",
        description="Save one score, e.g. `intervene add-score Ava ORF 62 --errors 3`, or "
        "the median of several passages: `intervene add-score Ava ORF 61 58 64`. A score far "
        "from the student's last ones is saved with a warning on stderr.",
    )
    add.add_argument("student", metavar="STUDENT", help="student id, SIS id or name (prefix)")
    add.add_argument("measure", metavar="MEASURE", help="ORF, NWF, LNF, Maze, MCOMP, DBR, CICO…")
    add.add_argument(
        "value",
        metavar="VALUE",
        nargs="*",
        help="the score; several values are passages read in one sitting (the median is saved)",
    )
    add.add_argument(
        "--passages",
        metavar="'61 58 64'",
        help="passages read in one sitting, space- or comma-separated (the median is saved)",
    )
    _date_option(add, "the date of the probe (default: today)")
    add.add_argument("--errors", type=int, metavar="N", help="errors (ORF, NWF, LNF)")
    add.add_argument(
        "--replace", action="store_true", help="overwrite a score already entered that day"
    )
    add.set_defaults(handler=cmd_add_score)
