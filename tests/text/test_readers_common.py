"""Helpers the readers share: sniffing, decoding, cleaning, joining wrapped lines."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from voxweave.errors import IngestError
from voxweave.text.readers._text import Hyphenation, clean, decode, join_lines, title_from_path
from voxweave.text.readers.sniff import EPUB, PDF, TEXT, sniff


def _zip(files: dict[str, str]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n", PDF),
        (b"\xef\xbb\xbf%PDF-1.4", PDF),
        (b"\x89PNG\r\n\x1a\n....", "a PNG image"),
        (b"\xff\xd8\xff\xe0....", "a JPEG image"),
        (_zip({"mimetype": "application/epub+zip"}), EPUB),
        (_zip({"META-INF/container.xml": "<container/>"}), EPUB),
        (_zip({"notes.txt": "hi"}), "a ZIP archive"),
        (_zip({"word/document.xml": "<w/>"}), "a Word document (.docx)"),
        (b"Plain words.", TEXT),
        (b"<html></html>", TEXT),
    ],
)
def test_sniff(data, kind):
    assert sniff(data) == kind


def test_clean_collapses_whitespace_and_drops_invisible_characters():
    assert clean("  a\u00a0b\t\nc\u200b d\u00ad e\ufeff  ") == "a b c d e"


def test_join_lines_undoes_hyphenation_only_before_lower_case():
    assert join_lines(["a well-", "known narra-", "tion by Jean-", "Paul in 19-", "20"]) == (
        "a wellknown narration by Jean-Paul in 19- 20"
    )


def test_the_document_decides_which_line_end_hyphens_stay():
    hyphenation = Hyphenation("a well-known fact, narra-\ntion", undo_by_default=True)
    assert join_lines(["a well-", "known narra-", "tion"], hyphenation) == "a well-known narration"
    keeping = Hyphenation("the narration", undo_by_default=False)
    assert join_lines(["the narra-", "tion of higgledy-", "piggledy"], keeping) == "the narration of higgledy-piggledy"


def test_title_from_path():
    assert title_from_path(Path("moby_dick-v2.txt")) == "moby dick v2"


def test_decode_normalises_newlines_and_composes_accents():
    assert decode("cafe\u0301\r\nnext\rline".encode("utf-8"), Path("a.txt")) == "café\nnext\nline"


def test_decode_refuses_text_with_nul_bytes():
    with pytest.raises(IngestError, match="binary"):
        decode(b"text\x00with\x00nuls" * 10, Path("a.txt"))
