"""The report document model: a title and a short list of blocks (headings, paragraphs,
tables, charts, page breaks), built once and rendered to every format.
"""

from __future__ import annotations

from dataclasses import field

from store.records import frozen_record, mutable_record

KINDS: tuple[str, ...] = ("student", "packet", "letter")
FORMATS: tuple[str, ...] = ("md", "html", "text")
EXTENSIONS: dict[str, str] = {"md": "md", "html": "html", "text": "txt"}


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown kind/format, no student given)."""


@frozen_record
class Heading:
    text: str
    level: int = 1


@frozen_record
class Para:
    text: str


@frozen_record
class Lines:
    """Short lines kept as they are (an address, a signature)."""

    lines: tuple[str, ...]


@frozen_record
class Bullets:
    items: tuple[str, ...]


@frozen_record
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns aligned right


@frozen_record
class Chart:
    text: str  # colour-free text chart
    html: str  # HTML fragment


@frozen_record
class PageBreak:
    pass


Block = Heading | Para | Lines | Bullets | Table | Chart | PageBreak


@mutable_record
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    students: int = 0  # how many students' data it holds (for the export log)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)
