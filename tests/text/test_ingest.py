"""The public entry point: suffixes, uploads, sniffing, and a typed error for every bad input."""

from __future__ import annotations

import os
import zipfile

import pytest

from tests.text.conftest import EpubSpec, PdfPage, write_pdf
from voxweave.errors import IngestError
from voxweave.text.document import Document
from voxweave.text.ingest import SUPPORTED_SUFFIXES, read_document

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def test_supported_suffixes():
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub", ".pdf")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.txt", b"Hello there."),
        ("a.md", b"# Hi\n\nHello there."),
        ("a.markdown", b"Hello there."),
        ("a.html", b"<p>Hello there.</p>"),
        ("a.htm", b"<p>Hello there.</p>"),
        ("a.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hello there.</p></body></html>'),
        ("A.TXT", b"Hello there."),
    ],
)
def test_text_formats_read_from_uploaded_bytes(name, data):
    doc = read_document(name, data=data)
    assert isinstance(doc, Document)
    assert doc.chapters[-1].paragraphs[-1] == "Hello there."
    assert doc.source is not None and doc.source.name == name


def test_reads_from_disk(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("On disk.", encoding="utf-8")
    assert read_document(str(path)).chapters[0].paragraphs == ("On disk.",)


def test_epub_and_pdf_from_bytes(make_epub):
    book = make_epub(EpubSpec(docs=[("a.xhtml", "<p>In a book.</p>")], nav='<nav epub:type="toc"><ol></ol></nav>'))
    assert read_document("upload.epub", data=book.read_bytes()).chapters[0].paragraphs == ("In a book.",)
    pdf = write_pdf([PdfPage(["In a PDF."])])
    assert read_document("upload.pdf", data=pdf).chapters[0].paragraphs == ("In a PDF.",)


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b" \n\t\n ", "empty"),
        ("junk.txt", os.urandom(4096), "binary"),
        ("picture.pdf", PNG, "not a PDF document as its name says: it holds a PNG image"),
        ("book.epub", b"just some text", "not an EPUB book"),
        ("paper.txt", b"%PDF-1.7\n...", "not a text file as its name says: it holds a PDF document"),
        ("scripts.html", b"<script>alert(1)</script><style>p{}</style>", "no text found"),
        ("report.docx", b"PK\x03\x04", "unsupported file type '.docx'"),
        ("README", b"text", "unsupported file type 'README'"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj <<", "damaged"),
        ("broken.epub", b"PK\x03\x04" + os.urandom(200), "damaged"),
    ],
)
def test_bad_input_raises_a_typed_error_naming_the_problem(name, data, problem):
    with pytest.raises(IngestError, match=problem) as info:
        read_document(name, data=data)
    assert info.value.path is not None and info.value.path.name == name
    assert str(info.value).startswith(f"{name}: ")


def test_damage_is_chained_to_its_cause():
    with pytest.raises(IngestError) as info:
        read_document("broken.pdf", data=b"%PDF-1.4\n1 0 obj <<")
    assert info.value.__cause__ is not None


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        read_document(tmp_path / "nope.txt")
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    with pytest.raises(IngestError, match="folder"):
        read_document(folder)


def test_a_pdf_without_a_text_layer_is_refused_with_a_hint():
    with pytest.raises(IngestError, match="scanned"):
        read_document("scan.pdf", data=write_pdf([PdfPage([])]))


def test_an_epub_that_is_a_word_document_is_named(tmp_path):
    path = tmp_path / "letter.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(IngestError, match="Word document"):
        read_document(path)
