"""Small text helpers every reader shares: decoding bytes, cleaning strings, joining wrapped lines."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import charset_normalizer

from voxweave.errors import IngestError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: charset-normalizer ranks the single-byte Latin code pages almost at random on short texts
#: (cp1250, cp1257 and cp1252 all "fit" French); cp1252 is by far the most common of them, so it
#: wins whenever it is among the near-best guesses.
_PREFERRED_LEGACY = "cp1252"
_CHAOS_TOLERANCE = 0.1
#: Share of control characters above which decoded "text" is really binary data.
_MAX_CONTROL_SHARE = 0.005

# Characters that carry no sound: soft hyphen, zero-width space/joiners, word joiner, BOM.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_HYPHENS = ("-", "\u2010")
_LONGEST_WORD = 64
_WORDS = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_LAST_WORD = re.compile(r"[^\W\d_]+$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")


def clean(text: str) -> str:
    """Plain text on one line: invisible characters removed, any run of whitespace one space."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def title_from_path(path: Path) -> str:
    """A readable title from a file name: 'moby_dick-v2.txt' -> 'moby dick v2'."""
    return clean(re.sub(r"[_\-.]+", " ", path.stem)) or path.name


class Hyphenation:
    """Decides, for a word split at a line end ('narra-' / 'tion'), whether the hyphen goes.

    The document itself is the dictionary: if it spells 'narration' elsewhere the hyphen goes,
    if it spells 'higgledy-piggledy' the hyphen stays. Otherwise the format decides: print
    (PDF) hyphenates syllables, plain text files mostly break lines at real compounds.
    """

    def __init__(self, text: str, *, undo_by_default: bool) -> None:
        self._words = frozenset(w.casefold() for w in _WORDS.findall(text))
        self._undo_by_default = undo_by_default

    def drops_hyphen(self, before: str, after: str) -> bool:
        joined, compound = f"{before}{after}".casefold(), f"{before}-{after}".casefold()
        if (joined in self._words) != (compound in self._words):
            return joined in self._words
        return self._undo_by_default


_UNDO = Hyphenation("", undo_by_default=True)


def join_lines(lines: list[str], hyphenation: Hyphenation = _UNDO) -> str:
    """Joins the hard-wrapped lines of one paragraph, deciding line-end hyphens by `hyphenation`.

    A hyphen before a capital or a digit ('Jean-' / 'Paul') always stays, with no space.
    """
    pieces: list[str] = []  # joined once at the end: a PDF paragraph may run to thousands of lines
    for raw in lines:
        line = clean(raw)
        if not line:
            continue
        if not pieces or not _ends_with_hyphen(pieces[-1]):
            pieces.append(line)
            continue
        last = pieces[-1]
        before = _LAST_WORD.search(last[-_LONGEST_WORD:-1])
        after = _FIRST_WORD.match(line)
        if line[0].islower() and before and after and hyphenation.drops_hyphen(before.group(), after.group()):
            pieces[-1] = last[:-1] + line
        else:
            pieces[-1] = last + line
    return " ".join(pieces)


def _ends_with_hyphen(text: str) -> bool:
    """'narra-' yes; '19-' and ' - ' no: only a hyphen right after a letter splits a word."""
    return len(text) > 1 and text.endswith(_HYPHENS) and text[-2].isalpha()


def decode(data: bytes, path: Path) -> str:
    """Text from bytes in any common encoding, BOM or not; binary data is refused."""
    text = _decode(data)
    if text is None or looks_binary(text):
        raise IngestError(path, "this is not a text file (it holds binary data)")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _decode(data: bytes) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _guess(data)


def _guess(data: bytes) -> str | None:
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    for match in matches:
        if match.chaos <= best + _CHAOS_TOLERANCE and _PREFERRED_LEGACY in match.could_be_from_charset:
            try:
                return data.decode(_PREFERRED_LEGACY)
            except UnicodeDecodeError:
                break
    return str(matches[0])


def looks_binary(text: str) -> bool:
    """True when decoded text holds NUL or many control characters: binary data, not text."""
    if "\x00" in text:
        return True
    return len(_CONTROLS.findall(text)) > len(text) * _MAX_CONTROL_SHARE
