"""EPUB books: chapters and titles from the navigation, in spine order, split at anchors.

A book may keep all its text in one file and mark chapters with anchors in its table of contents:
the text is cut at those anchors. Of a nested table of contents the level of real chapters is kept
(a collection entry whose own text is only a heading gives way to its stories). Spine documents
the table of contents does not mention are kept: as chapters of their own when they stand alone
(a heading, a semantic type, a landmark), else as the continuation of the chapter before them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from voxweave.text.document import Chapter, Document
from voxweave.text.readers import _epub_matter
from voxweave.text.readers._assemble import Block
from voxweave.text.readers._epub_package import Package, open_package
from voxweave.text.readers._epub_spine import Spine, read_spine
from voxweave.text.readers._epub_toc import Landmark, TocEntry, guide_landmarks, parse_nav, parse_ncx
from voxweave.text.readers._text import title_from_path

#: An entry whose own text (before its first sub-entry) is at most this long only holds its
#: sub-entries (a part title page, a collection's heading): its sub-entries are the chapters.
LEAD_MAX_CHARS = 400
#: An untitled spine document standing alone takes a heading among its first blocks as its title.
TITLE_SEARCH_BLOCKS = 3


@dataclass(frozen=True)
class _Cut:
    """Where a chapter starts in the spine's run of blocks."""

    position: int
    title: str
    types: frozenset[str] = frozenset()
    #: known matter (a non-linear document nobody links to), else None: judge by the evidence
    kind: _epub_matter.Kind = None


def read(data: bytes, path: Path) -> Document:
    """Reads an EPUB 2 or 3 book; DRM-protected books are refused."""
    package = open_package(data, path)
    spine = read_spine(package.spine)
    toc, landmarks = _navigation(package, spine)
    marks: dict[int, list[Landmark]] = {}
    for landmark in landmarks:
        marks.setdefault(spine.position(landmark.href), []).append(landmark)
    cuts = _cuts(_select(toc, spine), spine, toc, marks, package.title)
    chapters = _chapters(cuts, spine, marks, package.title)
    return Document(
        title=package.title or title_from_path(path),
        chapters=chapters,
        author=", ".join(package.authors) or None,
        language=package.language or next((t.lang for t in spine.texts if t.lang), None) or "en",
        source=path,
        cover=package.cover,
    )


def _navigation(package: Package, spine: Spine) -> tuple[list[TocEntry], list[Landmark]]:
    """The toc (nav, else NCX) pruned to entries that point into the spine, and all landmarks."""
    toc: list[TocEntry] = []
    landmarks = guide_landmarks(package.guide)
    if package.nav is not None:
        try:
            toc, nav_landmarks = parse_nav(package.nav.data, package.nav.href)
            landmarks += nav_landmarks
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            toc = []  # a broken nav: fall back to the NCX, then to the spine
    toc = _prune(toc, spine)
    if not toc and package.ncx is not None:
        try:
            toc = _prune(parse_ncx(package.ncx.data, package.ncx.href), spine)
        except (etree.XMLSyntaxError, ValueError):
            toc = []
    return toc, [lm for lm in landmarks if spine.has(lm.href)]


def _prune(entries: list[TocEntry], spine: Spine) -> list[TocEntry]:
    """Entries without a target in the spine (an author's name grouping stories) give way to their children."""
    out: list[TocEntry] = []
    for entry in entries:
        children = _prune(entry.children, spine)
        if spine.has(entry.href):
            out.append(TocEntry(entry.title, entry.href, children, entry.children_hidden))
        else:
            out.extend(children)
    return out


def _select(entries: list[TocEntry], spine: Spine) -> list[_Cut]:
    """The chapter-level entries of a (nested) toc, as cuts; see LEAD_MAX_CHARS."""
    expand = _expands(entries, spine)
    cuts: list[_Cut] = []
    for entry in entries:
        cut = _entry_cut(entry, spine)
        inner = _select(entry.children, spine) if expand and not entry.children_hidden else []
        if cut is not None and (not inner or spine.chars(cut.position, inner[0].position) > LEAD_MAX_CHARS):
            cuts.append(cut)
        elif cut is not None:  # the entry's heading opens its first sub-entry's chapter
            inner[0] = _Cut(min(cut.position, inner[0].position), inner[0].title, inner[0].types)
        cuts.extend(inner)
    return cuts


def _entry_cut(entry: TocEntry, spine: Spine) -> _Cut | None:
    """Where an entry's chapter starts; None when its document has no text (an image title page)."""
    if entry.href is None or not spine.has_text(entry.href):
        return None
    return _Cut(spine.position(entry.href), entry.title, spine.types_at(entry.href))


def _expands(entries: list[TocEntry], spine: Spine) -> bool:
    """Whether this level's entries are containers whose sub-entries are the real chapters."""
    parents = [e for e in entries if e.children and not e.children_hidden]
    if not parents:
        return False
    if len(entries) == 1:
        return True  # the whole book under one entry: a collection or the work's own title
    leads = [spine.chars(spine.position(e.href), spine.position(e.children[0].href)) for e in parents]
    return sum(lead <= LEAD_MAX_CHARS for lead in leads) * 2 > len(parents)


