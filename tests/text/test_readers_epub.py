"""EPUB: chapters from the navigation, anchors in one file, nested tocs, matter roles, DRM."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from ebooklib import epub as ebooklib_epub

from tests.text.conftest import EpubSpec
from voxweave.errors import IngestError
from voxweave.text.readers import epub

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LONG_INTRO = "A long introduction about the fir tree, its author and its time. " * 8  # over 400 characters

COLLECTION_NAV = """
<nav epub:type="toc"><h2>Contents</h2><ol>
  <li><a href="tales.xhtml#sec">SECTION ONE: TALES</a><ol>
    <li><a href="tales.xhtml#bib">BIBLIOGRAPHY</a></li>
    <li><span>Hans Andersen</span><ol>
      <li><a href="tales.xhtml#t1">1 THE FIR TREE</a>
        <ol hidden="hidden"><li><a href="tales.xhtml#t1a">I. In the Forest</a></li></ol></li>
      <li><a href="tales.xhtml#t2">2 THE TINDER-BOX</a></li>
    </ol></li>
    <li><span>Oscar Wilde</span><ol><li><a href="tales.xhtml#t3">3 THE HAPPY PRINCE</a></li></ol></li>
  </ol></li>
</ol></nav>
<nav epub:type="landmarks" hidden=""><ol><li><a epub:type="bodymatter" href="tales.xhtml#t1">Begin</a></li></ol></nav>
<nav epub:type="page-list" hidden=""><ol>
  <li><a href="tales.xhtml#p1">1</a></li><li><a href="tales.xhtml#p2">2</a></li><li><a href="tales.xhtml#p3">3</a></li>
</ol></nav>
"""
COLLECTION_TEXT = f"""
<section id="sec"><div><span epub:type="pagebreak" id="p1" title="1">1</span></div>
  <h2>SECTION ONE: TALES</h2>
  <section id="bib" epub:type="bibliography"><h3>BIBLIOGRAPHY</h3><ol><li>Andersen, Fairy Tales.</li></ol></section>
  <section id="t1"><h3>1</h3><p>{LONG_INTRO}</p><h4>THE FIR TREE</h4>
    <section id="t1a"><h5>I. In the Forest</h5><p>Out in the forest stood a pretty little fir tree.</p></section>
  </section>
  <section id="t2"><h3>2</h3>
    <p>A soldier came marching<span epub:type="pagebreak" id="p2" title="2">2</span> along the road.</p></section>
  <section id="t3"><h3>3 THE HAPPY PRINCE</h3>
    <p>High above the city<sup><a epub:type="noteref" href="#fn1">1</a></sup> stood the statue.</p>
    <span epub:type="pagebreak" id="p3" title="3"/>
    <aside epub:type="footnote" id="fn1"><p>The city is not named.</p></aside></section>
