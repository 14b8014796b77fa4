from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxweave.text.sentences import WINDOW_CHARS, _segmenter, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One. ", "Two! ", "Three? ", "Four"]),
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones. ", "They talked."]),
        ("Fruit, e.g. apples, are good. Yes.", ["Fruit, e.g. apples, are good. ", "Yes."]),
        ("Pi is 3.14 or so. Right.", ["Pi is 3.14 or so. ", "Right."]),
        ("  Leading space. Trailing space.  ", ["  Leading space. ", "Trailing space.  "]),
        ("Line one.\n\nLine two.", ["Line one.\n\n", "Line two."]),
        ("\u201cHello,\u201d she said. \u201cBye.\u201d", ["\u201cHello,\u201d she said. ", "\u201cBye.\u201d"]),
        ("no end mark", ["no end mark"]),
        ("   ", ["   "]),
        ("", []),
    ],
)
def test_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_japanese() -> None:
    text = "\u4eca\u65e5\u306f\u6674\u308c\u3067\u3059\u3002\u660e\u65e5\u306f\u96e8\u3002"
    assert split_sentences(text, "ja") == ["\u4eca\u65e5\u306f\u6674\u308c\u3067\u3059\u3002", "\u660e\u65e5\u306f\u96e8\u3002"]


@pytest.mark.parametrize("language", ["pt-BR", "xx", "EN_gb"])
def test_languages_without_rules_fall_back_to_english(language: str) -> None:
    assert split_sentences("Ele disse. Ela foi.", language) == ["Ele disse. ", "Ela foi."]


def test_segmenter_is_cached_per_language() -> None:
    assert _segmenter("en") is _segmenter("en")
    assert _segmenter("en") is not _segmenter("de")


def test_a_very_long_paragraph_is_split_across_windows_without_seams() -> None:
    sentences = [f"Mr. Smith read page {i}, e.g. the part on 3.14 and more. " for i in range(600)]
    text = "".join(sentences)
    assert len(text) > 10 * WINDOW_CHARS
    assert split_sentences(text) == sentences


def test_a_sentence_longer_than_a_window_stays_whole() -> None:
    text = "word " * WINDOW_CHARS + "end. Next one."
    assert split_sentences(text) == ["word " * WINDOW_CHARS + "end. ", "Next one."]


def test_threads_do_not_mix_texts() -> None:
    texts = [f"Sentence {i} starts. It ends here {i}. " * 5 for i in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(split_sentences, texts))
    assert ["".join(parts) for parts in results] == texts
    assert all(len(parts) == 10 for parts in results)


_TOKENS = [*"ab .!?\n\t\"')(\u2026;:,-\u3002", "Mr.", "e.g.", "3.14", " The", "U.S.", "...", "a.m.", "  "]
_TEXT = st.one_of(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join), st.text(max_size=80))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.sampled_from(["en", "ja", "de", "xx"]))
def test_pieces_join_back_exactly(text: str, language: str) -> None:
    pieces = split_sentences(text, language)
    assert "".join(pieces) == text
    assert all(pieces)
    if len(pieces) > 1:
        assert all(piece.strip() for piece in pieces)  # whitespace rides with the piece before
