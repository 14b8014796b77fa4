"""HTML and XHTML to readable blocks: what a listener should hear, in document order.

Drops what is not read aloud (scripts, styles, navigation, images, hidden elements, page-break
markers, footnote reference marks), turns block elements into paragraphs and h1-h6 into headings,
and remembers where each element id falls so that EPUB chapters can start at an anchor.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)
from lxml import etree

from voxweave.text.readers._assemble import Block
from voxweave.text.readers._text import clean

_SKIPPED_TAGS = frozenset(
    "script style head title nav template noscript svg math img picture audio video source track object "
    "iframe embed canvas map area button input select textarea meta link rt rp".split()
)  # rt/rp: ruby annotations (furigana) repeat the base text's reading
_BLOCK_TAGS = frozenset(
    "html body p div section article aside header footer main blockquote pre li ul ol dl dt dd figure "
    "figcaption table thead tbody tfoot tr caption address center details summary fieldset legend "
    "hgroup form hr h1 h2 h3 h4 h5 h6".split()
)
_CELL_TAGS = frozenset({"td", "th"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_PAGE_NUMBER_CLASSES = frozenset({"pagenum", "pagenumber", "page-number", "pageno", "page-num"})
# A footnote mark as printed: 12, [12], (3), *, †, a.
_NOTE_MARK = re.compile(r"^[\[(]?(?:\d{1,3}|[*\u2020\u2021\u00a7\u00b6]{1,3}|[a-z])[\])]?$")
_NOTE_HINT = re.compile(r"note|fn|foot", re.IGNORECASE)


@dataclass
class HtmlText:
    """The readable content of one (X)HTML document."""

    blocks: list[Block] = field(default_factory=list)
    #: element id -> index of the block that holds or follows the element's start
    anchors: dict[str, int] = field(default_factory=dict)
    #: element id -> semantic types (epub:type, ARIA role) of the element and its ancestors
    types: dict[str, frozenset[str]] = field(default_factory=dict)
    #: semantic types around the first block: what the document as a whole is
    lead_types: frozenset[str] = frozenset()
    title: str | None = None
    lang: str | None = None


def parse(data: bytes | str, *, xhtml: bool = False) -> BeautifulSoup:
    """A parse tree; XHTML is parsed as XML when well-formed (self-closing anchors stay empty)."""
    if xhtml and _well_formed(data):
        return BeautifulSoup(data, "lxml-xml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(data, "lxml")


def extract(soup: BeautifulSoup) -> HtmlText:
    """The blocks, anchors and metadata of a parsed document."""
    walker = _Walker()
    root = soup.find("body") or soup
    walker.walk(root)
    html = soup.find("html")
    title = soup.find("title")
    walker.result.title = clean(title.get_text()) if title else None
    if html is not None:
        walker.result.lang = html.get("lang") or html.get("xml:lang")
    return walker.result


def semantic_types(tag: Tag) -> frozenset[str]:
    """epub:type and ARIA role tokens of an element, without prefixes: {'chapter', 'pagebreak'}."""
    raw = f"{tag.get('epub:type') or ''} {tag.get('role') or ''}"
    tokens = (t.rsplit(":", 1)[-1].lower() for t in raw.split())
    return frozenset(t.removeprefix("doc-") for t in tokens if t)


def _well_formed(data: bytes | str) -> bool:
    try:
        etree.fromstring(data.encode() if isinstance(data, str) else data, etree.XMLParser(resolve_entities=False))
    except (etree.XMLSyntaxError, ValueError):
        return False
    return True


class _Walker:
    """Walks a tree without recursion (deeply nested junk must not crash us), collecting blocks."""

    def __init__(self) -> None:
        self.result = HtmlText()
        self._buffer: list[str] = []
        self._level = 0
        self._open_types: list[frozenset[str]] = []
        self._lead_seen = False
        self._after_break = False  # only whitespace since the last <br>

    def walk(self, root: Tag) -> None:
        stack: list[tuple[object, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self._leave(node)  # type: ignore[arg-type]
            elif isinstance(node, NavigableString):
                if not isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
                    self._text(str(node))
            elif isinstance(node, Tag) and not _skipped(node):
                self._enter(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.contents))
        self._flush()

    def _enter(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name == "br":
            self._line_break()
        elif name in _BLOCK_TAGS:
            self._flush()
        elif name in _CELL_TAGS:
            self._buffer.append(" ")
        self._open_types.append(semantic_types(tag))
        anchor = tag.get("id") or (tag.get("name") if name == "a" else None)
        if anchor and anchor not in self.result.anchors:
            self.result.anchors[anchor] = len(self.result.blocks)
            self.result.types[anchor] = frozenset().union(*self._open_types)
        if name in _HEADINGS:
            self._level = _HEADINGS[name]

    def _leave(self, tag: Tag) -> None:
        name = tag.name.lower()
        if name in _BLOCK_TAGS:
            self._flush()
        elif name in _CELL_TAGS:
            self._buffer.append(" ")
        if name in _HEADINGS:
            self._level = 0
        self._open_types.pop()

    def _text(self, text: str) -> None:
        self._buffer.append(text)
        if text.strip():
            self._after_break = False

    def _line_break(self) -> None:
        # Two line breaks in a row separate paragraphs in HTML written without <p>.
        if self._after_break:
            self._flush()
        else:
            self._buffer.append("\n")
            self._after_break = True

    def _flush(self) -> None:
        text = clean("".join(self._buffer))
        self._buffer.clear()
        self._after_break = False
        if not text:
            return
        if not self._lead_seen:
            self._lead_seen = True
            self.result.lead_types = frozenset().union(*self._open_types)
        self.result.blocks.append(Block(text, self._level))


def _skipped(tag: Tag) -> bool:
    name = tag.name.lower()
    if name in _SKIPPED_TAGS or tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    if "display:none" in (tag.get("style") or "").replace(" ", "").lower():
        return True
    types = semantic_types(tag)
    if "pagebreak" in types or "noteref" in types:
        return True
    classes = tag.get("class") or []
    if isinstance(classes, str):
        classes = classes.split()
    if any(c.lower() in _PAGE_NUMBER_CLASSES for c in classes):
        return True
    return _is_note_mark(tag, name)


def _is_note_mark(tag: Tag, name: str) -> bool:
    """A footnote reference such as <sup><a href="#fn3">3</a></sup> or <a href="#n1">[1]</a>."""
    if name not in ("a", "sup"):
        return False
    text = tag.get_text().strip()
    if not _NOTE_MARK.match(text):
        return False
    link = tag if name == "a" and tag.get("href") else tag.find("a", href=True)
    if link is None:
        return False
    if name == "sup" or (tag.parent is not None and tag.parent.name == "sup") or text.startswith("["):
        return True
    hints = f"{link.get('href', '')} {link.get('id', '')} {' '.join(link.get('class') or [])}"
    return bool(_NOTE_HINT.search(hints))
