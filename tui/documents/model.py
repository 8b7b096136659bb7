"""The report document model: a title and a short list of blocks (headings, paragraphs,
tables, charts, page breaks), built once and rendered to every format.
"""

from __future__ import annotations

from dataclasses import field

from store.records import frozen_record, mutable_record
from tui.charts import ChartData

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
    ordered: bool = False  # numbered (1. 2. 3.), e.g. the packet's agenda


@frozen_record
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns aligned right


@frozen_record
class Chart:
    """A progress chart: its data, drawn only in the format being written — the text chart
    (``tui.charts.render_chart``, colour-free) for Markdown and text, an inline SVG
    (``tui.documents.svg_chart``, matplotlib loaded then) for HTML. ``small``: a letter's
    chart (no title, legend or phase labels in the SVG)."""

    data: ChartData
    width: int = 76
    height: int = 18
    small: bool = False
    label: str = ""  # what the SVG says to a screen reader (default: its own description)
    caption: str = ""  # a line under the HTML chart (a letter's "each dot is…")
    lang: str = "en"  # the SVG's date labels ("Aug 17" / "17 ago")

    @property
    def text(self) -> str:
        from tui.charts import render_chart

        return render_chart(self.data, self.width, self.height, color=False)

    def html(self, prefix: str = "") -> str:
        from tui.documents.svg_chart import chart_svg_html

        return chart_svg_html(
            self.data,
            small=self.small,
            prefix=prefix,
            label=self.label,
            caption=self.caption,
            lang=self.lang,
        )


@frozen_record
class PageBreak:
    pass


Block = Heading | Para | Lines | Bullets | Table | Chart | PageBreak


@mutable_record
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    students: int = 0  # how many students' data it holds (for the export log)
    lang: str = "en"  # the HTML page's language (a letter in Spanish: "es")

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)
