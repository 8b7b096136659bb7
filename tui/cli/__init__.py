"""The ``intervene`` command line (argparse): ``main`` in :mod:`tui.cli.main`, the commands in
:mod:`tui.cli.io` (import, export, restore, today, add-score), :mod:`tui.cli.caseload` and
:mod:`tui.cli.report`.

Headless: Textual is imported only inside the command that opens the app (``run_app``), so
``intervene today``, ``caseload``, ``report``, ``export`` and ``add-score`` never load it
(``tests/test_layering_tui.py``).
"""

from __future__ import annotations

from tui.cli.main import UserError, build_parser, cmd_paths, main, run_app

__all__ = ["UserError", "build_parser", "cmd_paths", "main", "run_app"]
