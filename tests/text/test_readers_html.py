"""HTML: what is read aloud and what is not; h1/h2 chapters."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxweave.errors import IngestError
from voxweave.text.readers import _html, html


def read(markup: str | bytes, name: str = "page.html"):
    data = markup.encode("utf-8") if isinstance(markup, str) else markup
    return html.read(data, Path(name))


def blocks(markup: str) -> list[str]:
    return [b.text for b in _html.extract(_html.parse(markup)).blocks]


def test_page_with_chapters_title_author_and_language():
    doc = read(
        '<html lang="de"><head><title>Märchen</title><meta name="author" content="Grimm">'
        "<style>p { color: red }</style><script>var x = 1;</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About</a></nav>"
        "<h1>Erstes</h1><p>Es war einmal.</p><h2>Zweites</h2><p>Ende.</p></body></html>"
    )
    assert (doc.title, doc.author, doc.language) == ("Märchen", "Grimm", "de")
    assert [(c.title, c.paragraphs) for c in doc.chapters] == [
        ("Erstes", ("Erstes", "Es war einmal.")),
        ("Zweites", ("Zweites", "Ende.")),
    ]


def test_block_elements_become_paragraphs_and_inline_ones_do_not():
    assert blocks(
        "<div>One <b>bold</b> <i>word</i></div><ul><li>a</li><li>b</li></ul>"
        "<blockquote>quoted</blockquote><table><tr><td>x</td><td>y</td></tr></table>"
    ) == ["One bold word", "a", "b", "quoted", "x y"]


def test_double_line_breaks_split_paragraphs_single_ones_join_lines():
    assert blocks("<div>line one<br>line two<br><br>new para</div>") == ["line one line two", "new para"]


def test_hidden_elements_images_and_forms_are_not_read():
    assert blocks(
        '<p>Seen</p><p hidden>unseen</p><p style="display: none">unseen</p><img alt="pic" src="a.png">'
        "<form><input value='typed'><button>Press</button></form><noscript>enable js</noscript>"
    ) == ["Seen"]


def test_footnote_marks_and_page_numbers_do_not_leak_into_text():
    assert blocks(
        '<p>Word<sup><a href="#fn1">1</a></sup> and word<a epub:type="noteref" href="#n2">2</a> and'
        ' more<a href="#n3">[3]</a>.<span epub:type="pagebreak" title="12">12</span> Then'
        ' <span class="pagenum">[Pg 13]</span>on.</p><p>E = mc<sup>2</sup></p>'
    ) == ["Word and word and more. Then on.", "E = mc2"]


def test_declared_charset_is_honoured():
    markup = '<html><head><meta charset="windows-1252"></head><body><p>Café — déjà</p></body></html>'
    doc = read(markup.encode("cp1252"))
    assert doc.chapters[0].paragraphs == ("Café — déjà",)


def test_binary_data_named_html_is_refused():
    with pytest.raises(IngestError, match="binary"):
        read(bytes(range(32)) * 100)


def test_deeply_nested_markup_does_not_crash():
    depth = 5000
    assert blocks("<span>" * depth + "deep" + "</span>" * depth) == ["deep"]
