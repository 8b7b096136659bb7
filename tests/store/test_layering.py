"""The data layer never imports the UI layer (textual, rich, plotext)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

CHECK = """
import importlib, pkgutil, sys
import store
names = ["store"] + [f"store.{m.name}" for m in pkgutil.iter_modules(store.__path__)]
for name in names:
    importlib.import_module(name)
print(" ".join(names))
ui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich", "plotext"))
print("UI:" + ",".join(ui))
"""


def test_store_does_not_import_ui_libraries() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert out.returncode == 0, out.stderr
    imported, ui = out.stdout.strip().splitlines()
    for module in ("store.db", "store.model", "store.storage", "store.paths", "store.errors"):
        assert module in imported.split()
    assert ui == "UI:"
