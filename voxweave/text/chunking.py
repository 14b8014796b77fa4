"""Chunking: a document cut into pieces an engine can speak, losing no character on the way.

`split_for_engine` cuts one paragraph: one piece per sentence, a sentence too long for the engine
cut at its best pause. `chunk_document` does that for every paragraph of the chosen chapters and
says what follows each chunk, so later stages know how long a pause to leave.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from voxweave.text.document import Document
from voxweave.text.normalize import normalize
from voxweave.text.sentences import split_sentences

Boundary = Literal["cut", "sentence", "paragraph", "chapter"]


@dataclass(frozen=True)
class Chunk:
    """One piece for the engine and where it sits in the document."""

    index: int  # 0-based over the whole selection
    chapter: int  # 1-based chapter number in the Document
    paragraph: int  # 0-based within the chapter
    text: str  # stripped; what the engine speaks
    boundary: Boundary  # what follows: "cut" means the sentence goes on in the next chunk


@dataclass(frozen=True)
class Piece:
    """A piece of a paragraph, whitespace after it included, and whether a sentence ends with it."""

    text: str
    ends_sentence: bool


# How good a place to cut is, by the kind of mark before the cut (lower is better).
CUT_COST = {"clause": 0.0, "comma": 1.0, "punctuation": 2.0, "space": 3.0, "glued": 5.0, "word": 8.0}
CLAUSE_MARKS = frozenset(";:\u2014\u2013\uff1b\uff1a")
COMMA_MARKS = frozenset(",\u3001\uff0c")
# Cost of a cut a whole `max_chars` away from the balanced position: balance weighs less than
# the kind of mark, so "; " far off beats a space right on target.
BALANCE_COST = 2.0
# A piece or a remainder shorter than this share of max_chars sounds clipped ("a 3-char tail").
SHORT_SHARE = 0.25
SHORT_COST = 4.0


def split_for_engine(text: str, max_chars: int, language: str = "en") -> list[str]:
    """Pieces of one paragraph: "".join(result) == text and len(p.strip()) <= max_chars for each."""
    return [piece.text for piece in split_pieces(text, max_chars, language)]


def split_pieces(text: str, max_chars: int, language: str = "en") -> list[Piece]:
    """`split_for_engine` with the end of each sentence marked."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    pieces: list[Piece] = []
    for sentence in split_sentences(text, language):
        parts = cut_sentence(sentence, max_chars)
        pieces.extend(Piece(part, ends_sentence=i == len(parts) - 1) for i, part in enumerate(parts))
    return pieces


def cut_sentence(sentence: str, max_chars: int) -> list[str]:
    """`sentence` in parts of at most `max_chars` stripped characters, cut at the best pauses."""
    parts, start = [], 0
    content_end = len(sentence.rstrip())
    while True:
        first = _skip_space(sentence, start)
        if content_end - first <= max_chars:
            parts.append(sentence[start:])
            return parts
        cut = _best_cut(sentence, first, content_end, max_chars)
        parts.append(sentence[start:cut])
        start = cut


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _best_cut(text: str, first: int, content_end: int, max_chars: int) -> int:
    """Where the next part should start: after a pause mark and its spaces, near the balanced length.

    `first` is the first non-space character of the part and `content_end` the end of the
    sentence without trailing spaces; the part's content ends at most `max_chars` after `first`.
    """
    remaining = content_end - first
    target = first + remaining / math.ceil(remaining / max_chars)
    short = max(1, int(max_chars * SHORT_SHARE))
    best, best_cost = first + max_chars, math.inf
    for end in range(first + 1, first + max_chars + 1):
        if text[end - 1].isspace():
            continue  # a part ends on a visible character; its spaces travel with it
        cut = _skip_space(text, end)
        kind = _cut_kind(text, end, cut)
        if kind is None:
            continue
        cost = CUT_COST[kind] + BALANCE_COST * abs(end - target) / max_chars
        if end - first < short or content_end - cut < short:
            cost += SHORT_COST
        if cost < best_cost:
            best, best_cost = cut, cost
    return best


def _cut_kind(text: str, end: int, cut: int) -> str | None:
    """What kind of pause a cut after text[end - 1] (next part starting at `cut`) falls on."""
    mark, spaced = text[end - 1], cut > end
    if not spaced and unicodedata.combining(text[cut]):
        return None  # never separate an accent from its letter
    wide = unicodedata.east_asian_width(mark) in ("W", "F")  # CJK marks take no space after them
    if spaced or wide:
        if mark in CLAUSE_MARKS:
            return "clause"
        if mark in COMMA_MARKS:
            return "comma"
        if unicodedata.category(mark).startswith("P"):
            return "punctuation"
        return "space" if spaced else "word"
    return "glued" if unicodedata.category(mark).startswith("P") else "word"


def chunk_document(document: Document, max_chars: int, chapters: Sequence[int] | None = None) -> list[Chunk]:
    """Every chunk of the chosen chapters (default: the narrated ones), in the order given."""
    return list(iter_chunks(document, max_chars, chapters))


def iter_chunks(document: Document, max_chars: int, chapters: Sequence[int] | None = None) -> Iterator[Chunk]:
    """`chunk_document` as a generator: one chapter is normalised and split at a time."""
    index = 0
    for number in _chapter_numbers(document, chapters):
        chunks = _chapter_chunks(document, number, max_chars, first_index=index)
        index += len(chunks)
        yield from chunks


def _chapter_numbers(document: Document, chapters: Sequence[int] | None) -> list[int]:
    if chapters is None:
        return [number for number, _ in document.narrated_chapters()]
    count = len(document.chapters)
    for number in chapters:
        if not 1 <= number <= count:
            plural = "" if count == 1 else "s"
            raise ValueError(f"chapter {number} does not exist: the document has {count} chapter{plural}")
    return list(chapters)


def _chapter_chunks(document: Document, number: int, max_chars: int, first_index: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    for paragraph, raw in enumerate(document.chapters[number - 1].paragraphs):
        for text, boundary in _paragraph_parts(raw, max_chars, document.language):
            chunks.append(Chunk(first_index + len(chunks), number, paragraph, text, boundary))
    if chunks:
        chunks[-1] = replace(chunks[-1], boundary="chapter")
    return chunks


def _paragraph_parts(raw: str, max_chars: int, language: str) -> list[tuple[str, Boundary]]:
    """The normalised paragraph's chunk texts, each with what follows it."""
    pieces = split_pieces(normalize(raw, language), max_chars, language)
    parts: list[tuple[str, Boundary]] = [
        (piece.text.strip(), "sentence" if piece.ends_sentence else "cut")
        for piece in pieces
        if piece.text.strip()  # never true of normalised text, which is stripped; kept as a guard
    ]
    if parts:
        parts[-1] = (parts[-1][0], "paragraph")
    return parts
