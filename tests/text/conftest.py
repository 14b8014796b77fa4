"""Builders for documents the ingestion tests read: EPUBs (ebooklib) and PDFs (fpdf2), made in tmp dirs."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

XHTML = (
    '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
    "<head><title>{title}</title></head><body>{body}</body></html>"
)


@dataclass
class EpubSpec:
    """What to put in a test EPUB. `docs` are (file name, body markup) in spine order."""

    docs: list[tuple[str, str]]
    nav: str | None = None  # the nav document's body markup (EPUB 3); None: no nav
    ncx_toc: list | None = None  # an ebooklib toc written as an NCX (EPUB 2 style)
    title: str = "A Test Book"
    authors: list[str] = field(default_factory=lambda: ["Ann Author"])
    language: str = "en"
    cover: bytes | None = None
    nav_in_spine: bool = False
    extra_files: dict[str, bytes] = field(default_factory=dict)  # added to the zip as they are


def write_epub(spec: EpubSpec, path: Path) -> Path:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title(spec.title)
    book.set_language(spec.language)
    for author in spec.authors:
        book.add_author(author)
    if spec.cover is not None:
        book.set_cover("cover.png", spec.cover, create_page=False)
    items = {}
    for name, body in spec.docs:
        item = epub.EpubHtml(title=name, file_name=name)
        item.content = XHTML.format(title=name, body=body)
        book.add_item(item)
        items[name] = item
    spine = [items[name] for name, _ in spec.docs]
    if spec.nav is not None:
        nav = epub.EpubHtml(title="Contents", file_name="nav.xhtml")
        nav.properties = ["nav"]
        nav.content = XHTML.format(title="Contents", body=spec.nav)
        book.add_item(nav)
        if spec.nav_in_spine:
            spine.insert(0, nav)
    if spec.ncx_toc is not None:
        book.toc = spec.ncx_toc
        book.add_item(epub.EpubNcx())
    book.spine = spine
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        epub.write_epub(str(path), book, {"raise_exceptions": True})
    if spec.extra_files:
        _add_to_zip(path, spec.extra_files)
    return path


def _add_to_zip(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "a") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


@pytest.fixture
def make_epub(tmp_path) -> Callable[..., Path]:
    def make(spec: EpubSpec, name: str = "book.epub") -> Path:
        return write_epub(spec, tmp_path / name)

    return make


@dataclass
class PdfPage:
    lines: list[str]  # each entry is one multi_cell: wrapped by fpdf, "\n" forces a line break
    bookmarks: list[tuple[str, int]] = field(default_factory=list)  # outline (title, level) atop the page


def write_pdf(
    pages: list[PdfPage], *, header: str | None = None, page_numbers: bool = False, title: str | None = None
) -> bytes:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (a test dependency) makes the test PDFs")

    class _Pdf(fpdf.FPDF):
        def header(self) -> None:
            if header:
                self.set_font("Helvetica", size=9)
                self.cell(0, 5, header, align="C")
                self.ln(10)
                self.set_font("Helvetica", size=12)

        def footer(self) -> None:
            if page_numbers:
                self.set_y(-15)
                self.set_font("Helvetica", size=9)
                self.cell(0, 5, str(self.page_no()), align="C")

    pdf = _Pdf()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for page in pages:
        pdf.add_page()
        for name, level in page.bookmarks:
            pdf.start_section(name, level=level)
        for text in page.lines:
            pdf.multi_cell(0, 6, text)
            pdf.ln(4)
    return bytes(pdf.output())


def encrypt_pdf(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    # RC4 needs no extra package; reading AES-encrypted PDFs needs 'cryptography', as pypdf does
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
