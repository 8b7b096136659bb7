"""The three reports by kind: a Document, or rendered in one format."""

from __future__ import annotations

from datetime import date

from store.db import Store
from tui.config import AppConfig
from tui.documents.letter import Signature, letter_document
from tui.documents.model import KINDS, Document, ReportError
from tui.documents.packet import packet_document
from tui.documents.render import render
from tui.documents.student import student_document


def build_document(
    kind: str,
    store: Store,
    *,
    today: date,
    student_id: str | None = None,
    config: AppConfig | None = None,
    signature: Signature | None = None,
    lang: str = "en",
) -> Document:
    """The report ``kind`` ("student", "packet", "letter") as a Document; ``signature`` and
    ``lang`` are the letter's (settings ``[you]`` and ``[letters]``)."""
    if kind not in KINDS:
        raise ReportError(f"report {kind!r} is not one of: {', '.join(KINDS)}")
    if kind == "packet":
        return packet_document(store, today=today, config=config)
    if student_id is None:
        raise ReportError(f"the {kind} report needs a student")
    if kind == "student":
        return student_document(store, student_id, today=today, config=config)
    return letter_document(
        store, student_id, today=today, config=config, signature=signature, lang=lang
    )


def student_report(
    store: Store, student_id: str, *, today: date, fmt: str = "md", config: AppConfig | None = None
) -> str:
    """One student's progress report in ``fmt``."""
    return render(student_document(store, student_id, today=today, config=config), fmt)


def meeting_packet(
    store: Store, *, today: date, fmt: str = "md", config: AppConfig | None = None
) -> str:
    """The meeting packet in ``fmt``."""
    return render(packet_document(store, today=today, config=config), fmt)


def family_letter(
    store: Store,
    student_id: str,
    *,
    today: date,
    fmt: str = "md",
    config: AppConfig | None = None,
    signature: Signature | None = None,
    lang: str = "en",
) -> str:
    """The family letter in ``fmt`` (and ``lang``, signed with ``signature``)."""
    doc = letter_document(
        store, student_id, today=today, config=config, signature=signature, lang=lang
    )
    return render(doc, fmt)
