"""Markdown rendered to plain text: no markup read aloud; # and ## headings start chapters.

Links read as their text, images are dropped, code is kept as plain text (never silently lost),
table rows become paragraphs. A YAML front-matter block gives the title and author, if present.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from voxweave.text.document import Document
from voxweave.text.readers import _html
from voxweave.text.readers._assemble import Block, assemble, sole_top_heading
from voxweave.text.readers._text import clean, decode, title_from_path

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FIELD = re.compile(r"^(title|author|lang|language)[ \t]*:[ \t]*(.+?)[ \t]*$", re.MULTILINE | re.IGNORECASE)
_SILENT_INLINE = frozenset({"image", "html_inline"})


def read(data: bytes, path: Path) -> Document:
    """Reads a Markdown file in any common encoding."""
    meta, body = _front_matter(decode(data, path))
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    blocks = _blocks(parser.parse(body))
    title = meta.get("title") or sole_top_heading(blocks) or title_from_path(path)
    return Document(
        title=title,
        chapters=assemble(blocks, title, chapter_depth=2),
        author=meta.get("author"),
        language=meta.get("language") or meta.get("lang") or "en",
        source=path,
    )


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {k.lower(): clean(v.strip("\"'")) for k, v in _FIELD.findall(match.group(1))}
    return fields, text[match.end() :]


def _blocks(tokens: list[Token]) -> list[Block]:
    """Headings, paragraphs, code and table rows, in order, as plain text."""
    blocks: list[Block] = []
    level = 0
    row: list[str] | None = None
    for token in tokens:
        if token.type == "heading_open":
            level = int(token.tag[1:])
        elif token.type == "heading_close":
            level = 0
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            blocks.append(Block(", ".join(cell for cell in row if cell)))
            row = None
        elif token.type == "inline":
            text = _inline_text(token)
            if row is not None:
                row.append(text)
            else:
                blocks.append(Block(text, level))
        elif token.type in ("fence", "code_block"):
            blocks.append(Block(clean(token.content)))
        elif token.type == "html_block":
            blocks.extend(_html.extract(_html.parse(token.content)).blocks)
    return [b for b in blocks if b.text]


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in _SILENT_INLINE:
            parts.append(" ")
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return clean("".join(parts))
