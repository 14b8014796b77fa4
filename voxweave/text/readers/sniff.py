"""Recognises what a file really is from its first bytes, whatever its name says."""

from __future__ import annotations

import io
import zipfile
import zlib

#: (magic bytes, offset, kind): kinds of files people upload by mistake, named for the user.
#: Only signatures that plain text practically never starts with.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", 0, "a PNG image"),
    (b"\xff\xd8\xff", 0, "a JPEG image"),
    (b"GIF87a", 0, "a GIF image"),
    (b"GIF89a", 0, "a GIF image"),
    (b"RIFF", 0, "a RIFF media file (WAV, WebP or AVI)"),
    (b"OggS", 0, "an Ogg media file"),
    (b"fLaC", 0, "a FLAC audio file"),
    (b"ftyp", 4, "an MP4 media file"),
    (b"\x1f\x8b", 0, "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", 0, "a 7-Zip archive"),
    (b"Rar!", 0, "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "a Microsoft Office (legacy) document"),
    (b"{\\rtf", 0, "an RTF document"),
    (b"\x7fELF", 0, "a program (ELF executable)"),
)
#: Bytes before "%PDF-" that readers tolerate (some writers prepend junk or a BOM).
_PDF_SEARCH = 1024

#: What reading a damaged ZIP archive raises (unsupported versions and methods, encrypted members).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    KeyError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    zlib.error,
)

EPUB = "an EPUB book"
PDF = "a PDF document"
TEXT = "text"


def sniff(data: bytes) -> str:
    """The kind of `data`: EPUB, PDF, TEXT, or a name such as "a PNG image" or "a ZIP archive"."""
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if b"%PDF-" in data[:_PDF_SEARCH]:
        return PDF
    for magic, offset, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return kind
    return TEXT


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == b"application/epub+zip":
                return EPUB
            if "META-INF/container.xml" in names:
                return EPUB
            if "word/document.xml" in names:
                return "a Word document (.docx)"
            if "content.xml" in names:
                return "an OpenDocument file"
    except ZIP_ERRORS:
        # A damaged archive: let the EPUB reader say what is wrong with it.
        return EPUB
    return "a ZIP archive"
