"""The ``intervene`` command: opens the app, builds the demo, says where data lives.

Exit codes: 0 ok, 1 a user error (one clear line on stderr, no traceback), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import StoreError
from tui.cli.caseload import add_caseload_command
from tui.cli.io import _date_option, add_io_commands, data_dir_option
from tui.cli.report import add_report_command
from tui.cli.student import add_student_command
from tui.cli.sync import add_sync_command

if TYPE_CHECKING:
    from tui.app import InterventionApp

Clock = Callable[[], datetime]


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 1."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # slow: only for --version

    try:
        return version("intervene")
    except PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kw: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"intervene {_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    data_dir_option(common, default=None)  # the app's own options: read as args.data_dir
    _date_option(common, "open another day than today", default=None)
    common.add_argument(
        "--read-only",
        action="store_true",
        help="look without changing anything (works while another window has the data open)",
    )
    parser = argparse.ArgumentParser(
        prog="intervene",
        description="Today's intervention groups, rapid score entry and progress trends.",
        parents=[common],
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="build a fresh demo caseload in its own folder and open the app on it",
        description="Build a fresh demo caseload (never mixed with your real data) and open it.",
    )
    demo.add_argument("--no-open", action="store_true", help="build the demo, don't open the app")
    sub.add_parser(
        "paths", parents=[common], help="show where data and backups live", description=None
    )
    add_io_commands(sub)
    add_caseload_command(sub)
    add_student_command(sub)
    add_report_command(sub)
    add_sync_command(sub)
    return parser


def _data_dir(args: argparse.Namespace) -> Path:
    from store.paths import default_data_dir

    return (Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()).absolute()


def _demo_dir(args: argparse.Namespace) -> Path:
    from store.paths import demo_data_dir

    return (Path(args.data_dir).expanduser() if args.data_dir else demo_data_dir()).absolute()


def cmd_paths(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from store.paths import backups_dir, demo_data_dir
    from store.settings import default_settings_path

    data = _data_dir(args)
    out(f"data:     {data}")
    out(f"backups:  {backups_dir(data)}")
    out(f"demo:     {demo_data_dir().absolute()}")
    out(f"settings: {default_settings_path().absolute()}")
    return 0


def run_app(
    data_dir: Path, clock: Clock, start_date: date | None, *, is_demo: bool, readonly: bool = False
) -> int:
    app = open_app(data_dir, clock, start_date, is_demo=is_demo, readonly=readonly)
    store = app.store  # a restore may give the app another one
    try:
        app.run()
    finally:
        app.store.close()
        store.close()
    return app.return_code or 0


def open_app(
    data_dir: Path, clock: Clock, start_date: date | None, *, is_demo: bool, readonly: bool = False
) -> InterventionApp:
    """The app on a data folder, as ``intervene`` starts it: the store opened, the settings
    read, and — before Textual is imported — a child forked to fill Today's attention pane
    meanwhile (``tui.views.attention_prefill``)."""
    import gc

    # no cyclic collection while starting (the app freezes what start-up made and turns it
    # back on: InterventionApp): collections then free nothing and, after the fork below,
    # would write to every object's page the child shares
    gc.disable()
    try:
        return _open_app(data_dir, clock, start_date, is_demo=is_demo, readonly=readonly)
    finally:
        gc.enable()


def _open_app(
    data_dir: Path, clock: Clock, start_date: date | None, *, is_demo: bool, readonly: bool
) -> InterventionApp:
    from store.db import Store
    from store.errors import FolderNotWritableError, StoreLockedError
    from store.paths import demo_data_dir
    from store.settings import default_settings_path, load_settings
    from tui.config import AppConfig
    from tui.views import attention_prefill

    # A team viewer's replica (issue 18) opens for writing (the writer lock held), so the
    # background sync can apply what the team saved; the Store refuses the user's own saves
    # there (Store.view_only) and the day bar says READ-ONLY.
    try:
        store = Store.open(data_dir, clock=clock, readonly=readonly)
    except (StoreLockedError, FolderNotWritableError) as exc:  # the app can look read-only
        if is_demo:  # `intervene --read-only` would open the real data, not the demo
            raise
        raise UserError(f"{exc} To look without changing anything: intervene --read-only") from None
    try:
        settings_path = default_settings_path()
        settings, warnings = load_settings(settings_path)
        config = AppConfig.from_settings(
            settings,
            demo_dir=demo_data_dir(),
            is_demo=is_demo,
            settings_path=settings_path,
            notices=tuple(warnings),
            attention_cache=True,
        )
        day = start_date or clock().date()
        prefill = attention_prefill.start(store, clock, config, day)
        from tui.app import InterventionApp

        return InterventionApp(store, clock, config, start_date=start_date, prefill=prefill)
    except BaseException:
        store.close()
        raise


def main(argv: Sequence[str] | None = None, *, clock: Clock = datetime.now) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "handler", None):
            return args.handler(args)
        if args.command == "paths":
            return cmd_paths(args, print)
        if args.command == "demo":
            from store.demo import build_demo_folder

            folder = _demo_dir(args)
            today = args.date or clock().date()
            build_demo_folder(folder, today)
            if args.no_open:
                print(f"demo caseload built in {folder}")
                return 0
            return run_app(folder, clock, args.date, is_demo=True)
        return run_app(_data_dir(args), clock, args.date, is_demo=False, readonly=args.read_only)
    except (UserError, StoreError) as exc:
        print(f"intervene: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the one top-level catch: a line naming the cause, no traceback
        from store.errors import one_line

        print(f"intervene: {one_line(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
