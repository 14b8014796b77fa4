import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxweave.text.normalize import LANGUAGES, normalize, rules_for

ENGLISH_CASES = [
    # whitespace, quotes, dashes
    ("  Hello \n\t world  ", "Hello world"),
    ("\u201cIt\u2019s fine,\u201d she said.", "\"It's fine,\" she said."),
    ("Wait\u2014what?", "Wait, what?"),
    ("He paused -- then left.", "He paused, then left."),
    ("He said \u2014 quietly \u2014 no.", "He said, quietly, no."),
    ("\"I was\u2014\"", "\"I was...\""),
    ("\u2014 Hello, said Ann.", "Hello, said Ann."),
    ("Paris\u2013Berlin", "Paris - Berlin"),
    ("\ufb01ne\u00a0day", "fine day"),
    # numbers
    ("I have 3 cats.", "I have three cats."),
    ("It is 1,234,567.", "It is one million two hundred and thirty-four thousand five hundred and sixty-seven."),
    ("the 1st, 22nd and 103rd", "the first, twenty-second and one hundred and third"),
    ("Pi is 3.14.", "Pi is three point one four."),
    ("It was -5 degrees.", "It was minus five degrees."),
    ("about .5 of it", "about point five of it"),
    ("Agent 007", "Agent zero zero seven"),
    ("ISBN 9780306406157123", "ISBN nine seven eight zero three zero six four zero six one five seven one two three"),
    ("Up 45% today, 3.5 % yesterday.", "Up forty-five percent today, three point five percent yesterday."),
    ("pages 10-20 and 1990\u20131995", "pages ten to twenty and nineteen ninety to nineteen ninety-five"),
    ("call 555-123-4567", "call five five five, one two three, four five six seven"),
    ("version 1.2.3", "version one point two point three"),
    ("A 5km run, H2O and v2", "A five km run, H two O and v two"),
    ("1\u00a0000 people", "one thousand people"),
    # currency
    ("It costs $5.", "It costs five dollars."),
    ("It costs $3.50.", "It costs three dollars and fifty cents."),
    ("$1.01", "one dollar and one cent"),
    ("$0.99", "ninety-nine cents"),
    ("Pay \u00a320 now.", "Pay twenty pounds now."),
    ("\u20ac1,000", "one thousand euros"),
    ("5 USD", "five dollars"),
    ("$2.5 billion", "two point five billion dollars"),
    ("-$5", "minus five dollars"),
    ("\u00a5500", "five hundred yen"),
    # years and dates
    ("In 1999 we met.", "In nineteen ninety-nine we met."),
    ("2000, 2005, 2024", "two thousand, two thousand and five, twenty twenty-four"),
    ("the 1990s and the '60s", "the nineteen nineties and the sixties"),
    ("2024-03-05", "March fifth, twenty twenty-four"),
    ("On 5 March 2024 we left.", "On the fifth of March twenty twenty-four we left."),
    ("March 5, 2024", "March fifth, twenty twenty-four"),
    ("On 1st May we met.", "On the first of May we met."),
    ("Sept. 11", "September eleventh"),
    # times
    ("at 10:30 am", "at ten thirty a.m."),
    ("at 10:30 PM", "at ten thirty p.m."),
    ("at 10am sharp", "at ten a.m. sharp"),
    ("at 7 p.m. on Sunday", "at seven p.m. on Sunday"),
    ("at 14:05", "at fourteen oh five"),
    ("at 9:00", "at nine o'clock"),
    # abbreviations
    ("Mr. and Mrs. Smith", "Mister and Missus Smith"),
    ("Dr. Jones lives on Elm Dr.", "Doctor Jones lives on Elm Drive."),
    ("St. Paul lived on Main St. The house is gone.", "Saint Paul lived on Main Street. The house is gone."),
    ("Prof. Xavier and Dr.Who", "Professor Xavier and Doctor Who"),
    ("Fruit, e.g. apples, i.e. red ones, etc.", "Fruit, for example apples, that is red ones, et cetera."),
    ("Apples, pears, etc. Then we left.", "Apples, pears, et cetera. Then we left."),
    ("Ali vs. Frazier", "Ali versus Frazier"),
    ("No. 7", "number seven"),
    # addresses and symbols
    ("Visit https://www.example.com.", "Visit example dot com."),
    ("See www.example.org/docs/page_one?x=1#top now.", "See example dot org slash docs slash page underscore one now."),
    ("mail john.doe@example.co.uk", "mail john dot doe at example dot co dot uk"),
    ("A & B, C++", "A and B, C plus plus"),
    ("2 + 2 = 4", "two plus two equals four"),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH_CASES)
def test_english(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Il a 1.234,5 kilos et 45 %", "fr", "Il a mille deux cent trente-quatre virgule cinq kilos et quarante-cinq pour cent"),
        ("Es kostet 5 \u20ac im Jahr 1999", "de", "Es kostet fünf Euro im Jahr neunzehnhundertneunundneunzig"),
        ("Tengo 3,5 euros", "es", "Tengo tres coma cinco euros"),
        ("Costa 2,5 \u20ac", "it", "Costa due euro e cinquanta centesimi"),
        ("2024\u5e74\u306b3.5%", "ja", "\u4e8c\u5343\u4e8c\u5341\u56db\u5e74\u306b\u4e09\u70b9\u4e94\u30d1\u30fc\u30bb\u30f3\u30c8"),
        ("Tenho 5 anos", "pt-BR", "Tenho cinco anos"),
        ("I have 3 cats", "en-GB", "I have three cats"),
        ("I have 3 cats", "en_US", "I have three cats"),
    ],
)
def test_other_languages(text: str, language: str, expected: str) -> None:
    assert normalize(text, language) == expected


@pytest.mark.parametrize("language", ["ru", "xx", "zh"])
def test_unsupported_language_keeps_digits_but_still_tidies(language: str) -> None:
    assert rules_for(language) is None
    assert normalize("  \u041e\u043d\u2014 5 \u043b\u0435\u0442,  $3  ", language) == "\u041e\u043d, 5 \u043b\u0435\u0442, $3"


def test_every_language_entry_speaks_numbers() -> None:
    for language in LANGUAGES:
        assert not any(ch.isdigit() for ch in normalize("1 2.5 -3 40% 1999", language)), language


# Pieces that exercise every rule, so generated text meets the rules' edges and each other.
_TOKENS = [*"0123456789 .,-:;$\u00a3\u20ac\u00a5%&+=@/#'\"\u2014\u2013!?()aAeEgGiIsStTrRDMmpPxX\n\u00a0\u2026\u201c\u201d\u2019",
           "Mr", "Dr", "St", "e.g.", "i.e", "etc.", "vs", "Jr.", "No.", " am", "pm", "a.m.", "March ", "Jan. ",
           "st", "th", "www.", ".com", "http://", "USD", "1999", "s", " The ", "million", " Main", "--", "Prof."]
_TEXT = st.one_of(st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join), st.text(max_size=60))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.sampled_from(["en", "en", "de", "fr", "ja", "xx"]))
def test_idempotent(text: str, language: str) -> None:
    once = normalize(text, language)
    assert normalize(once, language) == once


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_output_is_one_tidy_line(text: str) -> None:
    result = normalize(text)
    assert result == result.strip()
    assert "\n" not in result and "  " not in result
