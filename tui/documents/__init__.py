"""Reports for meetings and families, built from the Store's public API and the progress
engine (``store.caseload`` / ``store.progress`` / ``store.dosage``).

Three reports, each in three formats (``md``, ``html``, ``text``):

* **student** — one student's progress on every measure: chart, goal statement, baseline,
  goal, scores, ROI needed vs actual, decision and reason, dosage/attendance, phase changes;
* **packet** — the meeting packet: an agenda (students who need a decision by urgency, group
  dosage, everyone else), the caseload table, then one page per student with a row that needs
  a decision (``CaseloadRow.needs_decision``), each ending with decision, notes and attendees;
* **letter** — a family letter: the same facts in plain words, without jargon, signed from
  settings, in English or any language with a catalog (Spanish).

Each report is first built as a short list of blocks (headings, paragraphs, tables, charts,
page breaks) and then rendered, so the three formats say the same thing and user text is
escaped in one place: Markdown punctuation is backslash-escaped, HTML is ``html.escape``d
(and self-contained: inline CSS, no scripts, no links), text loses control characters.

The package: ``model`` (the blocks and Document), ``student`` / ``packet`` / ``letter`` (the
builders), ``render`` (md / html / text), ``svg_chart`` (HTML charts as inline SVG, matplotlib
imported only when one is drawn), ``i18n`` (letter languages: gettext catalogs in
``tui/locale``, Babel dates and numbers), ``build`` (a report by kind) and ``files`` (names,
private writes, the export log). Never imports Textual (``tests/test_layering_tui.py``).
"""

from __future__ import annotations

from tui.documents.build import build_document, family_letter, meeting_packet, student_report
from tui.documents.files import (
    FILE_MODE,
    default_filename,
    initials,
    log_report,
    slug,
    unused_path,
    write_private,
    write_report,
)
from tui.documents.i18n import LanguageError, languages
from tui.documents.letter import JARGON, PLAIN, SUBJECTS, Signature, letter_document
from tui.documents.model import (
    EXTENSIONS,
    FORMATS,
    KINDS,
    Block,
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
from tui.documents.packet import PACKET_SCORES, packet_document
from tui.documents.render import render, to_html, to_markdown, to_text
from tui.documents.student import CHART_HEIGHT, CHART_WIDTH, student_document
from tui.documents.words import DECISION_WORDS, SHORT_DECISIONS

__all__ = [
    "Block",
    "Bullets",
    "CHART_HEIGHT",
    "CHART_WIDTH",
    "Chart",
    "DECISION_WORDS",
    "Document",
    "EXTENSIONS",
    "FILE_MODE",
    "FORMATS",
    "Heading",
    "JARGON",
    "KINDS",
    "LanguageError",
    "Lines",
    "PACKET_SCORES",
    "PLAIN",
    "PageBreak",
    "Para",
    "ReportError",
    "SHORT_DECISIONS",
    "SUBJECTS",
    "Signature",
    "Table",
    "build_document",
    "default_filename",
    "family_letter",
    "initials",
    "languages",
    "letter_document",
    "log_report",
    "meeting_packet",
    "packet_document",
    "render",
    "slug",
    "student_document",
    "student_report",
    "to_html",
    "to_markdown",
    "to_text",
    "unused_path",
    "write_private",
    "write_report",
]
