"""Cleans the lines pypdf extracts from PDF pages: running headers, footers and page numbers out,
wrapped lines joined into paragraphs with hyphenation undone.

Text comes in content-stream order (pypdf's plain mode), which follows columns. Each line keeps the
position where it starts, so that paragraphs end where print shows it: a wider gap above a line, a
first-line indent, or a short line.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, replace

from voxweave.text.readers._text import Hyphenation, clean, join_lines
from voxweave.text.readers.plain import is_chapter_heading

#: Lines at the top and at the bottom of a page where running headers and footers live.
EDGE_LINES = 2
#: A header or footer repeats on at least this share of the pages (and on two pages at least).
REPEAT_SHARE = 0.5
#: A line shorter than this share of the usual line length ends its paragraph...
SHORT_LINE_SHARE = 0.6
#: ...and so does a line that ends a sentence and is shorter than this share.
SENTENCE_LINE_SHARE = 0.8
#: A gap above a line wider than this many usual line spacings starts a paragraph.
PARAGRAPH_GAP = 1.4
#: A line starting this many font sizes right of the page's left margin starts a paragraph.
INDENT_EMS = 0.8
# Arabic page numbers, and the roman ones of front matter (i to xxxix).
_NUMBER = r"(?:\d{1,4}|(?=[ivx])x{0,3}(?:ix|iv|v?i{0,3}))"
_PAGE_NUMBER = re.compile(rf"^[\W_]*(?:page\s+)?{_NUMBER}(?:\s*(?:of|/)\s*\d{{1,4}})?[\W_]*$", re.IGNORECASE)
_EDGE_NUMBER = re.compile(rf"^\s*{_NUMBER}\s+|\s+{_NUMBER}\s*$", re.IGNORECASE)
_NUMBERED = "<page number>"
_SENTENCE_END = re.compile(r"[.!?\"'\u201d\u2019)\]:;]$")


@dataclass(frozen=True)
class Line:
    """One extracted line: where it starts on the page (PDF units, y upwards) and its font size,
    when known, and whether the page's geometry says it starts a paragraph."""

    text: str
    x: float | None = None
    y: float | None = None
    size: float = 0.0
    starts_paragraph: bool = False


def lay_out(lines: list[Line]) -> list[Line]:
    """Marks the lines of one page that start a paragraph: after a wide gap, or indented.

    Run it after the running headers are gone: the gap below a header is no paragraph break.
    Lines without a known place (blank ones, or all of them on odd pages) are left unmarked.
    """
    placed = [line for line in lines if line.x is not None and line.y is not None]
    if not placed:
        return lines
    steps = [a.y - b.y for a, b in zip(placed, placed[1:]) if 0 < a.y - b.y < 3 * max(a.size, 1)]
    spacing = statistics.median(steps) if steps else None
    margin = sorted(p.x for p in placed)[len(placed) // 10]
    out, previous = [], None
    for line in lines:
        if line.x is None or line.y is None:
            out.append(line)
            continue
        indented = line.x - margin > INDENT_EMS * line.size
        previous_indented = previous is not None and previous.x - margin > INDENT_EMS * previous.size
        gap = previous is not None and spacing is not None and previous.y - line.y > PARAGRAPH_GAP * spacing
        out.append(replace(line, starts_paragraph=bool(gap or (indented and not previous_indented))))
        previous = line
    return out


def strip_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without the headers, footers and page numbers that repeat on most pages.

    Chapter headings are kept though they repeat with another number ("Chapter 1", "Chapter 2"
    atop pages of a book of one-page chapters).
    """
    keys = [_edge_keys([line.text for line in lines]) for lines in pages]
    counts = Counter(key for page in keys for key in set(page.values()))
    needed = max(2, math.ceil(len(pages) * REPEAT_SHARE))
    running = {key for key, n in counts.items() if n >= needed}
    return [
        [line for i, line in enumerate(lines) if page_keys.get(i) not in running or _heading(line.text, page_keys[i])]
        for lines, page_keys in zip(pages, keys)
    ]


def normalise(text: str) -> str:
    return clean(text).casefold()


def _heading(text: str, key: str) -> bool:
    numbered = key.endswith(_NUMBERED) and key.split(" ", 1)[1] != _NUMBERED
    return numbered and is_chapter_heading(clean(text))


def _edge_keys(lines: list[str]) -> dict[int, str]:
    """Line index -> comparison key, for the lines in the page's top and bottom zones.

    Keys carry their zone (a header is not a footer), and a line that completes a word hyphenated
    on the line before it is text, not a footer.
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    keys = {i: "top " + _key(lines[i]) for i in filled[:EDGE_LINES]}
    for n, i in enumerate(filled[-EDGE_LINES:], start=max(0, len(filled) - EDGE_LINES)):
        if i not in keys and not (n > 0 and lines[filled[n - 1]].rstrip().endswith("-")):
            keys[i] = "bottom " + _key(lines[i])
    return keys


def _key(line: str) -> str:
    text = normalise(line)
    if _PAGE_NUMBER.match(text):
        return _NUMBERED
    # "12 The Title" and "The Title 13" are one running header with its page number.
    return f"{_EDGE_NUMBER.sub('', text)} {_NUMBERED}" if _EDGE_NUMBER.search(text) else text


def usual_length(lines: list[Line]) -> int:
    """The length of a full line of text (80th percentile), to tell short lines from full ones."""
    lengths = sorted(len(clean(line.text)) for line in lines if line.text.strip())
    return lengths[int(len(lengths) * 0.8)] if lengths else 0


def paragraphs(lines: list[Line], usual: int, hyphenation: Hyphenation) -> list[str]:
    """Joins lines into paragraphs, ending one where the layout or a short line says so."""
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        text = clean(line.text)
        if current and (line.starts_paragraph or not text):
            out.append(join_lines(current, hyphenation))
            current = []
        if text:
            current.append(text)
        if current and _ends_paragraph(text, usual):
            out.append(join_lines(current, hyphenation))
            current = []
    if current:
        out.append(join_lines(current, hyphenation))
    return [p for p in out if p]


def _ends_paragraph(text: str, usual: int) -> bool:
    if not text or text.endswith(("-", "\u2010", "\u00ad")):
        return False
    if len(text) < usual * SHORT_LINE_SHARE:
        return True
    return len(text) < usual * SENTENCE_LINE_SHARE and bool(_SENTENCE_END.search(text))