def _cuts(
    selected: list[_Cut],
    spine: Spine,
    toc: list[TocEntry],
    marks: dict[int, list[Landmark]],
    book_title: str | None,
) -> list[_Cut]:
    """The toc's cuts in reading order, plus cuts for spine documents that stand alone."""
    referenced = {e.href.partition("#")[0] for e in _walk(toc) if e.href}
    by_position: dict[int, _Cut] = {}
    for cut in sorted(selected, key=lambda c: c.position):
        by_position.setdefault(cut.position, cut)
    first = min(by_position, default=len(spine.blocks))
    for i, href in enumerate(spine.hrefs):
        start, text = spine.offsets[i], spine.texts[i]
        if not text.blocks or start in by_position:
            continue
        unlinked = href not in referenced
        if start < first or (unlinked and (not spine.linear[i] or _stands_alone(text.lead_types, text.blocks))):
            named = [lm.title for lm in marks.get(start, []) if lm.kind != "bodymatter" and lm.title]
            title = _document_title(text.blocks, named[0] if named else text.title, book_title)
            kind: _epub_matter.Kind = "matter" if unlinked and not spine.linear[i] else None
            by_position[start] = _Cut(start, title, text.lead_types, kind)
    return [by_position[p] for p in sorted(by_position)]


def _stands_alone(lead_types: frozenset[str], blocks: list[Block]) -> bool:
    return bool(lead_types) or (blocks[0].is_heading and blocks[0].level <= 2)


def _document_title(blocks: list[Block], fallback: str | None, book_title: str | None) -> str:
    """A heading among the first blocks, else the landmark's or the page's title."""
    for block in blocks[:TITLE_SEARCH_BLOCKS]:
        if block.is_heading:
            return block.text
    return fallback or book_title or "Untitled"


def _walk(entries: list[TocEntry]) -> Iterator[TocEntry]:
    for entry in entries:
        yield entry
        yield from _walk(entry.children)


@dataclass
class _Piece:
    title: str
    paragraphs: tuple[str, ...]
    kind: _epub_matter.Kind
    bare: bool  # only headings: a part-title page, or an empty colophon


def _chapters(
    cuts: list[_Cut], spine: Spine, marks: dict[int, list[Landmark]], book_title: str | None
) -> tuple[Chapter, ...]:
    """Chapters between consecutive cuts, with their front/back/body roles decided together."""
    pieces: list[_Piece] = []
    ends = [c.position for c in cuts[1:]] + [len(spine.blocks)]
    for cut, end in zip(cuts, ends):
        blocks = spine.blocks[cut.position : end]
        if not blocks:
            continue
        title, paragraphs = _titled(blocks, cut.title)
        types = cut.types | {lm.kind for lm in marks.get(cut.position, [])}
        kind = cut.kind or _epub_matter.classify(types, title, book_title, sum(map(len, paragraphs)))
        pieces.append(_Piece(title, paragraphs, kind, all(b.is_heading for b in blocks)))
    pieces = _merge_bare(pieces)
    roles = _epub_matter.roles([p.kind for p in pieces])
    return tuple(Chapter(p.title, p.paragraphs, role) for p, role in zip(pieces, roles))


def _merge_bare(pieces: list[_Piece]) -> list[_Piece]:
    """A heading-only narrative piece (a part title) opens the next chapter; heading-only matter
    (a blank colophon, a contents page whose list is navigation) has nothing to read and goes."""
    out: list[_Piece] = []
    pending: tuple[str, ...] = ()
    for piece in pieces:
        if piece.bare and piece.kind not in ("body", None):
            continue
        if piece.bare:
            pending += piece.paragraphs
            continue
        out.append(_Piece(piece.title, pending + piece.paragraphs, piece.kind, False))
        pending = ()
    if pending and out:
        last = out[-1]
        out[-1] = _Piece(last.title, last.paragraphs + pending, last.kind, False)
    elif pending:
        out.append(_Piece(pieces[-1].title, pending, "body", False))
    return out


def _titled(blocks: list[Block], title: str) -> tuple[str, tuple[str, ...]]:
    """The chapter's title and paragraphs; every block's text stays, headings included.

    An opening heading that says more than the toc's title ("Chapter 1. Dawn" for "Chapter 1")
    becomes the title.
    """
    wanted = _words(title)
    for block in blocks:
        if not block.is_heading:
            break
        heading = _words(block.text)
        if wanted in heading and len(heading) > len(wanted):
            title, wanted = block.text, heading
    return title, tuple(b.text for b in blocks)


def _words(text: str) -> str:
    """Lower-case words with spaces around, so that 'in' tests whole words: ' chapter 1 loomings '."""
    return " " + " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split()) + " "
