import pytest

from voxweave.text.selection import parse_chapter_selection


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("1-3,7", [1, 2, 3, 7]),
        (" 1 - 3 , 7 ", [1, 2, 3, 7]),
        ("7,1-3", [1, 2, 3, 7]),
        ("2,2,1-3", [1, 2, 3]),
        ("18-", [18, 19, 20]),
        ("20", [20]),
        ("1\u20133", [1, 2, 3]),  # an en dash, as word processors type it
        ("1, 2,", [1, 2]),  # a stray comma is harmless
    ],
)
def test_valid(spec: str, expected: list[int]) -> None:
    assert parse_chapter_selection(spec, 20) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no chapters selected"),
        (" , ", "no chapters selected"),
        ("abc", "cannot read 'abc' as chapters"),
        ("1-2-3", "cannot read '1-2-3' as chapters"),
        ("-3", "cannot read '-3' as chapters"),
        ("1.5", "cannot read '1.5' as chapters"),
        ("\u0663", "cannot read"),  # digits of other scripts are not chapter numbers
        ("0", "chapters are numbered from 1"),
        ("0-3", "chapters are numbered from 1"),
        ("5-3", "'5-3' runs backwards: did you mean 3-5?"),
        ("25", "chapter 25 does not exist: the document has 20 chapters"),
        ("3-25", "chapter 25 does not exist: the document has 20 chapters"),
        ("21-", "chapter 21 does not exist: the document has 20 chapters"),
    ],
)
def test_invalid(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_chapter_selection(spec, 20)


def test_singular_chapter_count() -> None:
    with pytest.raises(ValueError, match="the document has 1 chapter$"):
        parse_chapter_selection("2", 1)


def test_negative_chapter_count() -> None:
    with pytest.raises(ValueError, match="chapter_count"):
        parse_chapter_selection("1", -1)
