"""``python -m tui.cli``: the ``intervene`` command."""

import sys

from tui.cli.main import main

sys.exit(main())
