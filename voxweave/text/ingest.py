"""Reads a document of any supported kind into the Document model.

The file's suffix picks the reader; its first bytes must agree with the suffix (a PNG named .pdf,
binary junk named .txt are refused). Every failure is an IngestError that names the file and the
problem: unreadable, damaged, empty, encrypted, unsupported, or not what its name says.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voxweave.errors import IngestError
from voxweave.text.document import Document
from voxweave.text.readers import epub, html, markdown, pdf, plain
from voxweave.text.readers.sniff import EPUB, PDF, TEXT, sniff

Reader = Callable[[bytes, Path], Document]

#: suffix -> (reader, the kind its bytes must be, what the user expects it to be)
_READERS: dict[str, tuple[Reader, str, str]] = {
    ".txt": (plain.read, TEXT, "a text file"),
    ".md": (markdown.read, TEXT, "a Markdown file"),
    ".markdown": (markdown.read, TEXT, "a Markdown file"),
    ".html": (html.read, TEXT, "an HTML page"),
    ".htm": (html.read, TEXT, "an HTML page"),
    ".xhtml": (html.read, TEXT, "an XHTML page"),
    ".epub": (epub.read, EPUB, "an EPUB book"),
    ".pdf": (pdf.read, PDF, "a PDF document"),
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_READERS)


def read_document(path: Path | str, *, data: bytes | None = None) -> Document:
    """Reads `path`, or `data` when given (an upload; `path` then only names it)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise IngestError(path, f"unsupported file type '{suffix or path.name}' (supported: {supported})")
    reader, expected, described = _READERS[suffix]
    if data is None:
        data = _read_bytes(path)
    if not data.strip():
        raise IngestError(path, "the file is empty")
    actual = sniff(data)
    if actual != expected:
        found = "text or unknown data" if actual == TEXT else actual
        raise IngestError(path, f"this is not {described} as its name says: it holds {found}")
    document = _run(reader, data, path)
    if not any(chapter.paragraphs for chapter in document.chapters):
        raise IngestError(path, _no_text(suffix))
    return document


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise IngestError(path, "the file does not exist") from e
    except IsADirectoryError as e:
        raise IngestError(path, "this is a folder, not a file") from e
    except OSError as e:
        raise IngestError(path, f"the file cannot be read ({e.strerror or e})") from e


def _run(reader: Reader, data: bytes, path: Path) -> Document:
    try:
        return reader(data, path)
    except IngestError:
        raise
    except Exception as e:  # parsers of PDF, EPUB and HTML raise many kinds of error on damaged input
        raise IngestError(path, f"the file is damaged and cannot be read ({type(e).__name__}: {e})") from e


def _no_text(suffix: str) -> str:
    if suffix == ".pdf":
        return "no text found: the PDF may hold scanned images without a text layer"
    return "no text found in the file"

