"""Plain text: paragraphs at blank lines, hard-wrapped lines joined, chapters at standalone headings.

A heading is a paragraph of one line such as "CHAPTER I", "Chapter 12: The Storm" or "Prologue",
optionally followed by a short title line ("CHAPTER I." / "Down the Rabbit-Hole"). Project Gutenberg's
header and licence are kept as front and back matter.
"""

from __future__ import annotations

import re
from pathlib import Path

from voxweave.text.document import Chapter, Document
from voxweave.text.readers._assemble import Block, assemble
from voxweave.text.readers._text import Hyphenation, clean, decode, join_lines, title_from_path

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_NUMBER_WORD = (
    rf"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    rf"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:{_UNITS}))?|{_UNITS})"
)
_NUMBER = rf"(?:\d+|[ivxlcdm]+|{_NUMBER_WORD})"
# "Chapter 12", "CHAPTER XII. The Storm", "Part Two: Winter", "Chapter 3 The Storm" (title capitalised).
_HEADING = re.compile(
    rf"^(?:chapter|chap\.|book|part|volume|letter|canto)\s+{_NUMBER}\b\.?"
    rf"(?:\s*[:.\-\u2013\u2014]\s*\S.*|\s+(?P<bare_title>\S.*))?$",
    re.IGNORECASE,
)
# The same, with nothing after the number: safe to split off the first line of a paragraph.
_BARE_HEADING = re.compile(rf"^(?:chapter|book|part|volume)\s+{_NUMBER}\.?$", re.IGNORECASE)
_NAMED_HEADING = re.compile(
    r"^(?:prologue|epilogue|preface|foreword|introduction|afterword|conclusion)\.?$", re.IGNORECASE
)
MAX_HEADING_CHARS = 80
#: Lines longer than this (90th percentile) mean the file is not hard-wrapped: a line is a paragraph.
UNWRAPPED_WIDTH = 200
#: A line shorter than this share of the wrap width that ends a sentence ends its paragraph.
SHORT_LINE_SHARE = 0.6
_SENTENCE_END = re.compile(r"[.!?:\"'\u201d\u2019)\]]$")
_GUTENBERG_START = re.compile(r"^\*\*\* ?START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.MULTILINE | re.IGNORECASE)
_GUTENBERG_END = re.compile(r"^\*\*\* ?END OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.MULTILINE | re.IGNORECASE)
_GUTENBERG_FIELD = r"^{}:[ \t]*(.+)$"


def read(data: bytes, path: Path) -> Document:
    """Reads a plain-text file in any common encoding."""
    text = decode(data, path)
    header, body, licence = _split_gutenberg(text)
    title = _gutenberg_field(header, "Title") or title_from_path(path)
    chapters = list(assemble(blocks(body), title, chapter_depth=1))
    if header.strip():
        chapters.insert(0, Chapter("Project Gutenberg", _paragraph_texts(header), role="front"))
    if licence.strip():
        chapters.append(Chapter("Project Gutenberg licence", _paragraph_texts(licence), role="back"))
    return Document(title=title, chapters=tuple(chapters), author=_gutenberg_field(header, "Author"), source=path)


def blocks(text: str) -> list[Block]:
    """Paragraphs and chapter headings (level 1) of a plain text."""
    width = _wrap_width(text)
    hyphenation = Hyphenation(text, undo_by_default=False)
    out: list[Block] = []
    for lines in _chunks(text):
        heading = _heading(lines)
        if heading:
            out.append(Block(heading, 1))
            continue
        if len(lines) > 2 and _BARE_HEADING.match(clean(lines[0])):
            out.append(Block(clean(lines[0]), 1))
            lines = lines[1:]
        out.extend(Block(join_lines(p, hyphenation)) for p in _paragraphs(lines, width))
    return [b for b in out if b.text]


def _heading(lines: list[str]) -> str | None:
    """The heading a blank-line-separated chunk of one or two lines stands for, if it is one."""
    first = clean(lines[0])
    if len(lines) > 2 or len(first) > MAX_HEADING_CHARS or not is_chapter_heading(first):
        return None
    if len(lines) == 1:
        return first
    second = clean(lines[1])
    if len(second) > MAX_HEADING_CHARS or (_SENTENCE_END.search(second) and not second.endswith(".")):
        return None
    return f"{first} {second}" if not first[-1].isalnum() else f"{first}: {second}"


def is_chapter_heading(line: str) -> bool:
    """Whether a line on its own reads as a chapter heading: "CHAPTER XII.", "Part Two: Winter"."""
    if _NAMED_HEADING.match(line):
        return True
    match = _HEADING.match(line)
    # Without a separator the title must be capitalised: "Part two of the plan..." is prose.
    return bool(match) and not (match.group("bare_title") or "A")[0].islower()


def _chunks(text: str) -> list[list[str]]:
    """Runs of non-blank lines between blank lines."""
    chunks = (chunk.split("\n") for chunk in re.split(r"\n[ \t\f\v]*\n", text))
    return [lines for lines in ([ln for ln in chunk if ln.strip()] for chunk in chunks) if lines]


def _wrap_width(text: str) -> int:
    lengths = sorted(len(line.rstrip()) for line in text.split("\n") if line.strip())
    return lengths[int(len(lengths) * 0.9)] if lengths else 0


def _paragraphs(lines: list[str], width: int) -> list[list[str]]:
    """Splits a chunk further where a short line ends a sentence or an indented line begins."""
    paragraphs: list[list[str]] = []
    for line in lines:
        if paragraphs and not _breaks_before(line, paragraphs[-1][-1], width):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _breaks_before(line: str, previous: str, width: int) -> bool:
    if width > UNWRAPPED_WIDTH:
        return True
    prev = previous.rstrip()
    if len(prev) < width * SHORT_LINE_SHARE and _SENTENCE_END.search(prev):
        return True
    return line[:1].isspace() and not previous[:1].isspace()


def _paragraph_texts(text: str) -> tuple[str, ...]:
    return tuple(b.text for b in blocks(text))


def _split_gutenberg(text: str) -> tuple[str, str, str]:
    start, end = _GUTENBERG_START.search(text), _GUTENBERG_END.search(text)
    if not start:
        return "", text, ""
    if not end or end.start() < start.end():
        return text[: start.end()], text[start.end() :], ""
    return text[: start.end()], text[start.end() : end.start()], text[end.start() :]


def _gutenberg_field(header: str, name: str) -> str | None:
    match = re.search(_GUTENBERG_FIELD.format(name), header, re.MULTILINE)
    return clean(match.group(1)) if match else None
