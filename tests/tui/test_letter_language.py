"""Family letters (issue 19): signed from settings, in Spanish from the gettext catalog with
Babel's dates and numbers, every message translated with the same placeholders, an unknown
language refused in one line."""

# ruff: noqa: F811 (the caseload fixture is imported from test_reports)
from __future__ import annotations

import io
import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from store.db import Store
from tests.conftest import REPO
from tests.tui.test_reports import (  # noqa: F401 (the fixture)
    JARGON,
    Caseload,
    caseload,
    leo_rated_down_to,
    weekly_scores,
)
from tui.cli.main import main
from tui.documents import LanguageError, Signature, family_letter, languages
from tui.documents.i18n import catalog_path, compile_catalog, translations

DAY = date(2026, 12, 1)
RIVERA = Signature(
    name="Ana Rivera",
    role="Reading interventionist",
    school="Lincoln Elementary",
    email="arivera@lincoln.example",
    phone="555-0142",
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_spanish_letter_from_the_catalog(caseload: Caseload) -> None:
    flat = _flat(family_letter(caseload.store, caseload.ava, today=DAY, fmt="text", lang="es"))
    assert flat.startswith("1 de diciembre de 2026 Estimada familia de Ava Smith:")
    assert "Ava ha estado trabajando en un grupo pequeño" in flat
    assert "habilidades de lectura" in flat
    assert (
        "La semana pasada, Ava leyó 47 palabras correctamente en un minuto; "
        "en septiembre, solo 31." in flat
    )
    assert (
        "Nuestra meta es que Ava lea 62 palabras correctamente en un minuto "
        "para el 12 de febrero de 2027." in flat
    )
    assert "Desde el 19 de octubre, Ava asistió a 19 de las 22 sesiones de grupo" in flat
    assert "En octubre hicimos un cambio en el plan de Ava: added 10 minutes a day." in flat
    assert "Saludos cordiales, Maestro o maestra de lectura de su hijo o hija" in flat
    for english in ("Dear", "words", "Since", "Warm regards", "Your child", "this week"):
        assert english not in flat


def test_spanish_numbers_and_html_language(store: Store) -> None:
    sid = leo_rated_down_to(store, 3.5)
    flat = _flat(family_letter(store, sid, today=DAY, fmt="text", lang="es"))
    assert "Leo obtuvo 3,5 de 10 en conductas que interrumpen la clase" in flat
    assert "más bajo es mejor); en octubre, su resultado fue 6." in flat  # whole: no ",0"
    assert "obtenga 2 de 10 o menos" in flat and "para el 1 de marzo de 2027" in flat
    page = family_letter(store, sid, today=DAY, fmt="html", lang="es")
    assert '<html lang="es">' in page
    ticks = re.findall(r"<text[^>]*>([^<]*)</text>", page)  # the chart's dates in Spanish
    assert "5 oct" in ticks and not any(t.startswith(("Oct", "Nov")) for t in ticks)
    assert '<html lang="en">' in family_letter(store, sid, today=DAY, fmt="html")


def test_spanish_letters_for_behaviour(store: Store) -> None:
    # The second reader: behaviour has its own words, and reading + CICO names both.
    leo = store.add_student("Leo", "Park", "2").id
    ava = store.add_student("Ava", "Cruz", "3").id
    weekly_scores(store, leo, {"CICO": [60, 65, 70, 75]})
    weekly_scores(store, ava, {"CICO": [60, 65, 70, 75], "ORF": [31, 35, 39, 43]})
    flat = _flat(family_letter(store, leo, today=DAY, fmt="text", lang="es"))
    assert (
        "Leo ha estado recibiendo apoyo adicional para practicar la buena conducta en la escuela."
        in flat
    )
    assert "Preguntarle a Leo cómo le fue en la escuela y reconocer lo que hizo bien" in flat
    assert flat.endswith(
        "Saludos cordiales, Maestro o maestra de apoyo de conducta de su hijo o hija"
    )
    assert "Seguiremos pendientes de cómo le va a Leo cada día en la escuela." in flat
    assert "habilidades" not in flat and "Practicar juntos" not in flat
    flat = _flat(family_letter(store, ava, today=DAY, fmt="text", lang="es"))
    assert (
        "Ava ha estado trabajando en un grupo pequeño para reforzar sus habilidades de lectura "
        "y también recibe apoyo para practicar la buena conducta en la escuela." in flat
    )
    assert "Practicar juntos unos minutos cada día y preguntarle a Ava cómo le fue" in flat
    assert flat.endswith("Saludos cordiales, Maestro o maestra de lectura de su hijo o hija")
    assert "Dear" not in flat and "behaviour" not in flat


def test_letter_is_signed_from_settings(caseload: Caseload) -> None:
    text = family_letter(caseload.store, caseload.ava, today=DAY, fmt="text", signature=RIVERA)
    tail = text.rstrip().splitlines()[-4:]
    assert tail == [
        "Warm regards,",
        "Ana Rivera",
        "Reading interventionist, Lincoln Elementary",
        "arivera@lincoln.example · 555-0142",
    ]
    own = Signature(name="Ana Rivera", closing="Con cariño,")
    es = family_letter(
        caseload.store, caseload.ava, today=DAY, fmt="text", signature=own, lang="es"
    )
    assert es.rstrip().splitlines()[-2:] == ["Con cariño,", "Ana Rivera"]
    md = family_letter(caseload.store, caseload.ava, today=DAY, fmt="md", signature=RIVERA)
    assert "Ana Rivera  \nReading interventionist, Lincoln Elementary" in md


def test_english_letter_has_no_jargon_and_a_small_chart_only_in_html(caseload: Caseload) -> None:
    for fmt in ("md", "text", "html"):
        text = family_letter(caseload.store, caseload.ava, today=DAY, fmt=fmt)
        plain = re.sub(r"<svg\b.*?</svg>", " ", text, flags=re.S)
        assert [w for w in JARGON if re.search(rf"\b{re.escape(w)}\b", plain, re.I)] == []
        assert ("<svg" in text) == (fmt == "html")
        assert ("Each dot is one of Ava" in text) == (fmt == "html")


def _messages() -> list[str | tuple[str, str]]:
    keywords = {"N_": None, "w": None, "plural": (1, 2)}
    path = REPO / "tui" / "documents" / "letter.py"
    return [msg for _, msg, _, _ in extract_from_file("python", str(path), keywords=keywords)]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", [x for x in languages() if x != "en"])
def test_every_letter_message_is_translated_with_its_placeholders(lang: str) -> None:
    with catalog_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    for msg in _messages():
        key = msg if isinstance(msg, str) else msg[0]
        entry = catalog.get(key)
        assert entry is not None and not entry.fuzzy, f"{lang}: no translation of {key!r}"
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for s in strings:
            assert s, f"{lang}: empty translation of {key!r}"
            assert _fields(s) <= _fields(key) | {"n"}, f"{lang}: unknown placeholder in {s!r}"
    # the compiled catalog is what gettext reads
    t = translations(lang)
    assert t.gettext("Warm regards,") != "Warm regards,"
    assert compile_catalog(lang).startswith(b"\xde\x12\x04\x95")  # GNU .mo magic


def test_an_unknown_language_is_one_clear_error(caseload: Caseload) -> None:
    with pytest.raises(LanguageError, match=r"no letter translation for 'fr' \(available: en, es"):
        family_letter(caseload.store, caseload.ava, today=DAY, lang="fr")
    assert "1 de diciembre" in family_letter(
        caseload.store, caseload.ava, today=DAY, fmt="text", lang="ES"
    )


def test_cli_letter_signed_and_in_the_language_of_the_settings(
    caseload: Caseload,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '# my settings\n[you]\nname = "Ana Rivera"\nrole = "Maestra de lectura"\n'
        'school = "Escuela Lincoln"\nemail = "arivera@lincoln.example"\n'
        '[letters]\nlanguage = "es"\nclosing = "Un saludo cordial,"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("INTERVENE_SETTINGS", str(settings))
    folder = str(caseload.store.data_dir)
    args = ["report", "--data-dir", folder, "letter", "Ava", "--date", "2026-12-01"]
    assert main(args) == 0
    out = capsys.readouterr().out.rstrip().splitlines()
    assert out[0] == "1 de diciembre de 2026"
    assert out[-4:] == [
        "Un saludo cordial,",
        "Ana Rivera",
        "Maestra de lectura, Escuela Lincoln",
        "arivera@lincoln.example",
    ]
    assert main([*args, "--lang", "en"]) == 0  # --lang wins over the settings
    assert capsys.readouterr().out.startswith("December 1, 2026\n")
    settings.write_text('[you]\nemail = "not an address"\n', encoding="utf-8")
    assert main(args) == 0  # a refused key: one line, the letter still written
    captured = capsys.readouterr()
    (warning,) = captured.err.strip().splitlines()
    assert warning.startswith("intervene: settings.toml: you.email")
    assert captured.out.startswith("December 1, 2026\n")


def test_cli_letter_in_spanish(
    caseload: Caseload,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("INTERVENE_SETTINGS", str(tmp_path / "none.toml"))
    folder = str(caseload.store.data_dir)
    args = ["report", "--data-dir", folder, "letter", "Ava", "--lang", "es", "--date", "2026-12-01"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 de diciembre de 2026\n") and "Estimada familia de Ava Smith:" in out
    bad = ["report", "--data-dir", folder, "letter", "Ava", "--lang", "xx"]
    assert main(bad) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("intervene: no letter translation for 'xx'")


def test_catalog_is_valid_po() -> None:
    raw = catalog_path("es").read_bytes()
    catalog = read_po(io.BytesIO(raw), locale="es")
    assert catalog.num_plurals == 2 and len(catalog) >= len(set(map(str, _messages()))) - 5


def test_write_report_passes_the_signature_and_language(caseload: Caseload, tmp_path: Path) -> None:
    from tui.documents import write_report

    path = write_report(
        "letter", "html", tmp_path / "carta.html", caseload.store, today=DAY,
        student_id=caseload.ava, signature=RIVERA, lang="es",
    )  # fmt: skip
    page = path.read_text(encoding="utf-8")
    assert '<html lang="es">' in page and "Ana Rivera<br>" in page
    assert "1 de diciembre de 2026" in page
