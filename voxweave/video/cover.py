"""The default background of a book's video: its cover when the source document has one, else a title card.

Only EPUBs carry a cover; their title comes from the package too. Anything else (or a damaged book)
gives a title card: the title, or the name the caller passes, over a vertical gradient.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from voxweave.errors import VoxweaveError
from voxweave.video.background import Background, is_picture

logger = logging.getLogger(__name__)

#: The suffixes of the documents that can carry a cover.
COVER_SUFFIXES = (".epub",)
#: The bottom of a title card's gradient when the caller gives none.
TITLE_CARD_BOTTOM = "#3b4f6b"


@dataclass(frozen=True)
class BookLook:
    """What a source document offers a video: its title and its cover picture (bytes), when it has them."""

    title: str | None = None
    cover: bytes | None = None


def can_have_cover(source: Path | str) -> bool:
    return Path(source).suffix.lower() in COVER_SUFFIXES


def book_look(source: Path | None) -> BookLook:
    """The title and cover of `source` (an EPUB); empty for other documents or one that cannot be read."""
    if source is None or not can_have_cover(source):
        return BookLook()
    from voxweave.text.readers._epub_package import open_package

    path = Path(source)
    try:
        package = open_package(path.read_bytes(), path)
    except (OSError, VoxweaveError) as e:
        logger.warning("cannot read the cover of %s: %s", path.name, e)
        return BookLook()
    cover = package.cover if package.cover and is_picture(package.cover) else None
    if package.cover and cover is None:
        logger.warning("the cover of %s is not a picture this can read: using a title card", path.name)
    return BookLook(package.title, cover)


def cover_background(source: Path | None, name: str, *, color: str = "#101820",
                     gradient_to: str | None = None) -> Background:
    """The book's cover (shown whole over a blurred copy) if `source` has one, else a title card.

    The card shows the book's title, or `name` (e.g. the file's stem) when the source has none.
    """
    look = book_look(source)
    if look.cover is not None:
        return Background(color=color, image=look.cover, fit="contain")
    return Background(color=color, gradient_to=gradient_to or TITLE_CARD_BOTTOM, caption=look.title or name)
