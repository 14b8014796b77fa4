"""Turns a flat run of headings and paragraphs into chapters (plain text, Markdown and HTML share it).

The rules, in the order they apply:
- headings of level 1..`chapter_depth` start chapters and title them; deeper ones are paragraphs;
- every heading's text stays in the text, as its chapter's first paragraph: what the book prints
  is narrated, the title is the chapter's label;
- text before the first heading is a chapter titled with the document's title;
- a heading with no text of its own before the next heading (a part title such as "Part One")
  opens the chapter that follows; a run of `CONTENTS_RUN` or more such headings is a table of
  contents and stays where it stands, at the end of the chapter before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voxweave.text.document import Chapter

#: This many bare headings in a row are a table of contents, not part titles.
CONTENTS_RUN = 3


@dataclass(frozen=True)
class Block:
    """One paragraph, or a heading when `level` is 1 to 6."""

    text: str
    level: int = 0

    @property
    def is_heading(self) -> bool:
        return self.level > 0


@dataclass
class _Section:
    title: str | None
    paragraphs: list[str] = field(default_factory=list)

    @property
    def bare(self) -> bool:
        """A heading with no text of its own."""
        return self.title is not None and len(self.paragraphs) <= 1


def sole_top_heading(blocks: list[Block]) -> str | None:
    """The text of the first block when it is the only heading of the highest level present."""
    headings = [b for b in blocks if b.is_heading]
    if not headings or not blocks[0].is_heading:
        return None
    top = min(b.level for b in headings)
    tops = [b for b in headings if b.level == top]
    return blocks[0].text if len(tops) == 1 and tops[0] is blocks[0] else None


def assemble(blocks: list[Block], title: str, *, chapter_depth: int = 2) -> tuple[Chapter, ...]:
    """Chapters from blocks, split at headings of level 1..chapter_depth; never drops text."""
    sections = _place_bare_headings(_split(blocks, chapter_depth))
    return tuple(Chapter(title=s.title or title, paragraphs=tuple(s.paragraphs)) for s in sections if s.paragraphs)


def _split(blocks: list[Block], chapter_depth: int) -> list[_Section]:
    sections: list[_Section] = []
    for block in blocks:
        if 0 < block.level <= chapter_depth:
            sections.append(_Section(block.text))
        elif not sections:
            sections.append(_Section(None))
        sections[-1].paragraphs.append(block.text)
    return sections


def _place_bare_headings(sections: list[_Section]) -> list[_Section]:
    """Moves text-less headings into the chapter after them, or before them for a contents list."""
    out: list[_Section] = []
    pending: list[str] = []
    for section in sections:
        if section.bare:
            pending.extend(section.paragraphs)
            continue
        if len(pending) >= CONTENTS_RUN:
            _previous(out).paragraphs.extend(pending)
        else:
            section.paragraphs[:0] = pending
        pending = []
        out.append(section)
    if pending:
        _previous(out).paragraphs.extend(pending)
    return out


def _previous(out: list[_Section]) -> _Section:
    if not out:
        out.append(_Section(None))
    return out[-1]
