"""Decides whether an EPUB chapter is narrative (body) or front/back matter.

Evidence, strongest first: the semantic types of the chapter's markup (epub:type, ARIA role) and
of the landmarks or guide entries pointing at it, then its title. Matter marked "frontmatter" or
"backmatter" is on that side; other matter is front matter before the first body chapter and back
matter after it (a bibliography opening a section is front matter, an index is back matter).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from typing import Literal

from voxweave.text.document import ChapterRole

#: body; matter on a known side; matter whose side its place decides; None: no evidence (body)
Kind = Literal["body", "front", "back", "matter"] | None

# Types that name non-narrative matter, wherever it stands.
_MATTER_TYPES = frozenset(
    """cover titlepage halftitlepage halftitle title-page copyright-page copyright toc toc-brief
    dedication acknowledgments acknowledgements imprint imprimatur frontispiece seriespage
    series-page loi lot lof loa lov landmarks page-list other-credits credits contributors errata
    index colophon bibliography glossary endnotes rearnotes footnotes frontmatter backmatter""".split()
)
# Types that name the narrative itself; they outweigh the generic "frontmatter"/"backmatter".
_BODY_TYPES = frozenset(
    "bodymatter chapter part volume division prologue epilogue preface foreword introduction "
    "preamble conclusion afterword appendix".split()
)
_GENERIC = frozenset({"frontmatter", "backmatter", "bodymatter"})
#: A page titled with the book's own title is its title page only when it is this short.
TITLE_PAGE_MAX_CHARS = 600
_MATTER_TITLE = re.compile(
    r"^(?:(?:table of )?contents|copyright(?: page)?|title page|half title|dedication|"
    r"acknowledge?ments?|also by\b.*|other (?:books|titles) by\b.*|praise for\b.*|cover|imprint|"
    r"index|colophon|about the (?:authors?|publishers?|translators?|illustrators?|editors?)|"
    r"about this (?:e-?)?book|bibliography|glossary|credits|permissions|endnotes)$",
    re.IGNORECASE,
)


def classify(types: Iterable[str], title: str, book_title: str | None, chars: int) -> Kind:
    """What a chapter is, from its semantic types, its title and its length."""
    tokens = set(types)
    specific = tokens - _GENERIC
    side: Kind = "front" if "frontmatter" in tokens else "back" if "backmatter" in tokens else "matter"
    if specific & _MATTER_TYPES:
        return side
    if specific & _BODY_TYPES or "bodymatter" in tokens:
        return "body"
    if side != "matter":
        return side
    plain = title.strip().rstrip(".:").strip()
    if _MATTER_TITLE.match(plain):
        return "matter"
    if book_title and plain.casefold() == book_title.strip().casefold() and chars <= TITLE_PAGE_MAX_CHARS:
        return "front"  # a short page titled with the book's own title is its title page
    return None


def roles(kinds: list[Kind]) -> list[ChapterRole]:
    """Each chapter's role; matter of no known side is front before the first body chapter, else back.

    A book with no narrative chapter at all is all body: there must be something to narrate.
    """
    body = [kind in ("body", None) for kind in kinds]
    if not any(body):
        return ["body"] * len(kinds)
    first_body = body.index(True)
    out: list[ChapterRole] = []
    for i, kind in enumerate(kinds):
        if body[i]:
            out.append("body")
        elif kind in ("front", "back"):
            out.append(kind)
        else:
            out.append("front" if i < first_body else "back")
    return out
