"""Sentence splitting that never loses or changes a character."""

from __future__ import annotations

from functools import lru_cache

import pysbd
from pysbd.languages import LANGUAGE_CODES

# pysbd has rules for these; other languages are split with the English rules, which suit most
# scripts that end sentences with ". ! ?".
FALLBACK_LANGUAGE = "en"
# pysbd reads text in windows of this many characters (its cost per character is lowest here),
WINDOW_CHARS = 2000
# and trusts a sentence start only with this much text after it in the window.
CONTEXT_CHARS = 200


@lru_cache(maxsize=None)
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False)


def _pysbd_language(language: str) -> str:
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGE_CODES else FALLBACK_LANGUAGE


def split_sentences(text: str, language: str = "en") -> list[str]:
    """The sentences of `text`, each with the whitespace after it: "".join(result) == text."""
    if not text:
        return []
    starts = _all_starts(text, _segmenter(_pysbd_language(language)))
    ends = starts[1:] + [len(text)]
    return [text[start:end] for start, end in zip(starts, ends)]


def _all_starts(text: str, segmenter: pysbd.Segmenter) -> list[int]:
    """Sentence starts over the whole text, found window by window.

    pysbd's time grows with the square of the length (a 120,000-character paragraph from a PDF
    took 18 s), so it reads windows of WINDOW_CHARS, each beginning at a sentence start. A start
    near a window's end was judged without what follows it, so the next window judges it again.
    """
    starts, offset = [0], 0
    while True:
        end = min(len(text), offset + WINDOW_CHARS)
        window = text[offset:end]
        # Only the processor is used: Segmenter.segment keeps the text on the shared segmenter
        # (not thread-safe) and re-finds sentences with a quadratic search that drops any it misses.
        sentences = segmenter.processor(window).process()
        found = [offset + at for at in _sentence_starts(window, sentences)[1:]]
        if end == len(text):
            return starts + found
        sure = [at for at in found if end - at >= CONTEXT_CHARS]
        starts += sure
        # No sure start: one long sentence fills the window; read on from just before its end.
        offset = sure[-1] if sure else end - CONTEXT_CHARS


def _sentence_starts(text: str, sentences: list[str]) -> list[int]:
    """Where each piece begins in `text`; the first always begins at 0.

    A sentence pysbd altered cannot be found; its text stays inside the piece before it. A start
    is kept only when the piece before it holds more than whitespace.
    """
    starts, cursor = [0], 0
    for sentence in sentences:
        body = sentence.strip()
        at = text.find(body, cursor) if body else -1
        if at < 0:
            continue
        if text[starts[-1]:at].strip():
            starts.append(at)
        cursor = at + len(body)
    return starts
