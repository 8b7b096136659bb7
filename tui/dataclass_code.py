"""Compiled dataclass methods kept between starts, as Python keeps compiled modules.

Why: ``dataclasses`` writes each class's ``__init__`` (and a frozen class's ``__setattr__``,
``__delattr__``, ...) as source text and compiles it with ``exec`` every time a class is made.
Starting the app makes ~240 of them (our records and Textual's), and compiling that text was
~40 ms of the start on ``bench/bench_startup.py``'s machine, more than any module. The text is
the same on every start, so its compiled code is kept in a file beside the package's bytecode
(``__pycache__/dataclass-code.<python>.marshal``, or under ``sys.pycache_prefix``) and reused:
``exec`` of a code object only runs it.

How: :func:`install` gives the ``dataclasses`` module an ``exec`` of its own (a module global
is found before the builtin): for source text it looks the text up, compiling only what is new,
then runs the code exactly as ``exec`` would have. Nothing else changes: the key is the whole
text, so a different class, Python or ``dataclasses`` makes different text and is compiled
anew. What was compiled anew is written back when the process ends, unless bytecode is not
being written (``PYTHONDONTWRITEBYTECODE``, ``-B``). A cache that cannot be read is ignored and
rewritten; one that cannot be written is left alone.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import os
import sys
from types import CodeType
from typing import Any

# Python 3.11's own cache of a compiled module is marshalled code as well (importlib)
_ENTRIES_KEPT = 4096  # more than this many texts: only the ones this process used are kept

_builtin_exec = builtins.exec


class CodeCache:
    """Source text -> compiled code, read from and written to one file."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.codes: dict[str, CodeType] = _read(path) if path else {}
        self.used: set[str] = set()
        self.compiled = 0  # texts compiled by this process (not found in the file)

    def code(self, source: str) -> CodeType:
        """The compiled ``source``, as ``exec(source)`` compiles it."""
        code = self.codes.get(source)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.codes[source] = code
            self.compiled += 1
        self.used.add(source)
        return code

    def exec(
        self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /
    ) -> None:
        """``exec``, through the cache for source text."""
        if globals is None:  # as exec would: the caller's namespaces
            frame = sys._getframe(1)
            globals = frame.f_globals
            if locals is None:
                locals = frame.f_locals
        if isinstance(source, str):
            source = self.code(source)
        _builtin_exec(source, globals, locals)

    def save(self) -> None:
        """Write the file if this process compiled anything (never raises)."""
        if not self.path or not self.compiled or sys.dont_write_bytecode:
            return
        codes = self.codes
        if len(codes) > _ENTRIES_KEPT:
            codes = {text: code for text, code in codes.items() if text in self.used}
        try:
            from store.storage import atomic_write_bytes

            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            atomic_write_bytes(self.path, marshal.dumps(codes))  # type: ignore[arg-type]
            self.compiled = 0
        except Exception:  # noqa: BLE001 - a read-only install: compiled again next time
            pass


def _read(path: str) -> dict[str, CodeType]:
    try:
        with open(path, "rb") as file:
            data = marshal.loads(file.read())
    except Exception:  # noqa: BLE001 - missing, damaged, another Python's: start afresh
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        text: code
        for text, code in data.items()
        if isinstance(text, str) and isinstance(code, CodeType)
    }


def cache_path(folder: str, name: str) -> str:
    """``name`` beside the bytecode of the modules in ``folder`` (its ``__pycache__``, or the
    same folder under ``sys.pycache_prefix``), tagged with this Python's bytecode tag."""
    tagged = f"{name}.{sys.implementation.cache_tag}.marshal"
    folder = os.path.abspath(folder)
    if sys.pycache_prefix:
        return os.path.join(sys.pycache_prefix, folder.lstrip(os.sep), tagged)
    return os.path.join(folder, "__pycache__", tagged)


_installed: CodeCache | None = None


def install(path: str | None = None) -> CodeCache:
    """Route ``dataclasses``' compiles through a :class:`CodeCache` (once per process; the
    default file is beside this package's bytecode)."""
    global _installed
    if _installed is None:
        if path is None and sys.implementation.cache_tag:
            path = cache_path(os.path.dirname(__file__), "dataclass-code")
        _installed = CodeCache(path)
        dataclasses.exec = _installed.exec  # type: ignore[attr-defined]
        atexit.register(_installed.save)
    return _installed


def installed() -> CodeCache | None:
    """The cache :func:`install` put in place, if any."""
    return _installed
