"""Rendering a report document as Markdown, plain text or self-contained HTML; user text is
escaped in one place: Markdown punctuation is backslash-escaped, HTML is ``html.escape``d
(inline CSS, no scripts, no links), text loses control characters.
"""

from __future__ import annotations

import html
import re
import textwrap

from tui.documents.model import (
    FORMATS,
    Bullets,
    Chart,
    Document,
    Heading,
    Lines,
    PageBreak,
    Para,
    ReportError,
    Table,
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&!])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _clean(text))


def _clean(text: str) -> str:
    """No control characters (tabs/newlines become spaces)."""
    return "".join(c if c.isprintable() else " " for c in str(text))


def to_markdown(doc: Document) -> str:
    """Markdown; every piece of text escaped, charts in fenced code blocks."""
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append(f"{'#' * b.level} {_md(b.text)}")
        elif isinstance(b, Para):
            out.append(_md(b.text))
        elif isinstance(b, Lines):
            out.append("  \n".join(_md(x) for x in b.lines))
        elif isinstance(b, Bullets):
            marks = [f"{i}." if b.ordered else "-" for i in range(1, len(b.items) + 1)]
            out.append("\n".join(f"{m} {_md(x)}" for m, x in zip(marks, b.items, strict=True)))
        elif isinstance(b, Table):
            header = "| " + " | ".join(_md(h) for h in b.header) + " |"
            rule = (
                "|"
                + "|".join("---:" if i in b.numeric else "---" for i in range(len(b.header)))
                + "|"
            )
            body = ["| " + " | ".join(_md(c) for c in row) + " |" for row in b.rows]
            out.append("\n".join([header, rule, *body]))
        elif isinstance(b, Chart) and b.small:
            continue  # a letter's small chart is drawn in HTML only; its words say the rest
        elif isinstance(b, Chart):
            chart = b.text  # drawn once
            fence = "```"
            while fence in chart:
                fence += "`"
            out.append(f"{fence}text\n{chart}\n{fence}")
        elif isinstance(b, PageBreak):
            out.append("---")
    return "\n\n".join(out) + "\n"


def _wrap(text: str, width: int, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(
        _clean(text),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=True,
        break_on_hyphens=False,
    )


def _text_table(t: Table, width: int) -> str:
    """Columns at their natural width; only a table wider than 1.5 × ``width`` has its
    widest cells shortened (with …)."""
    cells = [list(t.header)] + [list(r) for r in t.rows]
    cells = [[_clean(c) for c in row] for row in cells]
    n = len(t.header)
    widths = [max(len(row[i]) for row in cells) for i in range(n)]
    width = width * 3 // 2
    limit = max(8, (width - 2 * (n - 1)) // n)
    while sum(widths) + 2 * (n - 1) > width and max(widths) > limit:
        i = widths.index(max(widths))
        widths[i] -= 1
    lines = []
    for k, row in enumerate(cells):
        parts = []
        for i, c in enumerate(row):
            c = c if len(c) <= widths[i] else c[: max(1, widths[i] - 1)] + "…"
            parts.append(c.rjust(widths[i]) if i in t.numeric else c.ljust(widths[i]))
        lines.append("  ".join(parts).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def to_text(doc: Document, width: int = 78) -> str:
    """Plain text for the terminal; page breaks are a form feed and a rule."""
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            text = _clean(b.text)
            underline = {1: "=", 2: "-"}.get(b.level)
            out.append(f"{text}\n{underline * min(len(text), width)}" if underline else text)
        elif isinstance(b, Para):
            out.append(_wrap(b.text, width))
        elif isinstance(b, Lines):
            out.append("\n".join(_clean(x) for x in b.lines))
        elif isinstance(b, Bullets) and b.ordered:
            out.append(
                "\n".join(_wrap(x, width, "   ", f"{i}. ") for i, x in enumerate(b.items, 1))
            )
        elif isinstance(b, Bullets):
            out.append("\n".join(_wrap(x, width, "  ", "- ") for x in b.items))
        elif isinstance(b, Table):
            out.append(_text_table(b, width))
        elif isinstance(b, Chart) and b.small:
            continue  # HTML only, as in Markdown
        elif isinstance(b, Chart):
            out.append(b.text)
        elif isinstance(b, PageBreak):
            out.append("\f" + "─" * width)
    return "\n\n".join(out) + "\n"


_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #ccc; padding-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .8rem;
  line-height: 1.15; background: #fafafa; border: 1px solid #e4e4e4; padding: .5rem;
  overflow-x: auto; }
figure.chart { margin: .5rem 0 1rem; }
figure.chart svg { width: 100%; max-width: 46rem; height: auto; display: block; }
figure.chart.small svg { max-width: 24rem; }
p.lines { white-space: pre-line; }
section.page { page-break-before: always; break-before: page; }
@media print { body { margin: 0; max-width: none; } pre { font-size: .7rem; } }
"""


def _h(text: str) -> str:
    return html.escape(_clean(text), quote=True)


def to_html(doc: Document) -> str:
    """A self-contained HTML page: inline CSS, no scripts, no external links; page breaks
    start a new ``<section class="page">`` (CSS page-break-before)."""
    body: list[str] = []
    charts = 0
    for b in doc.blocks:
        if isinstance(b, Heading):
            level = min(max(b.level, 1), 6)
            body.append(f"<h{level}>{_h(b.text)}</h{level}>")
        elif isinstance(b, Para):
            body.append(f"<p>{_h(b.text)}</p>")
        elif isinstance(b, Lines):
            body.append("<p>" + "<br>".join(_h(x) for x in b.lines) + "</p>")
        elif isinstance(b, Bullets):
            items = "".join(f"<li>{_h(x)}</li>" for x in b.items)
            tag = "ol" if b.ordered else "ul"
            body.append(f"<{tag}>{items}</{tag}>")
        elif isinstance(b, Table):

            def cls(i: int, t: Table = b) -> str:
                return ' class="num"' if i in t.numeric else ""

            head = "".join(f"<th{cls(i)}>{_h(h)}</th>" for i, h in enumerate(b.header))
            rows = "".join(
                "<tr>" + "".join(f"<td{cls(i)}>{_h(c)}</td>" for i, c in enumerate(r)) + "</tr>"
                for r in b.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(b, Chart):
            charts += 1
            body.append(b.html(prefix=f"c{charts}-"))
        elif isinstance(b, PageBreak):
            body.append('</section>\n<section class="page">')
    return (
        f'<!DOCTYPE html>\n<html lang="{_h(doc.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_h(doc.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        "<section>\n" + "\n".join(body) + "\n</section>\n</body>\n</html>\n"
    )


def render(doc: Document, fmt: str) -> str:
    """``doc`` in ``md``, ``html`` or ``text``."""
    if fmt == "md":
        return to_markdown(doc)
    if fmt == "html":
        return to_html(doc)
    if fmt == "text":
        return to_text(doc)
    raise ReportError(f"report format {fmt!r} is not one of: {', '.join(FORMATS)}")
