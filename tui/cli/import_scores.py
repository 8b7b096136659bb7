"""``intervene import scores FILE``: progress-monitoring history from a spreadsheet or another
tool's CSV export (see :mod:`store.score_import`). Same flow and exit codes as
``import roster``: the preview and counts, a question before writing (``--yes`` skips it;
without a terminal nothing is written), any problem → nothing written, exit code 1."""

from __future__ import annotations

import argparse
import sys

from tui.cli.io import CommandError, _confirm, _handles_errors, _open, _say


@_handles_errors
def cmd_import_scores(args: argparse.Namespace) -> int:
    from store.score_import import apply_score_import, read_score_file

    with _open(args) as store:
        plan = read_score_file(args.path, store, measure=args.measure, date_format=args.date_format)
        for line in plan.preview():
            _say(line)
        if not plan.ok:
            n = len(plan.problems)
            hint = ""
            if any(p.message.startswith("no measure column") for p in plan.problems):
                hint = " (give --measure CODE)"
            elif any("choose the date format" in p.message for p in plan.problems):
                hint = " (give --date-format mdy or dmy)"
            raise CommandError(
                f"import stopped: {n} problem{'s' if n != 1 else ''} in {args.path}{hint}; "
                "nothing was written"
            )
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
        answer = _confirm("Import these scores?", args.yes)
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

        result = apply_score_import(plan, store, replace=args.replace, progress=progress)
        if show:
            print(file=sys.stderr)
        _say(result.summary())
    return 0


def add_import_scores(
    imp_sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
) -> None:
    """``import scores`` under the ``import`` command."""
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
