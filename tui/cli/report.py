"""``intervene report``: the student report, the meeting packet and the family letter from
the command line.

    intervene report student STUDENT [--format md|html|text] [--out PATH] [--date D]
    intervene report packet [--format ...] [--out PATH] [--date D]
    intervene report letter STUDENT [--format ...] [--out PATH] [--date D] [--lang es]

STUDENT is a student id or a unique beginning of a name (given, family or full name,
case-insensitive), or a SIS id. Without ``--out`` (or with ``--out -``) a text report goes to
stdout; md/html go to ``./<kind>-<initials>-<date>.<ext>`` (``-2``, ``-3``… added rather than
replace a file; the student's name is never in a default file name). Files are written
readable by the user only (0600), never through a symbolic link, and logged first.
Every report is recorded in the data folder's export log. Exit codes: 0 ok, 1 a user error
(one line on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from store.errors import StoreError
from store.model import Student
from tui.cli.io import _data_dir, _date_option, data_dir_option, read_settings

if TYPE_CHECKING:
    from tui.config import AppConfig
    from tui.documents.letter import Signature

Clock = Callable[[], datetime]
FORMATS = ("md", "html", "text")  # tui.documents.FORMATS; imported lazily to start fast
FORMAT_OF_SUFFIX = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".txt": "text"}


class ReportUsageError(Exception):
    """A mistake the user can fix (unknown or ambiguous student, bad path); exit code 1."""


def _shared_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: an option left out here never overwrites one given earlier on the line.
    data_dir_option(parser)
    _date_option(parser, "report as of this day (default: today)")


def add_report_command(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``report {student,packet,letter}`` to the ``intervene`` subcommands."""
    report = sub.add_parser(
        "report",
        help="write a student report, the meeting packet or a family letter",
        description="Write a progress report (md, html or text) from your data.",
    )
    _shared_options(report)
    report.set_defaults(handler=run_report)  # tui.cli.main calls args.handler(args)
    kinds = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    helps = {
        "student": "one student's progress: charts, goals, scores, decisions, attendance",
        "packet": "meeting packet: caseload table, then a page per student needing a decision",
        "letter": "a plain-language letter to a student's family",
    }
    for kind, text in helps.items():
        p = kinds.add_parser(kind, help=text, description=text[0].upper() + text[1:] + ".")
        if kind != "packet":
            p.add_argument(
                "student", metavar="STUDENT", help="student id, SIS id or start of a name"
            )
        p.add_argument(
            "--format",
            "-f",
            choices=FORMATS,
            default=None,
            help="md, html or text (default: from --out's extension, else text)",
        )
        p.add_argument(
            "--out",
            "-o",
            type=Path,
            metavar="PATH",
            default=None,
            help="file to write, - for stdout (default: stdout for text, ./<kind>-<initials>-<date>.<ext>)",
        )
        if kind == "letter":
            p.add_argument(
                "--lang",
                metavar="LANG",
                default=None,
                help="the letter's language, e.g. es (default: [letters] language in "
                "settings, else en); another language is a file in tui/locale",
            )
        _shared_options(p)
    return report


# --------------------------------------------------------------------------- helpers
def find_student(students: list[Student], text: str) -> Student:
    """The student whose id or SIS id is ``text``, or whose given, family or full name starts
    with it (case-insensitive). None or several → ReportUsageError naming the candidates."""
    key = text.strip()
    for s in students:
        if key and key in (s.id, s.sis_id):
            return s
    folded = key.casefold()
    if not folded:
        raise ReportUsageError("give a student id or the start of a name")
    matches = [
        s
        for s in students
        if any(n.casefold().startswith(folded) for n in (s.name, s.given_name, s.family_name) if n)
    ]
    exact = [s for s in matches if s.name.casefold() == folded]
    if len(exact) == 1:
        return exact[0]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ReportUsageError(f"no student matches {key!r} (use an id or the start of a name)")
    names = ", ".join(f"{s.name} ({s.id})" for s in matches[:6])
    more = f" and {len(matches) - 6} more" if len(matches) > 6 else ""
    raise ReportUsageError(
        f"{key!r} matches {len(matches)} students: {names}{more}; be more specific"
    )


def default_path(kind: str, fmt: str, today: date, student: Student | None) -> Path:
    """``./<kind>-<initials>-<date>.<ext>`` (the packet has no student part)."""
    from tui.documents import default_filename

    return Path.cwd() / default_filename(kind, fmt, today, student)


def _to_stdout(args: argparse.Namespace, fmt: str) -> bool:
    """``--out -``, or a text report without ``--out``."""
    return str(args.out) == "-" if args.out is not None else fmt == "text"


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    out = args.out
    if out is not None:
        return FORMAT_OF_SUFFIX.get(Path(out).suffix.lower(), "text")
    return "text"


def _report_settings(
    args: argparse.Namespace, err: TextIO
) -> tuple[AppConfig, Signature | None, str]:
    """The settings file read once: the config (``[decisions]``: the same verdicts as the app),
    and for a letter its signature (``[you]``) and language (``--lang``, else ``[letters]``
    language, else English). A key the settings refused is one line on stderr (its default
    is used)."""
    from tui.documents.letter import settings_signature

    settings, config = read_settings(err)
    if args.report_kind != "letter":
        return config, None, "en"
    signature, lang = settings_signature(settings)
    return config, signature, (getattr(args, "lang", None) or lang or "en")


def run_report(
    args: argparse.Namespace,
    *,
    clock: Clock = datetime.now,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``intervene report ...`` from parsed arguments; returns the exit code."""
    from tui.cli.io import open_to_read
    from tui.documents import (
        ReportError,
        build_document,
        log_report,
        render,
        unused_path,
        write_private,
    )

    out_stream = stdout or sys.stdout
    err_stream = stderr or sys.stderr
    kind: str = args.report_kind
    fmt = _format(args)
    today = getattr(args, "date", None) or clock().date()
    try:
        with open_to_read(_data_dir(args), clock) as store:
            student = None
            if kind != "packet":
                student = find_student(store.students(include_archived=True), args.student)
            config, signature, lang = _report_settings(args, err_stream)
            doc = build_document(
                kind,
                store,
                today=today,
                student_id=student.id if student else None,
                config=config,
                signature=signature,
                lang=lang,
            )
            from tui.views.attention import unreadable_files

            for problem in unreadable_files(store):  # left out of the report, named here
                print(f"intervene: {problem}", file=err_stream)
            text = render(doc, fmt)
            if _to_stdout(args, fmt):
                log_report(store, kind, "<stdout>", doc.students)  # logged first
                out_stream.write(text)
                out_stream.flush()
                return 0
            default = default_path(kind, fmt, today, student)
            if args.out is None:
                path = unused_path(default)  # initials repeat: never replace another's report
            else:
                path = Path(args.out).expanduser()
                if path.is_dir() and not path.is_symlink():
                    path = unused_path(path / default.name)
            write_private(path, text, lambda where: log_report(store, kind, where, doc.students))
            print(f"wrote {path}", file=out_stream)
            return 0
    except (ReportUsageError, ReportError, StoreError) as exc:
        print(f"intervene: {exc}", file=err_stream)
        return 1
    except OSError as exc:
        print(f"intervene: cannot write the report: {exc}", file=err_stream)
        return 1
