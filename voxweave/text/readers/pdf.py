"""PDF documents: text per page, running headers and page numbers removed, paragraphs rebuilt;
chapters from the outline (bookmarks) when there is one, else a single chapter.

Password-protected PDFs are refused unless they open with the empty password.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, PdfReadError

from voxweave.errors import IngestError
from voxweave.text.document import Chapter, Document
from voxweave.text.readers import _pdf_text
from voxweave.text.readers._text import Hyphenation, clean, title_from_path

# Metadata titles that name a file or a template rather than the document.
_JUNK_TITLE = re.compile(r"^(?:untitled|microsoft word - .*|.*\.(?:docx?|odt|rtf|txt|pdf|indd|tex))$", re.IGNORECASE)


# What pypdf raises on a malformed outline or destination.
_OUTLINE_ERRORS = (PdfReadError, KeyError, ValueError, TypeError, AttributeError, IndexError)


@dataclass(frozen=True)
class _Cut:
    """A chapter's start: the index of its first line in the document's run of lines."""

    line: int
    title: str


@dataclass
class _Bookmark:
    title: str
    page: int | None  # None: it points nowhere in this document
    children: list[_Bookmark] = field(default_factory=list)


def read(data: bytes, path: Path) -> Document:
    """Reads a PDF's text layer; a scanned PDF without one yields no text."""
    reader = _open(data, path)
    pages = _pdf_text.strip_running_lines([_page_lines(reader, i, path) for i in range(len(reader.pages))])
    pages = [_pdf_text.lay_out(page) for page in pages]
    title = _metadata(reader, "/Title") or title_from_path(path)
    cuts = _outline_cuts(reader, pages)
    if not cuts or cuts[0].line > 0:
        cuts.insert(0, _Cut(0, title))
    return Document(
        title=title,
        chapters=_chapters([line for page in pages for line in page], cuts),
        author=_metadata(reader, "/Author"),
        language=_language(reader) or "en",
        source=path,
    )


def _chapters(lines: list[_pdf_text.Line], cuts: list[_Cut]) -> tuple[Chapter, ...]:
    """Chapters between the cuts of one run of lines: paragraphs flow across pages."""
    usual = _pdf_text.usual_length(lines)
    hyphenation = Hyphenation("\n".join(line.text for line in lines), undo_by_default=True)
    ends = [c.line for c in cuts[1:]] + [len(lines)]
    chapters = []
    for cut, end in zip(cuts, ends):
        paragraphs = _pdf_text.paragraphs(lines[cut.line : end], usual, hyphenation)
        if paragraphs:
            chapters.append(Chapter(cut.title, tuple(paragraphs)))
    return tuple(chapters)


def _open(data: bytes, path: Path) -> PdfReader:
    """A reader for the PDF, decrypted when it opens with the empty password."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError as e:  # AES needs the 'cryptography' package
            raise IngestError(path, f"this PDF is encrypted in a way this installation cannot open ({e})") from e
        except (PdfReadError, NotImplementedError, ValueError) as e:
            raise IngestError(path, "this PDF is encrypted and cannot be opened") from e
        if opened == PasswordType.NOT_DECRYPTED:
            raise IngestError(path, "this PDF is protected by a password; remove the password and try again")
    return reader


def _page_lines(reader: PdfReader, index: int, path: Path) -> list[_pdf_text.Line]:
    """A page's lines, each with where it sits on the page when pypdf tells."""
    fragments: list[tuple[str, float, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        x, y = tm[4], tm[5]  # the text matrix's origin, mapped through the current matrix
        scale = abs(tm[3] or 1) * abs(cm[3] or 1)
        fragments.append((text, x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5], size * scale))

    try:
        text = reader.pages[index].extract_text(visitor_text=visit) or ""
    except Exception as e:  # pypdf fails in many ways on a damaged page; none may pass silently
        raise IngestError(path, f"page {index + 1} of this PDF cannot be read ({e})") from e
    if "".join(f[0] for f in fragments) != text:
        return [_pdf_text.Line(line) for line in text.splitlines()]
    return _placed(fragments)


def _placed(fragments: list[tuple[str, float, float, float]]) -> list[_pdf_text.Line]:
    """Lines from pypdf's text fragments, each placed where its first visible fragment is."""
    lines: list[_pdf_text.Line] = []
    parts: list[str] = []
    where: tuple[float, float, float] | None = None
    for text, x, y, size in fragments:
        pieces = text.split("\n")
        for n, piece in enumerate(pieces):
            if n > 0:
                lines.append(_line(parts, where))
                parts, where = [], None
            parts.append(piece)
            if where is None and piece.strip():
                where = (x, y, size)
    lines.append(_line(parts, where))
    return lines


def _line(parts: list[str], where: tuple[float, float, float] | None) -> _pdf_text.Line:
    if where is None:  # a blank line: its place does not matter
        return _pdf_text.Line("".join(parts))
    return _pdf_text.Line("".join(parts), x=where[0], y=where[1], size=where[2])


def _outline_cuts(reader: PdfReader, pages: list[list[_pdf_text.Line]]) -> list[_Cut]:
    """Chapter starts from the top level of the outline (its children when it has one entry)."""
    try:
        bookmarks = _bookmarks(reader, reader.outline)
    except _OUTLINE_ERRORS:
        return []  # a broken outline: the document is still readable as one chapter
    while len(bookmarks) == 1 and bookmarks[0].children:
        root, first = bookmarks[0], bookmarks[0].children[0]
        # the root keeps a chapter of its own only for pages before its first child's (a preface)
        own = root.page is not None and first.page is not None and root.page < first.page
        bookmarks = ([_Bookmark(root.title, root.page)] if own else []) + root.children
    starts = [0, *accumulate(len(page) for page in pages)]
    cuts: dict[int, _Cut] = {}
    for mark in sorted((b for b in bookmarks if b.page is not None), key=lambda b: b.page):
        line = starts[mark.page] + _title_line(pages[mark.page], mark.title)
        cuts.setdefault(line, _Cut(line, mark.title))
    return [cuts[k] for k in sorted(cuts)]


def _bookmarks(reader: PdfReader, items: list) -> list[_Bookmark]:
    """One outline level; pypdf gives an entry's children as the list that follows it."""
    out: list[_Bookmark] = []
    for item in items:
        if isinstance(item, list):
            if out:
                out[-1].children.extend(_bookmarks(reader, item))
            continue
        try:
            page = reader.get_destination_page_number(item)
        except _OUTLINE_ERRORS:
            page = None
        valid = page is not None and 0 <= page < len(reader.pages)
        out.append(_Bookmark(clean(str(item.title or "")) or "Untitled", page if valid else None))
    return out


def _title_line(lines: list[_pdf_text.Line], title: str) -> int:
    """Index of the line where a chapter's title is printed on its first page (0 if not found)."""
    wanted = _pdf_text.normalise(title)
    for i, line in enumerate(lines):
        text = _pdf_text.normalise(line.text)
        if len(text) >= 3 and (text == wanted or wanted.startswith(text + " ") or text.startswith(wanted)):
            return i
    return 0


def _metadata(reader: PdfReader, key: str) -> str | None:
    try:
        value = clean(str((reader.metadata or {}).get(key) or ""))
    except (PdfReadError, KeyError, ValueError, TypeError):
        return None
    return value if value and not _JUNK_TITLE.match(value) else None


def _language(reader: PdfReader) -> str | None:
    try:
        value = reader.trailer["/Root"].get("/Lang")
    except (PdfReadError, KeyError, ValueError, TypeError, AttributeError):
        return None
    return (clean(str(value)) or None) if value else None
