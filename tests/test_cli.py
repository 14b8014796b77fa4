"""The command line as a script would use it: real files, the real default engine, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pysubs2
import pytest
from ebooklib import epub

from tests.speech_check import SPEECH_MIN_OVERLAP, transcribe, word_overlap
from voxweave.audio import load_audio, media_duration, read_chapters
from voxweave.cli import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main

STORIES = {
    "The Red Kite": "The red kite flew over the green hill.",
    "The Old Boat": "An old boat rested on the sand. The water was calm.",
    "The Small Bird": "A small bird sang in the morning light.",
}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """An EPUB 3 with a nav, a copyright page, and three one-file stories."""
    book = epub.EpubBook()
    book.set_identifier("vw-cli-test")
    book.set_title("Three Short Stories")
    book.set_language("en")
    book.add_author("Test Author")
    items = []
    for number, (title, text) in enumerate(STORIES.items(), start=1):
        item = epub.EpubHtml(title=title, file_name=f"story{number}.xhtml", lang="en")
        item.content = f"<html><body><h1>{title}</h1><p>{text}</p></body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = tuple(items)
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    path = tmp_path_factory.mktemp("book") / "stories.epub"
    epub.write_epub(str(path), book)
    return path


def test_chapters_lists_the_stories(book, capsys):
    assert main(["chapters", str(book)]) == EXIT_OK
    out = capsys.readouterr().out
    assert all(title in out for title in STORIES)


@pytest.mark.slow
def test_narrate_two_chapters_into_m4b_with_subtitles(book, tmp_path, capsys):
    code = main(["narrate", str(book), "--chapters", "2-3", "-o", str(tmp_path), "--format", "m4b",
                 "--subtitles", "srt,vtt,ass", "--quiet"])
    assert code == EXIT_OK, capsys.readouterr().err
    audio = tmp_path / "stories.m4b"
    duration = media_duration(audio, exact=True)
    assert [m.title for m in read_chapters(audio)] == ["The Old Boat", "The Small Bird"]
    for fmt in ("srt", "vtt", "ass"):
        cues = pysubs2.load(str(tmp_path / f"stories.{fmt}"))
        assert len(cues) >= 4
        assert 0 <= duration - cues[-1].end / 1000 <= 0.5
    heard = transcribe(load_audio(audio, 16_000), 16_000)
    expected = " ".join([*list(STORIES)[1:], *list(STORIES.values())[1:]])
    assert word_overlap(expected, heard) >= SPEECH_MIN_OVERLAP, heard
    assert "red kite" not in heard.lower()


@pytest.mark.parametrize("args, code, message", [
    (["narrate", "missing.epub"], EXIT_INPUT, "missing.epub"),
    (["narrate", "{book}", "--chapters", "9"], EXIT_USAGE, "chapter 9 does not exist"),
    (["narrate", "{book}", "--format", "aiff"], EXIT_USAGE, "unknown audio format"),
    (["narrate", "{book}", "--subtitles", "sub"], EXIT_USAGE, "unknown subtitle format"),
    (["narrate", "{book}", "--voice", "nosuch:voice"], 4, "nosuch"),
])
def test_bad_requests_get_one_clear_line_and_an_exit_code(book, tmp_path, capsys, args, code, message):
    args = [a.replace("{book}", str(book)) for a in args] + ["-o", str(tmp_path), "--quiet"]
    assert main(args) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.m4b"))


def test_an_unreadable_file_is_refused(tmp_path, capsys):
    junk = tmp_path / "notes.txt"
    junk.write_bytes(bytes(range(256)) * 4)
    assert main(["chapters", str(junk)]) == EXIT_INPUT
    assert "notes.txt" in capsys.readouterr().err


def test_engines_says_which_work(capsys):
    assert main(["engines"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "kokoro-onnx" in out and "espeak" in out and "available" in out


def test_the_installed_command_runs():
    result = subprocess.run([sys.executable, "-m", "voxweave.cli", "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "voxweave" in result.stdout
