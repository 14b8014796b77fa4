"""HTML pages: scripts, styles and navigation dropped; h1 and h2 start chapters."""

from __future__ import annotations

from pathlib import Path

from bs4.dammit import UnicodeDammit

from voxweave.errors import IngestError
from voxweave.text.document import Document
from voxweave.text.readers import _html
from voxweave.text.readers._assemble import assemble, sole_top_heading
from voxweave.text.readers._text import clean, looks_binary, title_from_path


def read(data: bytes, path: Path) -> Document:
    """Reads an HTML or XHTML file, honouring its declared character set."""
    markup = UnicodeDammit(data, is_html=True).unicode_markup
    if markup is None or looks_binary(markup):
        raise IngestError(path, "this is not an HTML file (it holds binary data)")
    soup = _html.parse(markup, xhtml=path.suffix.lower() == ".xhtml")
    content = _html.extract(soup)
    title = content.title or sole_top_heading(content.blocks) or title_from_path(path)
    return Document(
        title=title,
        chapters=assemble(content.blocks, title),
        author=_meta(soup, "author"),
        language=clean(content.lang or "") or "en",
        source=path,
    )


def _meta(soup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"name": name})
    return (clean(tag.get("content") or "") or None) if tag is not None else None
