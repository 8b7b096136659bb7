"""Old home of the reports: everything moved to :mod:`tui.documents` (issue 14).

Kept as a thin re-export for callers outside ``tui/``; nothing in ``tui/`` imports it.
"""

from __future__ import annotations

from tui.documents import *  # noqa: F403
from tui.documents import __all__  # noqa: F401
