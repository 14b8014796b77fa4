"""The document model every reader produces and every later stage consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ChapterRole = Literal["body", "front", "back"]


@dataclass(frozen=True)
class Chapter:
    """A titled run of paragraphs. `role` marks front or back matter, kept but not narrated by default."""

    title: str
    paragraphs: tuple[str, ...]
    role: ChapterRole = "body"

    @property
    def char_count(self) -> int:
        return sum(len(p) for p in self.paragraphs)


@dataclass(frozen=True)
class Document:
    title: str
    chapters: tuple[Chapter, ...]
    author: str | None = None
    language: str = "en"
    source: Path | None = None
    cover: bytes | None = field(default=None, repr=False)

    @property
    def char_count(self) -> int:
        return sum(c.char_count for c in self.chapters)

    def narrated_chapters(self) -> list[tuple[int, Chapter]]:
        """(1-based number, chapter) of the chapters narrated by default: body matter only."""
        return [(i, c) for i, c in enumerate(self.chapters, start=1) if c.role == "body"]
