"""What the Narrate screen shows of an upload: chapters with roles, length, a sample passage, estimates."""

from __future__ import annotations

import pytest

from tests.text.conftest import EpubSpec, write_epub
from voxweave.errors import IngestError
from voxweave.service.documents import (
    CHARS_PER_SECOND,
    MAX_PREVIEW_CHARS,
    MIN_PREVIEW_CHARS,
    estimate_audio_seconds,
    format_duration,
    sample_passage,
    summarise,
    summary_of,
)
from voxweave.text.document import Chapter, Document

LONG = "This paragraph is long enough to judge a voice by, with a clause or two to carry the tune along."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

MARKDOWN = f"""# The Lighthouse

## Dusk

Short line.

{LONG}

## Night

The lamp went out.
"""

EPUB_DOCS = [
    ("title.xhtml", '<section epub:type="titlepage"><h1>The Lighthouse</h1><p>A long title page that nobody '
                    'wants read aloud as a sample, though it has more than eighty characters.</p></section>'),
    ("ch1.xhtml", f'<section epub:type="chapter"><h1>Dusk</h1><p>Short line.</p><p>{LONG}</p></section>'),
    ("ch2.xhtml", '<section epub:type="chapter"><h1>Night</h1><p>The lamp went out.</p></section>'),
    ("index.xhtml", '<section epub:type="index"><h1>Index</h1><p>lamp, 2</p></section>'),
]
EPUB_NAV = """<nav epub:type="toc"><ol><li><a href="title.xhtml">Title Page</a></li>
<li><a href="ch1.xhtml">Dusk</a></li><li><a href="ch2.xhtml">Night</a></li><li><a href="index.xhtml">Index</a></li>
</ol></nav>"""


def test_markdown_gives_its_chapters_and_a_sample():
    summary = summarise("lighthouse.md", MARKDOWN.encode())
    assert (summary.filename, summary.title, summary.author, summary.has_cover) == \
        ("lighthouse.md", "The Lighthouse", None, False)
    assert [(c.number, c.title, c.role) for c in summary.chapters] == [(1, "Dusk", "body"), (2, "Night", "body")]
    assert summary.chapters[1].chars == len("Night") + len("The lamp went out.")
    assert summary.chars == sum(c.chars for c in summary.chapters)
    assert summary.sample == LONG  # the first paragraph long enough, not the short one before it


def test_plain_text_is_one_chapter_named_after_the_file():
    summary = summarise("notes.txt", b"Hello there.\n\nA second paragraph.\n")
    assert [(c.number, c.title, c.role, c.chars) for c in summary.chapters] == \
        [(1, "notes", "body", len("Hello there.") + len("A second paragraph."))]
    assert summary.sample == "Hello there. A second paragraph."  # nothing is long enough: all together


def test_epub_chapters_keep_their_roles_and_only_the_body_counts(tmp_path):
    path = write_epub(EpubSpec(docs=EPUB_DOCS, nav=EPUB_NAV, title="The Lighthouse", authors=["Ann Author"],
                               cover=PNG), tmp_path / "lighthouse.epub")
    summary = summarise("lighthouse.epub", path.read_bytes())
    assert (summary.title, summary.author, summary.language, summary.has_cover) == \
        ("The Lighthouse", "Ann Author", "en", True)
    assert [(c.number, c.title, c.role, c.narrated_by_default) for c in summary.chapters] == [
        (1, "Title Page", "front", False),
        (2, "Dusk", "body", True),
        (3, "Night", "body", True),
        (4, "Index", "back", False),
    ]
    body = summary.chapters[1].chars + summary.chapters[2].chars
    assert summary.chars == body
    assert summary.chars_of(None) == body
    assert summary.chars_of([1, 4]) == summary.chapters[0].chars + summary.chapters[3].chars
    assert summary.sample == LONG  # the long title page is front matter: not the sample


def test_an_unreadable_upload_says_why():
    with pytest.raises(IngestError, match="unsupported file type"):
        summarise("picture.xyz", b"data")
    with pytest.raises(IngestError, match="empty"):
        summarise("blank.md", b" \n\n ")


def document(*chapters: Chapter) -> Document:
    return Document(title="t", chapters=chapters)


def test_a_long_paragraph_is_cut_at_a_sentence_end():
    sentence = "The keeper climbed the stairs and looked out over the grey and restless sea. "  # 77 chars
    paragraph = sentence * 8  # over 600 characters
    passage = sample_passage(document(Chapter("One", (paragraph,))))
    assert len(passage) <= MAX_PREVIEW_CHARS and len(passage) >= MIN_PREVIEW_CHARS
    assert passage.endswith("sea.") and paragraph.startswith(passage)
    assert passage == (sentence * 5).strip()  # five sentences fit in 400 characters, six do not


def test_a_long_paragraph_without_sentence_ends_is_cut_at_a_word():
    paragraph = " ".join(["word"] * 150)  # 749 characters, no full stop
    passage = sample_passage(document(Chapter("One", (paragraph,))))
    assert passage.endswith("word…") and len(passage) <= MAX_PREVIEW_CHARS + 1
    assert paragraph.startswith(passage.removesuffix("…"))


def test_a_sentence_end_too_early_is_not_used():
    paragraph = "Hi. " + " ".join(["word"] * 150)  # the only sentence end is before MIN_PREVIEW_CHARS
    assert sample_passage(document(Chapter("One", (paragraph,)))).endswith("word…")


def test_front_matter_is_the_sample_only_when_there_is_no_body():
    front = Chapter("Preface", (LONG + " (front)",), role="front")
    assert sample_passage(document(front, Chapter("One", ("Short.", LONG)))) == LONG
    assert sample_passage(document(front)) == LONG + " (front)"
    assert sample_passage(document(Chapter("Empty", ()))) == ""


def test_short_paragraphs_are_taken_together_each_ending_a_sentence():
    chapter = Chapter("One", ("Chapter One", "It rained.", "Did it stop?", "Not yet"))
    assert sample_passage(document(chapter)) == "Chapter One. It rained. Did it stop? Not yet."
    many = Chapter("Many", tuple(f"Line number {i} is short." for i in range(40)))  # over 400 together
    passage = sample_passage(document(many))
    assert passage.endswith("short.") and MIN_PREVIEW_CHARS <= len(passage) <= MAX_PREVIEW_CHARS


def test_summary_of_a_document_built_in_code():
    summary = summary_of("built.md", Document(title="Built", author="Me", cover=PNG,
                                              chapters=(Chapter("", ("Untitled text.",)),)))
    assert summary.chapters[0].title == "Chapter 1"  # an untitled chapter gets its number
    assert (summary.author, summary.has_cover, summary.sample) == ("Me", True, "Untitled text.")


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0 s"), (-3, "0 s"), (42, "42 s"), (42.4, "42 s"), (59.6, "1 min 00 s"), (725, "12 min 05 s"),
    (3600, "1 h 00 min"), (3720, "1 h 02 min"), (3 * 3600 + 59 * 60 + 59, "3 h 59 min"),
])
def test_format_duration(seconds, shown):
    assert format_duration(seconds) == shown


def test_estimate_follows_the_characters_and_the_speed():
    assert estimate_audio_seconds(int(CHARS_PER_SECOND * 60)) == pytest.approx(60)
    assert estimate_audio_seconds(int(CHARS_PER_SECOND * 60), speed=2.0) == pytest.approx(30)
    assert estimate_audio_seconds(0) == 0
    assert estimate_audio_seconds(150, speed=0) == pytest.approx(100)  # a speed of 0 counts as 0.1
