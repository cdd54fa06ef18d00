"""Telegram presentation: over-long broadcasts split at paragraph boundaries, never mid-word."""

from __future__ import annotations

from bot.handlers.telegram import MAX_TEXT, _html, split_text


def test_short_text_is_one_message() -> None:
    assert split_text("Lås døren.") == ["Lås døren."]


def test_long_text_splits_at_paragraphs_and_fits_after_escaping() -> None:
    paragraphs = [f"Afsnit {i}: " + "Tyve & <banditter> " * 60 for i in range(12)]
    text = "\n\n".join(paragraphs)
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(len(_html(c)) <= MAX_TEXT for c in chunks)
    assert "\n\n".join(chunks) == text
    assert all(c.startswith("Afsnit ") for c in chunks)


def test_one_huge_paragraph_splits_between_words() -> None:
    words = [f"ord{i}" for i in range(3000)]
    chunks = split_text(" ".join(words), limit=500)
    assert all(len(c) <= 500 for c in chunks)
    assert [w for c in chunks for w in c.split(" ")] == words
