"""The spine's documents read into one run of blocks, addressable by 'file.xhtml#anchor'."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from voxweave.text.readers import _html
from voxweave.text.readers._assemble import Block
from voxweave.text.readers._epub_package import Resource


@dataclass
class Spine:
    """Every block of the book in reading order; a position is an index into `blocks`."""

    hrefs: list[str]
    texts: list[_html.HtmlText]
    linear: list[bool]
    offsets: list[int] = field(init=False)
    blocks: list[Block] = field(init=False)
    _chars: list[int] = field(init=False)
    _index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.offsets = [0, *accumulate(len(t.blocks) for t in self.texts)][:-1]
        self.blocks = [b for t in self.texts for b in t.blocks]
        # running count of narrative characters (headings excluded), to measure spans quickly
        self._chars = [0, *accumulate(0 if b.is_heading else len(b.text) for b in self.blocks)]
        self._index = {href: i for i, href in enumerate(self.hrefs)}

    def has(self, href: str | None) -> bool:
        return href is not None and href.partition("#")[0] in self._index

    def has_text(self, href: str) -> bool:
        """Whether the document `href` points into has any text at all."""
        return bool(self.texts[self._index[href.partition("#")[0]]].blocks)

    def position(self, href: str) -> int:
        """Where 'file#anchor' starts; the file's start when the anchor is missing."""
        file, _, fragment = href.partition("#")
        i = self._index[file]
        return self.offsets[i] + self.texts[i].anchors.get(fragment, 0) if fragment else self.offsets[i]

    def types_at(self, href: str) -> frozenset[str]:
        """Semantic types of the element `href` points at (the document's lead types for a file)."""
        file, _, fragment = href.partition("#")
        text = self.texts[self._index[file]]
        return text.types.get(fragment, frozenset()) if fragment else text.lead_types

    def doc_at(self, position: int) -> int:
        """Index of the spine document that holds the block at `position`."""
        return bisect.bisect_right(self.offsets, position) - 1

    def chars(self, start: int, end: int) -> int:
        """Narrative characters (headings excluded) in blocks[start:end]."""
        return self._chars[max(end, start)] - self._chars[start]


def read_spine(documents: tuple[Resource, ...]) -> Spine:
    """Parses every spine document (XHTML as XML when well-formed, else as HTML)."""
    texts = [_html.extract(_html.parse(doc.data, xhtml=True)) for doc in documents]
    return Spine(hrefs=[d.href for d in documents], texts=texts, linear=[d.linear for d in documents])
