"""Opens an EPUB: refuses DRM, reads the package with ebooklib, and hands out what the reader needs.

All paths handed out are relative to the package (OPF) folder, URL-decoded and normalised, so that
spine items, navigation targets and landmarks compare equal.
"""

from __future__ import annotations

import io
import posixpath
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import ebooklib
from ebooklib import epub
from lxml import etree

from voxweave.errors import IngestError
from voxweave.text.readers._text import clean
from voxweave.text.readers.sniff import ZIP_ERRORS

_XENC = "{http://www.w3.org/2001/04/xmlenc#}"
# Font obfuscation (IDPF and Adobe) scrambles embedded fonts only; the text stays readable.
_FONT_OBFUSCATION = frozenset({"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"})
_FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2", ".eot")
_DOCUMENT_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/x-dtbook+xml"})
_OPF_ROLE = "{http://www.idpf.org/2007/opf}role"
#: A book unpacking to more than this is refused: ebooklib holds every file in memory.
MAX_UNPACKED_BYTES = 1 << 30
# What ebooklib and the XML layers below it raise on a malformed package.
_PACKAGE_ERRORS = (*ZIP_ERRORS, epub.EpubException, etree.Error, IndexError, AttributeError, TypeError)


@dataclass(frozen=True)
class Resource:
    """One file of the book: its package-relative path and bytes."""

    href: str
    data: bytes
    linear: bool = True


@dataclass(frozen=True)
class Package:
    """What the reader needs of a book: metadata, cover, spine documents, navigation files."""

    title: str | None
    authors: tuple[str, ...]
    language: str | None
    cover: bytes | None
    spine: tuple[Resource, ...]
    nav: Resource | None
    ncx: Resource | None
    #: EPUB 2 guide references: (type, package-relative href with any #fragment, title)
    guide: tuple[tuple[str, str, str], ...] = field(default=())


def open_package(data: bytes, path: Path) -> Package:
    """Reads the package of an EPUB held in `data`; IngestError when damaged or DRM-protected."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise IngestError(path, "this EPUB unpacks to more than 1 GiB; it is refused as unsafe")
            _refuse_drm(archive, path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ebooklib warns about its own future defaults
            book = epub.read_epub(io.BytesIO(data), options={"ignore_ncx": True})
    except IngestError:
        raise
    except _PACKAGE_ERRORS as e:
        raise IngestError(path, f"this EPUB is damaged and cannot be read ({e})") from e
    return Package(
        title=_first(book, "title"),
        authors=_authors(book),
        language=_first(book, "language"),
        cover=_cover(book),
        spine=_spine(book),
        nav=_nav(book),
        ncx=_ncx(book),
        guide=tuple((g.get("type") or "", normalise(g.get("href") or ""), g.get("title") or "") for g in book.guide),
    )


def normalise(href: str, base: str = "") -> str:
    """A package-relative path for `href` written in the file at `base` (fragment kept)."""
    target, _, fragment = href.partition("#")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(target))) if target else base
    return f"{joined}#{fragment}" if fragment else joined


def _refuse_drm(archive: zipfile.ZipFile, path: Path) -> None:
    try:
        manifest = archive.read("META-INF/encryption.xml")
    except KeyError:
        return
    try:
        root = etree.fromstring(manifest)
    except etree.XMLSyntaxError as e:
        raise IngestError(path, "this EPUB declares encrypted content (DRM) and cannot be read") from e
    for encrypted in root.iter(f"{_XENC}EncryptedData"):
        method = encrypted.find(f"{_XENC}EncryptionMethod")
        reference = encrypted.find(f".//{_XENC}CipherReference")
        algorithm = method.get("Algorithm", "") if method is not None else ""
        uri = reference.get("URI", "") if reference is not None else ""
        if algorithm in _FONT_OBFUSCATION or uri.lower().endswith(_FONT_SUFFIXES):
            continue
        raise IngestError(path, "this EPUB is protected by DRM (its text is encrypted) and cannot be read")


def _first(book: epub.EpubBook, name: str) -> str | None:
    for value, _attrs in book.get_metadata("DC", name):
        if value and clean(value):
            return clean(value)
    return None


def _authors(book: epub.EpubBook) -> tuple[str, ...]:
    """Creators whose role is author (or unstated); all creators when none is marked author."""
    creators = [(clean(v or ""), attrs) for v, attrs in book.get_metadata("DC", "creator")]
    creators = [(name, attrs) for name, attrs in creators if name]
    roles = {}
    for value, attrs in book.get_metadata("OPF", None):
        if attrs.get("property") == "role" and attrs.get("refines", "").startswith("#"):
            roles[attrs["refines"][1:]] = clean(value or "")
    authors = [n for n, a in creators if (a.get(_OPF_ROLE) or roles.get(a.get("id", ""), "aut")) == "aut"]
    return tuple(authors or [n for n, _ in creators])


def _cover(book: epub.EpubBook) -> bytes | None:
    for item in book.get_items_of_type(ebooklib.ITEM_COVER):
        if item.content:
            return item.content
    for _value, attrs in book.get_metadata("OPF", "cover"):
        item = book.get_item_with_id(attrs.get("content", ""))
        if item is not None and item.get_type() == ebooklib.ITEM_IMAGE and item.content:
            return item.content
    return None


def _spine(book: epub.EpubBook) -> tuple[Resource, ...]:
    out = []
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or not _is_document(item):
            continue
        out.append(Resource(normalise(item.file_name), item.content or b"", linear != "no"))
    return tuple(out)


def _is_document(item: epub.EpubItem) -> bool:
    return isinstance(item, (epub.EpubHtml, epub.EpubNav)) or item.media_type in _DOCUMENT_TYPES


def _nav(book: epub.EpubBook) -> Resource | None:
    for item in book.get_items():
        if isinstance(item, epub.EpubNav) and item.content:
            return Resource(normalise(item.file_name), item.content)
    return None


def _ncx(book: epub.EpubBook) -> Resource | None:
    for item in book.get_items():
        if item.media_type == "application/x-dtbncx+xml" and item.content:
            return Resource(normalise(item.file_name), item.content)
    return None
