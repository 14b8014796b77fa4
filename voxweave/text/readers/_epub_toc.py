"""An EPUB's navigation: the table of contents (EPUB 3 nav or EPUB 2 NCX) and its landmarks.

The page-list and other navs are ignored: they mark pages, not chapters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from voxweave.text.readers._epub_package import normalise
from voxweave.text.readers._text import clean

_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
_LIST_TAGS = ("ol", "ul")


@dataclass
class TocEntry:
    """One entry of a table of contents; `href` is package-relative ('text/ch1.xhtml#sec2') or None."""

    title: str
    href: str | None
    children: list[TocEntry] = field(default_factory=list)
    #: the publisher collapsed the sub-list (EPUB 3 `hidden`): its entries are not chapter-level
    children_hidden: bool = False


@dataclass(frozen=True)
class Landmark:
    """A landmark (EPUB 3) or guide reference (EPUB 2): what kind of matter starts at `href`."""

    kind: str
    href: str
    title: str


# EPUB 2 guide types, spelled as their EPUB 3 equivalents.
_GUIDE_KINDS = {"text": "bodymatter", "title-page": "titlepage", "acknowledgements": "acknowledgments"}


def parse_nav(data: bytes, base: str) -> tuple[list[TocEntry], list[Landmark]]:
    """The toc and the landmarks of an EPUB 3 navigation document at package path `base`."""
    root = lxml.html.fromstring(data)
    toc: list[TocEntry] = []
    landmarks: list[Landmark] = []
    for nav in root.iter("nav"):
        kinds = _types(nav)
        listing = _first_child(nav, _LIST_TAGS)
        if listing is None:
            continue
        if "toc" in kinds and not toc:
            toc = _nav_entries(listing, base)
        elif "landmarks" in kinds:
            landmarks.extend(_landmarks(listing, base))
    return toc, landmarks


def parse_ncx(data: bytes, base: str) -> list[TocEntry]:
    """The toc of an EPUB 2 NCX file at package path `base`."""
    root = etree.fromstring(data, etree.XMLParser(recover=True, resolve_entities=False))
    nav_map = root.find(f"{_NCX}navMap") if root is not None else None
    return _ncx_entries(nav_map, base) if nav_map is not None else []


def guide_landmarks(guide: tuple[tuple[str, str, str], ...]) -> list[Landmark]:
    """EPUB 2 guide references as landmarks."""
    return [Landmark(_GUIDE_KINDS.get(kind.lower(), kind.lower()), href, title) for kind, href, title in guide if href]


def _nav_entries(listing: lxml.html.HtmlElement, base: str) -> list[TocEntry]:
    entries = []
    for item in listing:
        if not isinstance(item.tag, str) or item.tag != "li":
            continue
        label = _first_child(item, ("a", "span"))
        sub = _first_child(item, _LIST_TAGS)
        href = label.get("href") if label is not None and label.tag == "a" else None
        entries.append(
            TocEntry(
                title=clean(label.text_content()) if label is not None else "",
                href=normalise(href, base) if href else None,
                children=_nav_entries(sub, base) if sub is not None else [],
                children_hidden=sub is not None and sub.get("hidden") is not None,
            )
        )
    return entries


def _ncx_entries(parent: etree._Element, base: str) -> list[TocEntry]:
    entries = []
    for point in parent.findall(f"{_NCX}navPoint"):
        label = point.find(f"{_NCX}navLabel/{_NCX}text")
        content = point.find(f"{_NCX}content")
        src = content.get("src") if content is not None else None
        entries.append(
            TocEntry(
                title=clean("".join(label.itertext())) if label is not None else "",
                href=normalise(src, base) if src else None,
                children=_ncx_entries(point, base),
            )
        )
    return entries


def _landmarks(listing: lxml.html.HtmlElement, base: str) -> list[Landmark]:
    out = []
    for link in listing.iter("a"):
        href = link.get("href")
        for kind in _types(link):
            if href and not href.startswith("#"):
                out.append(Landmark(kind, normalise(href, base), clean(link.text_content())))
    return out


def _types(element: lxml.html.HtmlElement) -> set[str]:
    return {t.rsplit(":", 1)[-1].lower() for t in (element.get("epub:type") or "").split()}


def _first_child(element: lxml.html.HtmlElement, tags: tuple[str, ...]) -> lxml.html.HtmlElement | None:
    for child in element:
        if isinstance(child.tag, str) and child.tag in tags:
            return child
    return None
