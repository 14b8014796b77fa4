import types

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxweave.text.chunking import Chunk, Piece, chunk_document, cut_sentence, iter_chunks, split_for_engine, split_pieces
from voxweave.text.document import Chapter, Document
from voxweave.text.normalize import normalize

# --- split_for_engine --------------------------------------------------------------------------


def test_one_piece_per_sentence() -> None:
    assert split_for_engine("One. Two! Three?", 100) == ["One. ", "Two! ", "Three?"]


def test_long_sentence_prefers_clause_marks_over_commas_and_spaces() -> None:
    text = "We walked to the river, slowly; the water was cold and the sky was grey."
    assert split_for_engine(text, 50) == ["We walked to the river, slowly; ", "the water was cold and the sky was grey."]


def test_long_sentence_falls_back_to_commas_then_spaces() -> None:
    assert split_for_engine("alpha beta gamma, delta epsilon zeta eta", 25) == ["alpha beta gamma, ", "delta epsilon zeta eta"]
    # No mark but spaces: the most even cut wins (22 + 16 characters rather than 16 + 22 or 24 + 14).
    assert split_for_engine("alpha beta gamma delta epsilon zeta eta", 25) == ["alpha beta gamma delta ", "epsilon zeta eta"]


def test_a_word_longer_than_the_limit_is_cut_in_balanced_parts() -> None:
    assert cut_sentence("a" * 25, 10) == ["a" * 8, "a" * 8, "a" * 9]


def test_no_tiny_tail() -> None:
    pieces = split_for_engine("word " * 10 + "end", 50)  # 53 characters
    assert min(len(p.strip()) for p in pieces) > 10


def test_cjk_cuts_after_ideographic_commas() -> None:
    text = "\u4eca\u65e5\u306f\u6674\u308c\u3067\u3059\u3001\u660e\u65e5\u306f\u96e8\u3067\u3057\u3087\u3046\u3001\u305d\u3046\u3067\u3059\u306d"
    assert split_for_engine(text, 10, "ja") == [
        "\u4eca\u65e5\u306f\u6674\u308c\u3067\u3059\u3001",
        "\u660e\u65e5\u306f\u96e8\u3067\u3057\u3087\u3046\u3001",
        "\u305d\u3046\u3067\u3059\u306d",
    ]


def test_accents_stay_with_their_letters() -> None:
    text = "e\u0301" * 12  # twelve letters, each with a combining acute accent
    for piece in split_for_engine(text, 5):
        assert not piece.startswith("\u0301")


def test_pieces_mark_sentence_ends() -> None:
    assert split_pieces("Short one. A longer sentence, cut here.", 20) == [
        Piece("Short one. ", True),
        Piece("A longer sentence, ", False),
        Piece("cut here.", True),
    ]


@pytest.mark.parametrize("limit", [0, -3])
def test_limit_must_be_positive(limit: int) -> None:
    with pytest.raises(ValueError, match="max_chars"):
        split_for_engine("text", limit)


def test_empty_text_has_no_pieces() -> None:
    assert split_for_engine("", 10) == []


_TOKENS = [*"ab \n\t.,;:!?-\u2014\u3001\u3002\u0301\"'", "word ", "x" * 30, "\u6f22\u5b57", "Mr. ", "3.14", "..."]
_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join),
    st.text(alphabet=".,;!?", max_size=80),  # only punctuation
    st.text(alphabet="abc", min_size=50, max_size=300),  # one long word, no spaces
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.integers(min_value=1, max_value=60))
def test_no_character_lost_or_repeated(text: str, limit: int) -> None:
    pieces = split_for_engine(text, limit)
    assert "".join(pieces) == text
    assert all(pieces)
    assert all(len(piece.strip()) <= limit for piece in pieces)


# --- chunk_document ----------------------------------------------------------------------------


def _book() -> Document:
    return Document(
        title="Book",
        chapters=(
            Chapter("Contents", ("Start here.",), role="front"),
            Chapter("One", ("First sentence. Second sentence.", "", "It cost $5.")),
            Chapter("Two", ("A clause that goes on; and on, and on until the very end.",)),
            Chapter("Notes", ("See page 3.",), role="back"),
        ),
    )


def test_chunks_of_the_narrated_chapters() -> None:
    assert chunk_document(_book(), 40) == [
        Chunk(0, 2, 0, "First sentence.", "sentence"),
        Chunk(1, 2, 0, "Second sentence.", "paragraph"),
        Chunk(2, 2, 2, "It cost five dollars.", "chapter"),
        Chunk(3, 3, 0, "A clause that goes on;", "cut"),
        Chunk(4, 3, 0, "and on, and on until the very end.", "chapter"),
    ]


def test_chapters_in_the_order_given() -> None:
    chunks = chunk_document(_book(), 100, chapters=[4, 1])
    assert [(c.index, c.chapter, c.text, c.boundary) for c in chunks] == [
        (0, 4, "See page three.", "chapter"),
        (1, 1, "Start here.", "chapter"),
    ]


@pytest.mark.parametrize("chapter", [0, 5])
def test_unknown_chapter(chapter: int) -> None:
    with pytest.raises(ValueError, match=f"chapter {chapter} does not exist: the document has 4 chapters"):
        chunk_document(_book(), 100, chapters=[chapter])


def test_iter_chunks_is_lazy_and_agrees() -> None:
    stream = iter_chunks(_book(), 40)
    assert isinstance(stream, types.GeneratorType)
    assert list(stream) == chunk_document(_book(), 40)


_PARAGRAPH = st.lists(st.sampled_from([*"ab .,;!?\n0123456789$%-\u2014", "Mr. ", "word "]), max_size=60).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_PARAGRAPH, max_size=4), min_size=1, max_size=3), st.integers(min_value=1, max_value=40))
def test_every_normalised_character_is_spoken_once(chapters: list[list[str]], limit: int) -> None:
    document = Document("T", tuple(Chapter(f"C{i}", tuple(ps)) for i, ps in enumerate(chapters)))
    chunks = chunk_document(document, limit)
    expected = "".join(normalize(p) for ps in chapters for p in ps).replace(" ", "")
    assert "".join(c.text for c in chunks).replace(" ", "") == expected
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(c.text and c.text == c.text.strip() and len(c.text) <= limit for c in chunks)
    for number in {c.chapter for c in chunks}:
        assert [c for c in chunks if c.chapter == number][-1].boundary == "chapter"
