"""Several passages in one sitting (median kept, passages kept) and the ASCII-only number rule
at the store boundary; every case reads the folder back through a fresh Store."""

from __future__ import annotations

import json
from datetime import date

import pytest

from store.db import Store
from store.errors import ValidationError
from store.model import BUILTIN_MEASURES, Score, check_number
from tests.conftest import read_tree

TODAY = date(2026, 11, 25)


def reopen(store: Store) -> Store:
    store.close()
    return Store.open(store.data_dir, clock=store._clock)


def test_passages_keep_the_median_and_every_reading(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    saved = store.record_score(ava.id, "ORF", None, TODAY, passages=[61, 58, 64], errors=2)
    assert (saved.value, saved.passages, saved.errors) == (61, [61, 58, 64], 2)
    fresh = reopen(store)
    try:
        again = fresh.score_on(ava.id, "ORF", TODAY)
        assert again is not None and (again.value, again.passages) == (61, [61, 58, 64])
        doc = next(
            iter(
                json.loads(next((fresh.data_dir / "scores").rglob("*.json")).read_text())[
                    "scores"
                ].values()
            )
        )
        assert doc["passages"] == [61, 58, 64] and doc["value"] == 61
    finally:
        fresh.close()


def test_even_count_takes_the_midpoint_rounded_to_the_measure(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    assert store.record_score(ava.id, "ORF", None, TODAY, passages=[61, 58]).value == 60  # 59.5
    maze = store.record_score(ava.id, "Maze", None, TODAY, passages=[10.5, 11, 12, 13.5])
    assert maze.value == 11.5
    assert Score.median([7, 5, 8]) == 7  # DOMAIN.md's baseline example
    assert Score.median([1.25, 1.3], 1) == 1.3


def test_single_reading_keeps_no_passages_and_files_unchanged(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    one = store.record_score(ava.id, "ORF", "62", TODAY)
    assert one.passages == []
    raw = next((store.data_dir / "scores").rglob("*.json")).read_text()
    assert "passages" not in raw  # a single reading's document is as before
    also = store.record_score(ava.id, "NWF", None, TODAY, passages=[40])
    assert (also.value, also.passages) == (40, [])


def test_a_bad_passage_refuses_the_whole_score(store: Store) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    before = read_tree(store.data_dir)
    with pytest.raises(ValidationError, match="ORF score 412 is outside 0–300"):
        store.record_score(ava.id, "ORF", None, TODAY, passages=[61, 412, 64])
    with pytest.raises(ValidationError, match="not a number"):
        store.check_score(ava.id, "ORF", None, TODAY, passages=["61", "5o", "64"])
    with pytest.raises(ValidationError, match="not the median"):
        store.record_score(ava.id, "ORF", 64, TODAY, passages=[61, 58, 64])
    with pytest.raises(ValidationError, match="at most 9"):
        store.record_score(ava.id, "ORF", None, TODAY, passages=[60] * 10)
    assert read_tree(store.data_dir) == before
    assert store.check_score(ava.id, "ORF", None, TODAY, passages=["61", "58", "64"]) == 61


def test_old_documents_without_passages_still_read() -> None:
    doc = {"id": "sc1", "student_id": "s1", "measure": "ORF", "date": "2026-11-25", "value": 60}
    assert Score.from_doc(doc).passages == []


@pytest.mark.parametrize("typed", ["٣٤", "1_0", "1e2", "inf", "nan", "0x10", "12.3.4", "", "²"])
def test_store_refuses_non_ascii_decimal_strings(store: Store, typed: str) -> None:
    ava = store.add_student("Ava", "Jones", "3")
    before = read_tree(store.data_dir)
    with pytest.raises(ValidationError, match="not a number"):
        store.record_score(ava.id, "ORF", typed, TODAY)
    with pytest.raises(ValidationError, match="not a number"):
        check_number(typed, "value")
    assert read_tree(store.data_dir) == before


@pytest.mark.parametrize(("typed", "number"), [("62", 62), (" 7 ", 7), ("6.5", 6.5), ("-2", -2)])
def test_plain_ascii_decimals_still_pass(typed: str, number: float) -> None:
    assert check_number(typed, "value") == number


def test_measure_check_value_refuses_arabic_indic_digits() -> None:
    orf = next(m for m in BUILTIN_MEASURES if m.code == "ORF")
    with pytest.raises(ValidationError):
        orf.check_value("٣٤")
    assert orf.check_value("34") == 34
