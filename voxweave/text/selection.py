"""Chapter selection as people type it: "1-3, 7", "5-" (to the end)."""

from __future__ import annotations

import re

# One item of a selection: a number, a range, or a range open at the end. ASCII digits only:
# int() would accept other scripts' digits that the user never meant to type here.
_ITEM = re.compile(r"(?P<first>[0-9]+)(?:\s*(?P<dash>-)\s*(?P<last>[0-9]+)?)?", re.ASCII)
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
_EXAMPLE = 'use chapter numbers and ranges, like "1-3, 7" or "5-"'


def parse_chapter_selection(spec: str, chapter_count: int) -> list[int]:
    """The chapter numbers `spec` names, sorted and without repeats; ValueError saying what is wrong."""
    if chapter_count < 0:
        raise ValueError(f"chapter_count cannot be negative, got {chapter_count}")
    items = [item.strip() for item in spec.translate(_DASHES).split(",")]
    if not any(items):
        raise ValueError(f"no chapters selected: {_EXAMPLE}")
    chosen: set[int] = set()
    for item in filter(None, items):  # a stray comma ("1, 2,") is harmless
        chosen.update(_parse_item(item, chapter_count))
    return sorted(chosen)


def _parse_item(item: str, chapter_count: int) -> range:
    match = _ITEM.fullmatch(item)
    if match is None:
        raise ValueError(f"cannot read {item!r} as chapters: {_EXAMPLE}")
    first = int(match["first"])
    last = int(match["last"]) if match["last"] else (chapter_count if match["dash"] else first)
    if first == 0 or last == 0:
        raise ValueError(f"{item!r}: chapters are numbered from 1")
    for number in (first, last):
        if number > chapter_count:
            raise ValueError(f"chapter {number} does not exist: {_has(chapter_count)}")
    if last < first:
        raise ValueError(f"{item!r} runs backwards: did you mean {last}-{first}?")
    return range(first, last + 1)


def _has(chapter_count: int) -> str:
    return f"the document has {chapter_count} chapter{'' if chapter_count == 1 else 's'}"
