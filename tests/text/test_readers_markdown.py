"""Markdown: rendered to plain text, # and ## start chapters."""

from __future__ import annotations

from pathlib import Path

from voxweave.text.readers import markdown


def read(text: str, name: str = "notes.md"):
    return markdown.read(text.encode("utf-8"), Path(name))


def test_markup_is_not_read_aloud():
    doc = read(
        "Some *emphasis*, **strong**, `code`, ~~gone~~ and a [link](http://example.com) "
        "with ![a picture](pic.png) inside.\nA soft break.\n"
    )
    assert doc.chapters[0].paragraphs == (
        "Some emphasis, strong, code, gone and a link with inside. A soft break.",
    )


def test_headings_start_chapters_and_deeper_headings_stay_as_text():
    doc = read("# One\n\nFirst.\n\n### A note\n\nMore.\n\n## Two\n\nSecond.\n")
    assert [(c.title, c.paragraphs) for c in doc.chapters] == [
        ("One", ("One", "First.", "A note", "More.")),
        ("Two", ("Two", "Second.")),
    ]


def test_a_lone_top_heading_is_the_title_and_part_headings_open_the_next_chapter():
    doc = read("# The Book\n\n## Part One\n\n## Chapter 1\n\nText.\n\n## Chapter 2\n\nMore.\n")
    assert doc.title == "The Book"
    assert [(c.title, c.paragraphs) for c in doc.chapters] == [
        ("Chapter 1", ("The Book", "Part One", "Chapter 1", "Text.")),
        ("Chapter 2", ("Chapter 2", "More.")),
    ]


def test_lists_quotes_code_and_tables_are_kept_as_text():
    doc = read(
        "- first item\n- second item\n\n> quoted words\n\n```python\nprint('hi')\n```\n\n"
        "| Name | Age |\n|------|-----|\n| Ann | 7 |\n\n<div>raw <b>html</b></div>\n"
    )
    assert doc.chapters[0].paragraphs == (
        "first item",
        "second item",
        "quoted words",
        "print('hi')",
        "Name, Age",
        "Ann, 7",
        "raw html",
    )


def test_front_matter_gives_title_and_author():
    doc = read('---\ntitle: "Fables"\nauthor: Aesop\nlang: en\n---\n\nA fox.\n')
    assert (doc.title, doc.author) == ("Fables", "Aesop")
    assert doc.chapters[0].paragraphs == ("A fox.",)


def test_without_headings_the_title_comes_from_the_file_name():
    doc = read("Just text.\n", name="draft_notes.markdown")
    assert [c.title for c in doc.chapters] == ["draft notes"]
