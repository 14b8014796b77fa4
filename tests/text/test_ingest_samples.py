"""The real books in the shared samples folder; skipped where the folder is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxweave.text.ingest import read_document

SAMPLES = Path("/work/shared/samples")


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample {name} is not available")
    return path


def test_childrens_literature_gives_its_stories_from_anchors_in_one_file():
    doc = read_document(sample("childrens-literature.epub"))
    body = [c.title for c in doc.chapters if c.role == "body"]
    assert doc.title == "Children's Literature"
    assert "Charles Madison Curry" in (doc.author or "")
    assert [c.title for c in doc.chapters if c.role == "front"] == ["BIBLIOGRAPHY"]
    assert body[0] == "INTRODUCTORY"
    assert body[1:4] == ["190 A FOUR-LEAVED CLOVER", "191 THE LORD HELPETH MAN AND BEAST", "192 THE REAL PRINCESS"]
    assert body[-1] == "204 THE KING OF THE GOLDEN RIVER OR THE BLACK BROTHERS"
    assert len(body) == 16
    assert all(c.char_count > 3000 for c in doc.chapters if c.role == "body")
    assert doc.cover is not None
    # page numbers (epub:type="pagebreak") must not leak into the text: the only numbers standing
    # alone are the selections' own headings ("192"), opening their chapters
    numbers = [(c.title, i) for c in doc.chapters for i, p in enumerate(c.paragraphs) if p.isdigit()]
    assert numbers == [(title, 0) for title in body[1:]]


def test_moby_dick_gives_its_chapters():
    doc = read_document(sample("moby-dick.epub"))
    body = [c.title for c in doc.chapters if c.role == "body"]
    assert len(body) == 136
    assert body[0] == "Chapter 1. Loomings."
    assert body[-1] == "Epilogue"
    assert doc.chapters[0].role == "front"
    first = next(c for c in doc.chapters if c.title == "Chapter 1. Loomings.")
    assert first.paragraphs[0] == "Chapter 1. Loomings."
    assert first.paragraphs[1].startswith("Call me Ishmael.")
    assert doc.chapters[-1].title == "Copyright Page" and doc.chapters[-1].role == "front"


def test_accessible_epub_3_gives_preface_and_four_chapters():
    doc = read_document(sample("accessible_epub_3.epub"))
    body = [c.title for c in doc.chapters if c.role == "body"]
    assert body == [
        "Preface",
        "Chapter 1. Introduction",
        "Chapter 2. Building a Better EPUB: Fundamental Accessibility",
        "Chapter 3. It’s Alive: Rich Content Accessibility",
        "Chapter 4. Conclusion",
    ]
