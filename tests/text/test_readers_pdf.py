"""PDF: running headers and page numbers out, hyphenation undone, outline chapters, encryption."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.text.conftest import PdfPage, encrypt_pdf, write_pdf
from voxweave.errors import IngestError
from voxweave.text.readers import pdf

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa".split()


def prose(seed: int, words: int = 40) -> str:
    """A sentence of varied words, different for every seed: nothing repeats across pages by chance."""
    picked = [WORDS[(seed * 7 + i * (seed % 5 + 1)) % len(WORDS)] for i in range(words)]
    return f"Paragraph {seed} says " + " ".join(picked) + "."


def read(data: bytes, name: str = "doc.pdf"):
    return pdf.read(data, Path(name))


def test_header_page_numbers_and_hyphenation_are_cleaned():
    pages = [PdfPage([prose(10 * p + i) for i in range(3)]) for p in range(4)]
    pages[1].lines.append("The end of the narra-\ntion is here.")
    doc = read(write_pdf(pages, header="A Book of Tests", page_numbers=True))
    text = [p for c in doc.chapters for p in c.paragraphs]
    expected = [prose(10 * p + i) for p in range(4) for i in range(3)]
    expected.insert(6, "The end of the narration is here.")
    assert text == expected


def test_outline_gives_chapters_and_their_titles():
    pages = [
        PdfPage(["Title page words."]),
        PdfPage(["Chapter One", prose(1), prose(2)], bookmarks=[("Chapter One", 0)]),
        PdfPage([prose(3)]),
        PdfPage(["Chapter Two", prose(4)], bookmarks=[("Chapter Two", 0)]),
    ]
    doc = read(write_pdf(pages, title="Testing Book"))
    assert doc.title == "Testing Book"
    assert [(c.title, c.paragraphs) for c in doc.chapters] == [
        ("Testing Book", ("Title page words.",)),
        ("Chapter One", ("Chapter One", prose(1), prose(2), prose(3))),
        ("Chapter Two", ("Chapter Two", prose(4))),
    ]


def test_a_single_root_bookmark_gives_way_to_its_children():
    pages = [
        PdfPage(["Chapter One", prose(1)], bookmarks=[("The Book", 0), ("Chapter One", 1)]),
        PdfPage(["Chapter Two", prose(2)], bookmarks=[("Chapter Two", 1)]),
    ]
    assert [(c.title, c.paragraphs) for c in read(write_pdf(pages)).chapters] == [
        ("Chapter One", ("Chapter One", prose(1))),
        ("Chapter Two", ("Chapter Two", prose(2))),
    ]


def test_without_an_outline_one_chapter_titled_from_the_file_name():
    doc = read(write_pdf([PdfPage([prose(1)])]), name="annual_report.pdf")
    assert [(c.title, c.paragraphs) for c in doc.chapters] == [("annual report", (prose(1),))]


def test_chapter_headings_atop_pages_are_not_taken_for_running_headers():
    pages = [PdfPage([f"Chapter {n}", prose(n)]) for n in range(1, 4)]
    doc = read(write_pdf(pages))
    assert doc.chapters[0].paragraphs == tuple(x for n in range(1, 4) for x in (f"Chapter {n}", prose(n)))


def test_password_protected_pdf_is_refused():
    data = encrypt_pdf(write_pdf([PdfPage([prose(1)])]), user_password="secret")
    with pytest.raises(IngestError, match="password"):
        read(data)


def test_pdf_encrypted_with_an_empty_password_is_read():
    data = encrypt_pdf(write_pdf([PdfPage([prose(1)])]), user_password="")
    assert read(data).chapters[0].paragraphs == (prose(1),)


def test_a_pdf_without_text_gives_no_chapters():
    assert read(write_pdf([PdfPage([])])).chapters == ()


def test_paragraphs_flow_across_pages_and_end_at_gaps_and_indents():
    long_text = " ".join(prose(n) for n in range(1, 30))  # one paragraph over two pages
    doc = read(write_pdf([PdfPage([long_text, prose(50)])], header="Running Head", page_numbers=True))
    assert doc.chapters[0].paragraphs == (long_text, prose(50))


def test_layout_marks_gaps_and_first_line_indents():
    from voxweave.text.readers._pdf_text import Line, lay_out

    lines = [
        Line("first line of a paragraph that runs on", x=72, y=700, size=12),
        Line("and ends here.", x=72, y=686, size=12),
        Line("An indented start", x=90, y=672, size=12),
        Line("continues at the margin", x=72, y=658, size=12),
        Line(""),
        Line("After a gap", x=72, y=620, size=12),
    ]
    assert [line.starts_paragraph for line in lay_out(lines)] == [False, False, True, False, False, True]
