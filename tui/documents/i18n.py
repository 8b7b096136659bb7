"""Letter languages: gettext message catalogs and Babel for dates and numbers (issue 19), so
another language is a translation file (``tui/locale/<lang>/LC_MESSAGES/intervene.po``), not
code.

The ``.po`` file is the only source: it is compiled in memory with
:func:`babel.messages.mofile.write_mo` the first time a letter in that language is written and
read by :class:`gettext.GNUTranslations`. No compiled ``.mo`` is kept in the repository, so
none can go stale after a translator edits the ``.po``, and there is no build step to forget;
compiling a catalog of ~50 messages takes a few milliseconds, once per process. English is the
source language (the message ids), so it needs no catalog.

Babel is imported here, lazily: nothing at the app's start-up loads it.
"""

from __future__ import annotations

import functools
import gettext
import io
from datetime import date
from pathlib import Path

from tui.documents.model import ReportError

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "intervene"
SOURCE = "en"


class LanguageError(ReportError):
    """A letter language with no catalog (the message names the ones there are)."""


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark, translate later")
    """Mark ``message`` for the catalog without translating it here."""
    return message


def languages() -> tuple[str, ...]:
    """The letter languages: English and every language with a catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE, *[x for x in found if x != SOURCE])


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(lang: str) -> bytes:
    """The ``.mo`` bytes of ``lang``'s ``.po`` (Babel's reader and writer)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def check_language(lang: str) -> str:
    """``lang`` normalised ("ES" → "es"), or LanguageError naming the languages there are."""
    key = (lang or SOURCE).strip().lower().replace("-", "_")
    if key == SOURCE or catalog_path(key).is_file():
        return key
    raise LanguageError(
        f"no letter translation for {lang!r} (available: {', '.join(languages())}; "
        f"add tui/locale/{key}/LC_MESSAGES/{DOMAIN}.po)"
    )


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The gettext translations of ``lang`` (English: the message ids themselves)."""
    key = check_language(lang)
    if key == SOURCE:
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compile_catalog(key)))


def long_date(d: date, lang: str) -> str:
    """'December 1, 2026' / '1 de diciembre de 2026' (Babel's long date)."""
    from babel.dates import format_date

    return format_date(d, format="long", locale=lang)


def day_month(d: date, today: date, lang: str) -> str:
    """'February 12' / '12 de febrero', the year added when it is not this year."""
    if d.year != today.year:
        return long_date(d, lang)
    from babel.dates import format_skeleton

    return format_skeleton("MMMMd", d, locale=lang)


def month_name(d: date, today: date, lang: str) -> str:
    """'September' / 'septiembre' (stand-alone), with the year when not within ~10 months."""
    from babel.dates import format_date, format_skeleton

    if d.year == today.year or (today - d).days < 300:
        return format_date(d, format="LLLL", locale=lang)
    return format_skeleton("yMMMM", d, locale=lang)


def number(value: float, decimals: int, lang: str) -> str:
    """``value`` with ``decimals`` places in ``lang``'s digits ("3.0" / "3,0")."""
    from babel.numbers import format_decimal

    pattern = "0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(round(value, decimals), format=pattern, locale=lang)
