"""The decision words: every kind named once, short enough for the screens, ranked."""

from __future__ import annotations

from store.vocabulary import KINDS, OVERDUE, needs_decision, urgency, words


def test_labels_fit_todays_attention_column_and_short_words_the_tables() -> None:
    for kind, w in (*KINDS.items(), ("overdue", OVERDUE)):
        assert len(w.label) <= 24, kind
        assert len(w.short) <= 16, kind


def test_ranks_are_distinct_and_overdue_only_raises_calmer_rows() -> None:
    ranks = [w.urgency for w in (*KINDS.values(), OVERDUE)]
    assert len(set(ranks)) == len(ranks)
    assert urgency("change", overdue=True) == KINDS["change"].urgency
    assert urgency("continue", overdue=True) == OVERDUE.urgency


def test_continue_and_too_few_scores_need_no_decision() -> None:
    assert [k for k in KINDS if not needs_decision(k)] == ["continue", "insufficient-data"]
    assert words("unknown-kind").label == "unknown-kind" and not needs_decision("unknown-kind")
