"""What the Narrate screen shows about an upload before anything is spoken: chapters, length, estimates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from voxweave.text.document import Document
from voxweave.text.ingest import read_document

#: Speech runs at about this many characters a second at speed 1.0 (measured on kokoro voices: 14-16).
CHARS_PER_SECOND = 15.0
#: A paragraph, however short, that makes a good preview passage.
MIN_PREVIEW_CHARS = 80
MAX_PREVIEW_CHARS = 400
#: A sentence's end: Latin punctuation before a space, or CJK full-width punctuation (closing quotes kept).
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)]*(?=\s)|[。！？][」』”’）]*")


@dataclass(frozen=True)
class ChapterInfo:
    number: int  # 1-based, as chapter selections count
    title: str
    chars: int
    role: str  # body, front, back

    @property
    def narrated_by_default(self) -> bool:
        return self.role == "body"


@dataclass(frozen=True)
class DocumentSummary:
    filename: str
    title: str
    author: str | None
    language: str
    chapters: tuple[ChapterInfo, ...]
    sample: str  # a paragraph to preview voices with
    has_cover: bool

    @property
    def chars(self) -> int:
        """Characters narrated by default (body chapters)."""
        return sum(c.chars for c in self.chapters if c.narrated_by_default)

    def chars_of(self, numbers: list[int] | None) -> int:
        if numbers is None:
            return self.chars
        wanted = set(numbers)
        return sum(c.chars for c in self.chapters if c.number in wanted)


def summarise(filename: str, data: bytes) -> DocumentSummary:
    """Read an upload (IngestError with a message for the user when it cannot be read)."""
    document = read_document(Path(filename), data=data)
    return summary_of(filename, document)


def summary_of(filename: str, document: Document) -> DocumentSummary:
    chapters = tuple(
        ChapterInfo(number, chapter.title or f"Chapter {number}", chapter.char_count, chapter.role)
        for number, chapter in enumerate(document.chapters, start=1)
    )
    return DocumentSummary(filename, document.title, document.author, document.language, chapters,
                           sample_passage(document), document.cover is not None)


def sample_passage(document: Document) -> str:
    """The first body paragraph long enough to judge a voice by, cut at a sentence end when too long."""
    paragraphs = [p for _, c in document.narrated_chapters() for p in c.paragraphs] or \
        [p for c in document.chapters for p in c.paragraphs]
    chosen = next((p for p in paragraphs if len(p) >= MIN_PREVIEW_CHARS), "")
    if not chosen:  # only short paragraphs (a heading, a few lines): take them together
        chosen = " ".join(p if _SENTENCE_END.search(p.rstrip() + " ") else p.rstrip() + "." for p in paragraphs)
    if len(chosen) <= MAX_PREVIEW_CHARS:
        return chosen
    cut = chosen[:MAX_PREVIEW_CHARS]
    ends = [m.end() for m in _SENTENCE_END.finditer(cut) if m.end() >= MIN_PREVIEW_CHARS]
    return cut[: ends[-1]].rstrip() if ends else cut.rsplit(" ", 1)[0] + "…"


def estimate_audio_seconds(chars: int, speed: float = 1.0) -> float:
    return chars / CHARS_PER_SECOND / max(speed, 0.1)


def format_duration(seconds: float) -> str:
    """'1 h 02 min', '12 min 05 s', '42 s'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
