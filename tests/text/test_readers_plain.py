"""Plain text: encodings, paragraphs, chapter headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxweave.errors import IngestError
from voxweave.text.readers import plain

FRENCH = "Le café de la façade était déjà plein — naïve Zoë.\n\nSecond paragraphe, très court.\n"


def read(text: str | bytes, name: str = "story.txt"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return plain.read(data, Path(name))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"])
def test_common_encodings_decode_to_the_same_text(encoding):
    data = FRENCH.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # with its byte-order mark
    assert read(data).chapters[0].paragraphs == (
        "Le café de la façade était déjà plein — naïve Zoë.",
        "Second paragraphe, très court.",
    )


def test_latin1_without_the_dash_decodes():
    doc = read("Ça coûte 5 €? Non: déjà payé, garçon.\n".replace("€", "francs").encode("latin-1"))
    assert doc.chapters[0].paragraphs == ("Ça coûte 5 francs? Non: déjà payé, garçon.",)


def test_cyrillic_cp1251_decodes():
    text = "Привет, как дела? Это русский текст, и он довольно длинный.\n"
    assert read(text.encode("cp1251")).chapters[0].paragraphs == (text.strip(),)


def test_binary_junk_is_refused():
    with pytest.raises(IngestError, match="binary"):
        read(bytes(range(256)) * 20)


def test_wrapped_lines_join_and_blank_lines_split_paragraphs():
    doc = read(
        "It was a dark and stormy night; the rain fell in\n"
        "torrents, except at occasional intervals, when it was\n"
        "checked by a violent gust of wind which swept up the\n"
        "streets.\n"
        "\n"
        "  The second paragraph   has odd   spacing.\n"
    )
    assert doc.chapters[0].paragraphs == (
        "It was a dark and stormy night; the rain fell in torrents, except at occasional intervals, "
        "when it was checked by a violent gust of wind which swept up the streets.",
        "The second paragraph has odd spacing.",
    )


def test_line_end_hyphens_stay_unless_the_text_spells_the_word_without():
    doc = read(
        "A higgledy-\npiggledy narra-\ntion by Jean-\nPaul, a sub-\nsub librarian,\n"
        "whose narration went on across many lines.\n"
    )
    assert doc.chapters[0].paragraphs == (
        "A higgledy-piggledy narration by Jean-Paul, a sub-sub librarian, whose narration went on across many lines.",
    )


def test_one_line_per_paragraph_files_keep_each_line_a_paragraph():
    long_line = "This paragraph is written on one very long line without any wrapping at all. " * 4
    doc = read(f"{long_line}\n{long_line}\n{long_line}\n")
    assert len(doc.chapters[0].paragraphs) == 3


def test_without_headings_one_chapter_titled_from_the_file_name():
    doc = read("Just a little text.\n", name="my_short-story.txt")
    assert doc.title == "my short story"
    assert [c.title for c in doc.chapters] == ["my short story"]


def test_chapter_headings_start_chapters_and_text_before_them_is_kept():
    doc = read(
        "A note before the story.\n\n"
        "CHAPTER I\n\nIt began.\n\n"
        "Chapter 2: The Storm\n\nRain fell.\n\n"
        "CHAPTER III.\nThe End of It\n\nAll done.\n\n"
        "Chapter Twenty-One\n\nLate.\n\n"
        "Epilogue\n\nAfter.\n"
    )
    assert [(c.title, c.paragraphs) for c in doc.chapters] == [
        ("story", ("A note before the story.",)),
        ("CHAPTER I", ("CHAPTER I", "It began.")),
        ("Chapter 2: The Storm", ("Chapter 2: The Storm", "Rain fell.")),
        ("CHAPTER III. The End of It", ("CHAPTER III. The End of It", "All done.")),
        ("Chapter Twenty-One", ("Chapter Twenty-One", "Late.")),
        ("Epilogue", ("Epilogue", "After.")),
    ]


def test_prose_starting_like_a_heading_is_not_a_heading():
    doc = read("Part two of the plan was simple.\n\nChapter one ended, he thought.\n")
    assert len(doc.chapters) == 1
    assert doc.chapters[0].paragraphs == ("Part two of the plan was simple.", "Chapter one ended, he thought.")


def test_a_part_title_opens_the_chapter_after_it():
    doc = read("PART ONE\n\nCHAPTER 1\n\nText one.\n\nCHAPTER 2\n\nText two.\n")
    assert [(c.title, c.paragraphs) for c in doc.chapters] == [
        ("CHAPTER 1", ("PART ONE", "CHAPTER 1", "Text one.")),
        ("CHAPTER 2", ("CHAPTER 2", "Text two.")),
    ]


def test_a_table_of_contents_stays_as_text_before_the_first_chapter():
    doc = read("Contents\n\nChapter 1\n\nChapter 2\n\nChapter 3\n\nChapter 1\n\nOne.\n\nChapter 2\n\nTwo.\n")
    assert [c.title for c in doc.chapters] == ["story", "Chapter 1", "Chapter 2"]
    assert doc.chapters[0].paragraphs == ("Contents", "Chapter 1", "Chapter 2", "Chapter 3")


def test_project_gutenberg_header_and_licence_are_front_and_back_matter():
    doc = read(
        "The Project Gutenberg eBook of Tales\n\nTitle: Tales of Wonder\n\nAuthor: Ann Writer\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK TALES ***\n\n"
        "CHAPTER I\n\nOnce upon a time.\n\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK TALES ***\n\nLicence text here.\n"
    )
    assert doc.title == "Tales of Wonder"
    assert doc.author == "Ann Writer"
    assert [(c.title, c.role) for c in doc.chapters] == [
        ("Project Gutenberg", "front"),
        ("CHAPTER I", "body"),
        ("Project Gutenberg licence", "back"),
    ]
    assert doc.chapters[1].paragraphs == ("CHAPTER I", "Once upon a time.")
