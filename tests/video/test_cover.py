"""The default background of a book's video: the EPUB's cover, else a title card with its title or name."""

from __future__ import annotations

import io

from PIL import Image

from voxweave.video.background import background_image
from voxweave.video.cover import TITLE_CARD_BOTTOM, book_look, cover_background

from tests.text.conftest import EpubSpec, write_epub

NAV = '<nav epub:type="toc"><ol><li><a href="one.xhtml">One</a></li></ol></nav>'
DOCS = [("one.xhtml", "<h1>One</h1><p>The lighthouse stood on the rock.</p>")]


def png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 60), color).save(out, format="PNG")
    return out.getvalue()


def test_an_epub_with_a_cover_gives_the_cover(tmp_path):
    cover = png((200, 30, 30))
    book = write_epub(EpubSpec(docs=DOCS, nav=NAV, title="The Keeper", cover=cover), tmp_path / "keeper.epub")
    assert book_look(book).title == "The Keeper"
    background = cover_background(book, "keeper")
    assert background.image == cover and background.fit == "contain" and background.caption is None
    assert background_image(background, (320, 180)).getpixel((160, 90)) == (200, 30, 30)


def test_an_epub_without_a_cover_gives_a_title_card_with_its_title(tmp_path):
    book = write_epub(EpubSpec(docs=DOCS, nav=NAV, title="The Keeper"), tmp_path / "keeper.epub")
    background = cover_background(book, "keeper", color="#000000")
    assert background.image is None and background.caption == "The Keeper"
    assert (background.color, background.gradient_to) == ("#000000", TITLE_CARD_BOTTOM)


def test_a_cover_that_is_not_a_picture_gives_a_title_card(tmp_path):
    book = write_epub(EpubSpec(docs=DOCS, nav=NAV, title="The Keeper", cover=b"<svg/>"), tmp_path / "keeper.epub")
    assert cover_background(book, "keeper").caption == "The Keeper"


def test_other_documents_and_damaged_books_give_a_card_with_the_name(tmp_path):
    damaged = tmp_path / "broken.epub"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    text = tmp_path / "notes.md"
    text.write_text("# Notes\n\nSome text.\n")
    for source in (None, text, damaged, tmp_path / "missing.epub"):
        background = cover_background(source, "my notes", gradient_to="#ff0000")
        assert background.image is None and background.caption == "my notes" and background.gradient_to == "#ff0000"
