"""``intervene sync``: share one caseload with a team through CouchDB (issue 18).

    intervene sync setup URL --user NAME [--init]   connect this data folder to a team database
    intervene sync                                  push and pull once
    intervene sync status                           what is connected, waiting, in conflict
    intervene sync conflicts [--json]               the records entered differently on two machines
    intervene sync resolve ID --keep REV            keep one version, remove the others
    intervene sync leave                            disconnect (the records stay here)

The password comes from ``INTERVENE_SYNC_PASSWORD`` or a prompt and is kept only in the data
folder (0600). Exit 0; 1 with one line on a network or authorisation failure (nothing local
changes). httpx is imported only when a sync command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime

from tui.cli.io import CommandError, _common, _data_dir, _handles_errors, _open, lock_wait


def _password(prompt: str) -> str:
    value = os.environ.get("INTERVENE_SYNC_PASSWORD")
    if value:
        return value
    if not sys.stdin.isatty():
        raise CommandError("no password: set INTERVENE_SYNC_PASSWORD or run this in a terminal")
    import getpass

    value = getpass.getpass(prompt)
    if not value:
        raise CommandError("no password given; nothing was set up")
    return value


def _require_setup(args: argparse.Namespace) -> None:
    from store.sync.state import is_configured

    if not is_configured(_data_dir(args).expanduser().absolute()):
        raise CommandError(
            "sync is not set up for this data folder: intervene sync setup URL --user NAME"
        )


@_handles_errors
def cmd_setup(args: argparse.Namespace) -> int:
    from store.db import Store
    from store.sync.couch import check_url
    from store.sync.engine import SHARED_TEXT, setup

    server, db = check_url(args.url)  # before asking for a password
    folder = _data_dir(args).expanduser().absolute()
    who = "the server admin" if args.init else args.user
    password = _password(f"Password of {who} {args.user!r} at {server}: ")
    st = setup(folder, args.url, args.user, password, init=args.init)  # checks, then writes
    Store.open(folder, lock_wait=lock_wait(), holder="command").close()  # a new folder: create it
    if args.init:
        print(
            f"created team database {db!r} on {server}: members are the users with the role "
            "intervene-writer (enter and change data) or intervene-viewer (read only); "
            "anyone else gets nothing"
        )
    print(f"this data folder ({folder}) now syncs with {st.url} as {st.user} ({st.role})")
    print(
        f"shared with every member of {db!r} on {server}: {SHARED_TEXT}. Nothing else leaves "
        "this machine; each sync is recorded in the export log (intervene exports)."
    )
    if st.role == "viewer":
        print("you are a viewer: this folder is a read-only replica; the app opens read-only")
    print("run `intervene sync` now to send and receive")
    return 0


@_handles_errors
def cmd_sync(args: argparse.Namespace) -> int:
    from store.sync.engine import sync

    _require_setup(args)
    store = _open(args)
    try:
        result = sync(store, clock=datetime.now)
    finally:
        store.close()
    print(result.line())
    for line in result.rejected[:5]:
        print(f"intervene: not taken in (fails this app's checks): {line}", file=sys.stderr)
    return 0


@_handles_errors
def cmd_status(args: argparse.Namespace) -> int:
    from store.sync.engine import status_lines

    _require_setup(args)
    store = _open(args, read_only_ok=True)
    try:
        for line in status_lines(store):
            print(line)
    finally:
        store.close()
    return 0


@_handles_errors
def cmd_conflicts(args: argparse.Namespace) -> int:
    from store.sync.engine import conflicts, names_of
    from tui.cli.io import open_to_read

    _require_setup(args)
    folder = _data_dir(args).expanduser().absolute()
    store = open_to_read(folder)
    try:
        names = names_of(store)
    finally:
        store.close()
    found = conflicts(folder, names=names)
    if args.json:
        print(json.dumps([c.to_json() for c in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("no conflicts")
        return 0
    for c in found:
        print(f"{c.title}  (id {c.doc_id})")
        for i, v in enumerate(c.versions):
            mark = "kept now" if i == 0 else "other"
            print(f"  {v['rev']}  {v['label']}  by {v['by'] or '?'} at {v['at'] or '?'}  [{mark}]")
    print("keep one with: intervene sync resolve ID --keep REV")
    return 0


@_handles_errors
def cmd_resolve(args: argparse.Namespace) -> int:
    from store.sync.engine import resolve

    store = _open(args)
    try:
        result = resolve(store, args.id, args.keep, clock=datetime.now)
    finally:
        store.close()
    print(f"kept {args.keep} of {args.id}; {result.line()}")
    return 0


@_handles_errors
def cmd_leave(args: argparse.Namespace) -> int:
    from store.sync import state

    folder = _data_dir(args).expanduser().absolute()
    st = state.load_meta(folder)
    if st is None:
        raise CommandError("sync is not set up for this data folder")
    state.forget(folder)
    print(f"this data folder no longer syncs with {st.url}; its records stay here")
    return 0


def add_sync_command(sub: argparse._SubParsersAction) -> None:
    """Add ``intervene sync`` and its subcommands."""
    common = _common()
    sync = sub.add_parser(
        "sync",
        parents=[common],
        help="share this caseload with a team through CouchDB (push and pull once)",
        description="Push local changes to the team database and pull the team's. Prints "
        "`sent N · received M · conflicts K`.",
    )
    sync.set_defaults(handler=cmd_sync)
    subs = sync.add_subparsers(dest="sync_command", metavar="ACTION")
    setup = subs.add_parser(
        "setup",
        parents=[common],
        help="connect this data folder to a team database",
        description="Connect this data folder to a team database, e.g. "
        "https://couch.school.example/reading-team (https required except to localhost). "
        "The password comes from INTERVENE_SYNC_PASSWORD or a prompt.",
    )
    setup.add_argument("url", metavar="URL")
    setup.add_argument("--user", required=True, metavar="NAME", help="your CouchDB user name")
    setup.add_argument(
        "--init",
        action="store_true",
        help="as the server admin: create the database, its members and the read-only rule "
        "for viewers",
    )
    setup.set_defaults(handler=cmd_setup)
    subs.add_parser("status", parents=[common], help="what is connected and waiting").set_defaults(
        handler=cmd_status
    )
    conf = subs.add_parser(
        "conflicts", parents=[common], help="records entered differently on two machines"
    )
    conf.add_argument("--json", action="store_true", help="as JSON")
    conf.set_defaults(handler=cmd_conflicts)
    res = subs.add_parser("resolve", parents=[common], help="keep one version of a conflict")
    res.add_argument("id", metavar="ID", help="the record's id as `sync conflicts` lists it")
    res.add_argument("--keep", required=True, metavar="REV", help="the version to keep")
    res.set_defaults(handler=cmd_resolve)
    subs.add_parser(
        "leave", parents=[common], help="disconnect this folder (its records stay)"
    ).set_defaults(handler=cmd_leave)