</section>
"""


def read(path: Path):
    return epub.read(path.read_bytes(), path)


def summary(doc):
    return [(c.title, c.role, c.paragraphs) for c in doc.chapters]


def test_single_file_book_is_cut_at_the_anchors_of_its_nested_toc(make_epub):
    spec = EpubSpec(docs=[("tales.xhtml", COLLECTION_TEXT)], nav=COLLECTION_NAV, nav_in_spine=True)
    doc = read(make_epub(spec))
    assert summary(doc) == [
        ("BIBLIOGRAPHY", "front", ("SECTION ONE: TALES", "BIBLIOGRAPHY", "Andersen, Fairy Tales.")),
        (
            "1 THE FIR TREE",
            "body",
            (
                "1",
                LONG_INTRO.strip(),
                "THE FIR TREE",
                "I. In the Forest",
                "Out in the forest stood a pretty little fir tree.",
            ),
        ),
        ("2 THE TINDER-BOX", "body", ("2", "A soldier came marching along the road.")),
        (
            "3 THE HAPPY PRINCE",
            "body",
            ("3 THE HAPPY PRINCE", "High above the city stood the statue.", "The city is not named."),
        ),
    ]


def test_metadata_and_cover(make_epub):
    spec = EpubSpec(
        docs=[("a.xhtml", "<h1>One</h1><p>Text.</p>")],
        nav='<nav epub:type="toc"><ol><li><a href="a.xhtml">One</a></li></ol></nav>',
        title="Fables",
        authors=["Aesop", "Jean de La Fontaine"],
        language="fr",
        cover=PNG,
    )
    doc = read(make_epub(spec))
    assert (doc.title, doc.author, doc.language, doc.cover) == ("Fables", "Aesop, Jean de La Fontaine", "fr", PNG)
    assert doc.source is not None and doc.source.name == "book.epub"


FRONT_BACK_DOCS = [
    ("cover.xhtml", '<img src="cover.png" alt="Cover"/>'),
    ("title.xhtml", '<section epub:type="titlepage"><h1>A Test Book</h1><p>Ann Author</p></section>'),
    ("copyright.xhtml", '<section epub:type="copyright-page"><p>Copyright 2024 Ann Author.</p></section>'),
    ("ch1.xhtml", '<section epub:type="chapter"><h1>Chapter 1. Dawn</h1><p>Morning came.</p></section>'),
    ("ch1b.xhtml", "<p>Still morning, in a file of its own.</p>"),
    ("ch2.xhtml", '<section epub:type="chapter"><h1>Chapter 2</h1><p>Noon came.</p></section>'),
    ("thanks.xhtml", "<h1>Acknowledgments</h1><p>Thanks to all.</p>"),
    ("index.xhtml", '<section epub:type="index"><h1>Index</h1><p>dawn, 1</p></section>'),
]
FRONT_BACK_NAV = """<nav epub:type="toc"><ol>
<li><a href="title.xhtml">Title Page</a></li><li><a href="ch1.xhtml">Chapter 1</a></li>
<li><a href="ch2.xhtml">Chapter 2</a></li><li><a href="index.xhtml">Index</a></li></ol></nav>
<nav epub:type="landmarks"><ol><li><a epub:type="copyright-page" href="copyright.xhtml">Copyright</a></li></ol></nav>"""


def test_front_and_back_matter_are_kept_with_their_roles(make_epub):
    doc = read(make_epub(EpubSpec(docs=FRONT_BACK_DOCS, nav=FRONT_BACK_NAV)))
    assert summary(doc) == [
        ("Title Page", "front", ("A Test Book", "Ann Author")),
        ("Copyright", "front", ("Copyright 2024 Ann Author.",)),
        ("Chapter 1. Dawn", "body", ("Chapter 1. Dawn", "Morning came.", "Still morning, in a file of its own.")),
        ("Chapter 2", "body", ("Chapter 2", "Noon came.")),
        ("Acknowledgments", "back", ("Acknowledgments", "Thanks to all.")),
        ("Index", "back", ("Index", "dawn, 1")),
    ]
    assert [n for n, _ in doc.narrated_chapters()] == [3, 4]


PARTS_DOCS = [
    ("p1.xhtml", "<h1>Part One</h1>"),
    ("c1.xhtml", "<h2>First</h2><p>One.</p>"),
    ("c2.xhtml", "<h2>Second</h2><p>Two.</p>"),
    ("p2.xhtml", "<h1>Part Two</h1>"),
    ("c3.xhtml", "<h2>Third</h2><p>Three.</p>"),
]


def test_part_entries_give_way_to_their_chapters(make_epub):
    nav = """<nav epub:type="toc"><ol>
      <li><a href="p1.xhtml">Part One</a><ol>
        <li><a href="c1.xhtml">First</a></li><li><a href="c2.xhtml">Second</a></li></ol></li>
      <li><a href="p2.xhtml">Part Two</a><ol><li><a href="c3.xhtml">Third</a></li></ol></li></ol></nav>"""
    doc = read(make_epub(EpubSpec(docs=PARTS_DOCS, nav=nav)))
    assert summary(doc) == [
        ("First", "body", ("Part One", "First", "One.")),
        ("Second", "body", ("Second", "Two.")),
        ("Third", "body", ("Part Two", "Third", "Three.")),
    ]


def test_chapters_with_sections_stay_whole(make_epub):
    intro = "This chapter opens with a real introduction of some length. " * 8
    docs = [
        (
            "c1.xhtml",
            f'<h1>Chapter 1</h1><p>{intro}</p><h2 id="s1">Section A</h2><p>A.</p><h2 id="s2">Section B</h2><p>B.</p>',
        ),
        ("c2.xhtml", f'<h1>Chapter 2</h1><p>{intro}</p><h2 id="s3">Section C</h2><p>C.</p>'),
    ]
    nav = """<nav epub:type="toc"><ol>
      <li><a href="c1.xhtml">Chapter 1</a><ol>
        <li><a href="c1.xhtml#s1">Section A</a></li><li><a href="c1.xhtml#s2">Section B</a></li></ol></li>
      <li><a href="c2.xhtml">Chapter 2</a><ol><li><a href="c2.xhtml#s3">Section C</a></li></ol></li></ol></nav>"""
    doc = read(make_epub(EpubSpec(docs=docs, nav=nav)))
    assert [(c.title, c.paragraphs[2:]) for c in doc.chapters] == [
        ("Chapter 1", ("Section A", "A.", "Section B", "B.")),
        ("Chapter 2", ("Section C", "C.")),
    ]


def test_ncx_is_used_when_there_is_no_nav(make_epub):
    toc = [
        ebooklib_epub.Link("c1.xhtml", "First", "n1"),
        (ebooklib_epub.Section("Part Two", href="p2.xhtml"), [ebooklib_epub.Link("c3.xhtml", "Third", "n3")]),
    ]
    docs = [("c1.xhtml", "<h2>First</h2><p>One.</p>"), ("p2.xhtml", "<h1>Part Two</h1>"), ("c3.xhtml", "<p>Three.</p>")]
    doc = read(make_epub(EpubSpec(docs=docs, ncx_toc=toc)))
    assert summary(doc) == [("First", "body", ("First", "One.")), ("Third", "body", ("Part Two", "Three."))]


def test_spine_documents_are_the_chapters_when_the_toc_is_empty(make_epub):
    docs = [("a.xhtml", "<h1>Alpha</h1><p>A.</p>"), ("b.xhtml", "<h1>Beta</h1><p>B.</p>")]
    doc = read(make_epub(EpubSpec(docs=docs, nav='<nav epub:type="toc"><ol></ol></nav>')))
    assert summary(doc) == [("Alpha", "body", ("Alpha", "A.")), ("Beta", "body", ("Beta", "B."))]


def test_toc_entries_out_of_spine_order_are_read_in_spine_order(make_epub):
    docs = [("a.xhtml", "<p>A.</p>"), ("b.xhtml", "<p>B.</p>")]
    nav = '<nav epub:type="toc"><ol><li><a href="b.xhtml">Bee</a></li><li><a href="a.xhtml">Ay</a></li></ol></nav>'
    assert summary(read(make_epub(EpubSpec(docs=docs, nav=nav)))) == [
        ("Ay", "body", ("A.",)),
        ("Bee", "body", ("B.",)),
    ]


ENCRYPTION = """<?xml version="1.0"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData><enc:EncryptionMethod Algorithm="{algorithm}"/>
    <enc:CipherData><enc:CipherReference URI="{uri}"/></enc:CipherData></enc:EncryptedData>
