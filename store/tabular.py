"""What the roster and score imports share: reading a CSV file within limits, matching
header names, the preview's sections and the all-or-nothing write of a checked plan.

Both imports work in three steps (parse, plan, apply) so the user sees what will happen
before anything is written; a plan with problems writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import StoreError, ValidationError
from store.records import mutable_record

if TYPE_CHECKING:
    from store.db import Store

MAX_BYTES = 50_000_000
_FORMULA_GUARD = re.compile(r"'(?=[=+\-@])")  # export's guard against spreadsheet formulas


# --------------------------------------------------------------------------- reading
def decode(raw: bytes) -> tuple[str, str | None]:
    """The file's text and a notice when it was not UTF-8: UTF-16 with a BOM (Excel's
    "Unicode text"), UTF-8 with or without BOM, else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    elif len(raw) >= 4 and raw[1:4:2] == b"\x00\x00" and raw[0:1] != b"\x00":
        try:
            return raw.decode("utf-16-le"), None
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), (
            "The file is not UTF-8: it was read as Windows-1252 (cp1252); check accented names."
        )


def sniff_delimiter(line: str) -> str:
    """``,``, ``;`` or tab: whichever occurs most in the header line, outside quotes."""
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {sep: outside.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: (counts[s], s == ","))
    return best if counts[best] else ","


def norm(name: str) -> str:
    """A header name compared case-, space- and ``_``/``-``-insensitively."""
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def clean_cell(cell: str) -> str:
    """A cell stripped, without the export's leading-quote formula guard."""
    cell = cell.strip()
    return _FORMULA_GUARD.sub("", cell, count=1) if cell.startswith("'") else cell


@mutable_record
class RawTable:
    """A CSV file's header and its rows as lists, each with its physical line."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str


def read_limited(path: Path, label: str | None = None) -> bytes:
    """The bytes of an import file; StoreError (one line) when it is missing, a folder,
    unreadable or over :data:`MAX_BYTES`."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise StoreError(f"{label or path.name} is {size // 1_000_000} MB; the limit is 50 MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise StoreError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise StoreError(f"{path} is a folder, not a CSV file") from None
    except OSError as exc:
        raise StoreError(f"{path} cannot be read: {exc.strerror or exc}") from None


def read_raw_table(path: Path) -> tuple[RawTable, str | None]:
    """Header and rows of a CSV file (any encoding :func:`decode` knows, Excel's ``sep=``
    line, a sniffed delimiter) and the decoding notice, if any."""
    text, notice = decode(read_limited(path))
    first_line = 1
    stripped = text.lstrip("\r\n")
    sep_line = re.match(r"sep=(.)\r?\n", stripped, re.I)  # Excel's "sep=;" first line
    if sep_line:
        delimiter = sep_line.group(1)
        first_line += text[: len(text) - len(stripped)].count("\n") + 1
        text = stripped[sep_line.end() :]
    else:
        header_line = next((ln for ln in text.splitlines() if ln.strip()), "")
        delimiter = sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    next_line = first_line
    try:
        for record in reader:
            line, next_line = next_line, reader.line_num + first_line
            if not any(cell.strip() for cell in record):
                continue
            if not header:
                header = [clean_cell(h) for h in record]
                while header and not header[-1]:
                    header.pop()  # trailing empty columns
                continue
            rows.append((line, [clean_cell(c) for c in record]))
    except csv.Error as exc:
        raise StoreError(
            f"{path.name} line {reader.line_num + first_line - 1}: not valid CSV ({exc})"
        ) from None
    return RawTable(header, rows, delimiter), notice


# --------------------------------------------------------------------------- plans
def add_section(out: list[str], title: str, items: Sequence[str], limit: int) -> None:
    """Append a preview section: its title and at most ``limit`` indented items."""
    if not items:
        return
    out.append(f"{title}:")
    out.extend(f"  {item}" for item in items[:limit])
    if len(items) > limit:
        out.append(f"  … and {len(items) - limit} more")


def problems_verdict(problems: Sequence[object], source: str) -> str:
    """The verdict of a plan with problems: nothing will be written."""
    n = len(problems)
    return (
        f"{n} problem{'s' if n != 1 else ''} in {Path(source).name}: "
        "nothing will be written. Fix the file and try again."
    )


def refuse_problems(problems: Sequence[object]) -> None:
    """ValidationError naming the first problem (and how many more) when there are any."""
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    raise ValidationError(
        f"the import has problems, nothing was written: {first}{more}",
        field="import",
        value=str(first),
    )


@contextmanager
def all_or_nothing(store: Store, label: str, written: Callable[[], int]) -> Iterator[None]:
    """One undoable batch; when it fails after ``written()`` writes, the batch is undone
    (it is one undo step), so a failed import leaves the data as it was."""
    try:
        with store.batch(label):
            yield
    except BaseException:
        if written() and store.can_undo():
            store.undo_last()
        raise