</encryption>"""
SIMPLE = {
    "docs": [("a.xhtml", "<p>Text.</p>")],
    "nav": '<nav epub:type="toc"><ol><li><a href="a.xhtml">A</a></li></ol></nav>',
}


def test_drm_encrypted_content_is_refused(make_epub):
    xml = ENCRYPTION.format(algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc", uri="EPUB/a.xhtml")
    path = make_epub(EpubSpec(**SIMPLE, extra_files={"META-INF/encryption.xml": xml.encode()}))
    with pytest.raises(IngestError, match="DRM"):
        read(path)


def test_obfuscated_fonts_are_not_drm(make_epub):
    xml = ENCRYPTION.format(algorithm="http://www.idpf.org/2008/embedding", uri="EPUB/fonts/serif.otf")
    path = make_epub(EpubSpec(**SIMPLE, extra_files={"META-INF/encryption.xml": xml.encode()}))
    assert read(path).chapters[0].paragraphs == ("Text.",)


def test_a_damaged_package_is_refused_with_its_cause(make_epub, tmp_path):
    good = make_epub(EpubSpec(**SIMPLE))
    broken = tmp_path / "broken.epub"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(IngestError, match="damaged") as info:
        read(broken)
    assert info.value.__cause__ is not None


def test_a_zip_without_a_package_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "empty.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
    with pytest.raises(IngestError, match="damaged"):
        read(path)


def test_ebooklib_writes_what_the_fixtures_promise(make_epub):
    # guards the fixture: the custom nav must reach the book as its navigation document
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = ebooklib_epub.read_epub(str(make_epub(EpubSpec(**SIMPLE))), {"ignore_ncx": True})
    assert any(isinstance(item, ebooklib_epub.EpubNav) for item in book.get_items())


def test_a_tiny_book_titled_like_its_only_chapter_is_still_narrated(make_epub):
    spec = EpubSpec(
        docs=[("a.xhtml", "<h1>Haiku</h1><p>An old silent pond.</p>")],
        nav='<nav epub:type="toc"><ol><li><a href="a.xhtml">Haiku</a></li></ol></nav>',
        title="Haiku",
    )
    assert summary(read(make_epub(spec))) == [("Haiku", "body", ("Haiku", "An old silent pond."))]


def test_ruby_annotations_are_not_read_twice(make_epub):
    spec = EpubSpec(
        docs=[("a.xhtml", "<p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rt>じ</rt></ruby>を読む。</p>")],
        nav='<nav epub:type="toc"><ol><li><a href="a.xhtml">一</a></li></ol></nav>',
        language="ja",
    )
    doc = read(make_epub(spec))
    assert (doc.language, doc.chapters[0].paragraphs) == ("ja", ("漢字を読む。",))


def test_matter_marked_frontmatter_is_front_even_at_the_end(make_epub):
    docs = [
        ("ch1.xhtml", "<h1>One</h1><p>Story.</p>"),
        ("rights.xhtml", '<section epub:type="frontmatter copyright-page"><p>All rights reserved.</p></section>'),
    ]
    nav = '<nav epub:type="toc"><ol><li><a href="ch1.xhtml">One</a></li><li><a href="rights.xhtml">Rights</a></li></ol></nav>'
    assert [(c.title, c.role) for c in read(make_epub(EpubSpec(docs=docs, nav=nav))).chapters] == [
        ("One", "body"),
        ("Rights", "front"),
    ]
