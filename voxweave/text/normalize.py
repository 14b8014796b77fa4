"""Normalisation for speech: text as the engine should read it, numbers and symbols in words.

`normalize` is a pure function built from small stages run in order. The stages that know a
language (number words, months, abbreviations, currency names) read a `LanguageRules` entry from
`LANGUAGES`; a language without an entry keeps its digits rather than get English words.
Stages run in an order where no later stage writes text an earlier one would still change, so
`normalize` is idempotent (a property test holds it to that).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from num2words import num2words

# Integers longer than this are identifiers (ISBNs, card numbers): read digit by digit.
MAX_DIGITS_AS_NUMBER = 15
# Four-digit integers in this range are read as years ("nineteen ninety-nine").
YEAR_RANGE = range(1100, 2100)
# The tidy stage only shrinks text, so it reaches a fixed point; this bounds it anyway.
MAX_TIDY_PASSES = 8


@dataclass(frozen=True)
class Currency:
    unit: str
    units: str
    subunit: str | None = None  # None: amounts are read as decimals ("five point five yen")
    subunits: str | None = None


@dataclass(frozen=True)
class DateWords:
    months: tuple[str, ...]  # January..December
    abbreviations: Mapping[str, int]  # "Jan" -> 1
    day_first: str  # "5 March" as spoken: "the {day} of {month}"
    month_first: str  # "March 5" as spoken: "{month} {day}"
    ordinal_suffix: str = ""  # regex of what may follow the day: "st|nd|rd|th"


@dataclass(frozen=True)
class ClockWords:
    am: str
    pm: str
    o_clock: str  # "ten o'clock"
    oh: str  # "ten oh five"


# Compared by identity (eq=False), so the patterns built from an entry can be cached per entry.
@dataclass(frozen=True, eq=False)
class LanguageRules:
    """What normalisation needs to know about one language. Empty tables switch their rule off."""

    num2words_lang: str
    point_word: str  # between the integer and fraction digits of a decimal
    minus_word: str
    percent_word: str
    range_word: str | None = None  # "10-20" -> "10 to 20"; None: leave ranges alone
    and_word: str = "and"  # between currency units and subunits
    joiner: str = " "  # between words; "" for languages written without spaces
    decimal_mark: str = "."
    group_mark: str = ","
    read_years: bool = False  # four-digit numbers as years: English "nineteen ninety-nine"
    symbols: Mapping[str, str] = field(default_factory=dict)
    currencies: Mapping[str, Currency] = field(default_factory=dict)  # "$", "USD", "€" -> names
    scale_words: tuple[str, ...] = ()  # "$5 million" -> "five million dollars"
    ordinal_suffix: str | None = None  # regex of ordinal suffixes after digits ("st|nd|rd|th")
    plural_decades: bool = False  # "1990s" -> "nineteen nineties" (English plurals)
    dates: DateWords | None = None
    clock: ClockWords | None = None
    url_words: Mapping[str, str] = field(default_factory=dict)  # ".", "@", "/", "-", "_"
    # (regex, words, may end a sentence); a regex starts at a word start, and "\b" in it is a word end
    abbreviations: tuple[tuple[str, str, bool], ...] = ()
    # Abbreviations that are a title before a name and a place after one: "Dr." -> Doctor / Drive.
    title_or_place: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    sentence_openers: frozenset[str] = frozenset()  # capitalised words that usually start a sentence


_USD = Currency("dollar", "dollars", "cent", "cents")
_GBP = Currency("pound", "pounds", "penny", "pence")
_EUR = Currency("euro", "euros", "cent", "cents")
_JPY = Currency("yen", "yen")
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

ENGLISH = LanguageRules(
    num2words_lang="en",
    point_word="point",
    minus_word="minus",
    percent_word="percent",
    range_word="to",
    read_years=True,
    symbols={"&": "and", "+": "plus", "=": "equals", "%": "percent", "@": "at"},
    currencies={
        "$": _USD, "USD": _USD,
        "£": _GBP, "GBP": _GBP, "€": _EUR, "EUR": _EUR, "¥": _JPY, "JPY": _JPY,
    },
    scale_words=("thousand", "million", "billion", "trillion"),
    ordinal_suffix="st|nd|rd|th",
    plural_decades=True,
    dates=DateWords(
        months=_EN_MONTHS,
        abbreviations={m[:3]: i for i, m in enumerate(_EN_MONTHS, start=1)} | {"Sept": 9},
        day_first="the {day} of {month}",
        month_first="{month} {day}",
        ordinal_suffix="st|nd|rd|th",
    ),
    clock=ClockWords(am="a.m.", pm="p.m.", o_clock="o'clock", oh="oh"),
    url_words={".": "dot", "@": "at", "/": "slash", "-": "dash", "_": "underscore", "+": "plus"},
    abbreviations=(
        # Titles stand before a name, so they never end a sentence.
        (r"Mrs\b\.?", "Missus", False),
        (r"Mr\b\.?", "Mister", False),
        (r"Ms\.", "Miz", False),
        (r"Prof\.", "Professor", False),
        (r"Jr\.", "Junior", True),
        (r"Sr\.", "Senior", True),
        (r"[Ee]\.[Gg]\b\.?", "for example", False),
        (r"[Ii]\.[Ee]\b\.?", "that is", False),
        (r"[Ee]tc\.", "et cetera", True),
        (r"vs\b\.?", "versus", False),
        (r"approx\.", "approximately", False),
        (r"No\.(?= ?\d)", "number", False),
    ),
    title_or_place={"Dr": ("Doctor", "Drive"), "St": ("Saint", "Street")},
    sentence_openers=frozenset(
        "The A An He She It They We I You His Her Its Their Our My But And Then There This That"
        " These Those In On At After When".split()
    ),
)


def _european(lang: str, point: str, minus: str, percent: str, symbols: dict[str, str],
              euro: Currency, and_word: str, **rest: object) -> LanguageRules:
    """Continental rules: decimal comma, group dot, euros after the amount."""
    return LanguageRules(
        num2words_lang=lang, point_word=point, minus_word=minus, percent_word=percent,
        decimal_mark=",", group_mark=".", symbols=symbols, currencies={"€": euro, "EUR": euro},
        and_word=and_word, **rest,  # type: ignore[arg-type]
    )


LANGUAGES: dict[str, LanguageRules] = {
    "en": ENGLISH,
    "fr": _european("fr", "virgule", "moins", "pour cent", {"&": "et", "+": "plus", "%": "pour cent"},
                    Currency("euro", "euros", "centime", "centimes"), "et", range_word="à"),
    "de": _european("de", "Komma", "minus", "Prozent", {"&": "und", "+": "plus", "%": "Prozent"},
                    Currency("Euro", "Euro", "Cent", "Cent"), "und", range_word="bis", read_years=True),
    "es": _european("es", "coma", "menos", "por ciento", {"&": "y", "+": "más", "%": "por ciento"},
                    Currency("euro", "euros", "céntimo", "céntimos"), "con", range_word="a"),
    "it": _european("it", "virgola", "meno", "per cento", {"&": "e", "+": "più", "%": "per cento"},
                    Currency("euro", "euro", "centesimo", "centesimi"), "e", range_word="a"),
    "pt": _european("pt", "vírgula", "menos", "por cento", {"&": "e", "+": "mais", "%": "por cento"},
                    Currency("euro", "euros", "cêntimo", "cêntimos"), "e", range_word="a"),
    "ja": LanguageRules(num2words_lang="ja", point_word="点", minus_word="マイナス",
                        percent_word="パーセント", joiner="", symbols={"%": "パーセント"}),
}


def rules_for(language: str) -> LanguageRules | None:
    """The rules for a language tag ("en", "en-GB", "pt_BR"), or None when it has none."""
    tag = language.strip().lower().replace("_", "-")
    return LANGUAGES.get(tag) or LANGUAGES.get(tag.split("-")[0])


def normalize(text: str, language: str = "en") -> str:
    """`text` as the engine should read it: one line, plain punctuation, numbers and symbols in words."""
    rules = rules_for(language)
    text = _tidy(_dashes(_tidy(_plain_characters(text))))
    if rules is not None:
        for stage in _LANGUAGE_STAGES:
            text = stage(text, rules)
    return _tidy(text)


# --- language-neutral stages -------------------------------------------------------------------

# Typographic marks mapped to the plain ones engines and later rules expect.
_CHARACTER_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "«": '"', "»": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-", "\u2015": "\u2014",
    "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
})
# Thin and no-break spaces inside numbers ("1 000 000") are group separators, not word breaks.
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)[\u00a0\u202f\u2009](?=\d{3}(?!\d))")


def _plain_characters(text: str) -> str:
    text = _SPACE_IN_NUMBER.sub("", text)
    # NFKC folds ligatures from PDFs (ﬁ), full-width digits and "…" into what engines read.
    text = unicodedata.normalize("NFKC", text).translate(_CHARACTER_MAP)
    return unicodedata.normalize("NFKC", text)


_WHITESPACE = re.compile(r"\s+")
# Only before punctuation that closes something: " .com" must not be glued into "word.com".
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +(?=[,.;:!?]+(?:[\s\"')\]]|$))")
_COMMA_BEFORE_PUNCTUATION = re.compile(r"[,;:] ?(?=[,.;:!?])")
_LEADING_PAUSE = re.compile(r"^[,;:] ?")


def _tidy(text: str) -> str:
    """One line, single spaces, no stray pauses. Every rule shrinks the text, so this converges."""
    for _ in range(MAX_TIDY_PASSES):
        tidied = _WHITESPACE.sub(" ", text).strip()
        tidied = _SPACE_BEFORE_PUNCTUATION.sub("", tidied)
        tidied = _COMMA_BEFORE_PUNCTUATION.sub("", tidied)
        tidied = _LEADING_PAUSE.sub("", tidied)
        if tidied == text:
            break
        text = tidied
    return text


_DIGIT_DASH = re.compile(r"(?<=\d) ?\u2013 ?(?=\d)")
_DASH = re.compile(r" ?(?:[\u2013\u2014]|--+)(?:[ \u2013\u2014]|-(?=-))* ?")
_CLOSING = frozenset(".,;:!?")


def _dashes(text: str) -> str:
    """Dashes become the pause a reader makes: a comma, or "..." when speech breaks off."""
    text = _DIGIT_DASH.sub("-", text)  # "1990–1995" is a range, read later as "to"
    return _DASH.sub(lambda m: _dash_pause(m, text), text)


def _dash_pause(match: re.Match[str], text: str) -> str:
    after = text[match.end():match.end() + 2]
    if match.start() == 0:
        return ""  # a dialogue dash opening the paragraph
    if after[:1] in _CLOSING:
        return ""  # the punctuation that follows already pauses
    opening_quote = after[:1] in "\"'" and after[1:2].isalnum()
    if not after or (after[:1] in "\"')]" and not opening_quote):
        return "..."  # speech broken off: "I was—"
    # "Paris–Berlin" is a pair, read with a short break; "word—word" and " – " are asides.
    return " - " if match.group() == "\u2013" else ", "


# --- language stages ---------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _number_pattern(rules: LanguageRules) -> str:
    """Regex of an unsigned number in this language: groups ("1,000") and decimals ("3.5")."""
    group, point = re.escape(rules.group_mark), re.escape(rules.decimal_mark)
    return rf"(?:\d{{1,3}}(?:{group}\d{{3}})+(?!\d)|\d+)(?:{point}\d+)?"


_SIGN = r"(?<![^\s(\[{\"'])-"  # a minus sign only where a word could start


def _words(number: int, rules: LanguageRules, to: str = "cardinal") -> str:
    # num2words puts commas inside big numbers ("one thousand, two hundred"): no pause is wanted.
    return num2words(number, lang=rules.num2words_lang, to=to).replace(",", "")


def _digits(digits: str, rules: LanguageRules) -> str:
    return rules.joiner.join(_words(int(d), rules) for d in digits)


def say_number(written: str, rules: LanguageRules, *, as_year: bool = False) -> str:
    """Words for a number as written in this language: "-1,234.5" -> "minus one thousand ..."."""
    negative = written.startswith("-")
    body = written.lstrip("-")
    whole, _, fraction = body.partition(rules.decimal_mark)
    grouped = rules.group_mark in whole
    whole = whole.replace(rules.group_mark, "")
    if (len(whole) > 1 and whole.startswith("0") and not grouped) or len(whole) > MAX_DIGITS_AS_NUMBER:
        words = _digits(whole, rules)
    elif as_year and _is_year(whole, rules) and not (negative or fraction or grouped):
        words = _words(int(whole), rules, to="year")
    else:
        words = _words(int(whole), rules)
    if fraction:
        words = rules.joiner.join((words, rules.point_word, _digits(fraction, rules)))
    return rules.joiner.join((rules.minus_word, words)) if negative else words


def _is_year(whole: str, rules: LanguageRules) -> bool:
    return rules.read_years and int(whole) in YEAR_RANGE


@lru_cache(maxsize=None)
def _currency_patterns(rules: LanguageRules) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Amounts with the unit before ("$5", "-£3.50") and after ("5 USD", "5 €", "$2 million")."""
    number = _number_pattern(rules)
    units = "|".join(re.escape(s) for s in sorted(rules.currencies, key=len, reverse=True))
    scale = rf"(?: (?P<scale>{'|'.join(rules.scale_words)})\b)?" if rules.scale_words else ""
    before = re.compile(rf"(?P<sign>{_SIGN})?(?P<unit>{units}) ?(?P<amount>{number}){scale}")
    after = re.compile(
        rf"(?P<sign>{_SIGN})?(?<![\d.,])(?P<amount>{number}){scale} ?(?P<unit>{units})(?!\w)"
    )
    return before, after


def _currency(text: str, rules: LanguageRules) -> str:
    if not rules.currencies:
        return text

    def say(m: re.Match[str]) -> str:
        amount = ("-" if m["sign"] else "") + m["amount"]
        return say_amount(amount, rules.currencies[m["unit"]], rules, m.groupdict().get("scale"))

    for pattern in _currency_patterns(rules):
        text = pattern.sub(say, text)
    return text


def say_amount(amount: str, currency: Currency, rules: LanguageRules, scale: str | None = None) -> str:
    """ "3.50" -> "three dollars and fifty cents"; "2.5" billion -> "two point five billion dollars"."""
    whole, _, fraction = amount.partition(rules.decimal_mark)
    whole_value = int(whole.lstrip("-").replace(rules.group_mark, ""))
    if scale or currency.subunit is None or len(fraction) > 2:
        words = say_number(amount, rules)
        return rules.joiner.join(filter(None, (words, scale, currency.units)))
    sign = rules.minus_word + rules.joiner if amount.startswith("-") else ""
    cents = int(fraction.ljust(2, "0")) if fraction else 0
    parts = []
    if whole_value or not cents:
        unit = currency.unit if whole_value == 1 else currency.units
        parts.append(rules.joiner.join((_words(whole_value, rules), unit)))
    if cents:
        subunit = currency.subunit if cents == 1 else currency.subunits
        parts.append(rules.joiner.join((_words(cents, rules), subunit or "")))
    return sign + f"{rules.joiner}{rules.and_word}{rules.joiner}".join(parts)


def _dates(text: str, rules: LanguageRules) -> str:
    """ISO "2024-03-05", "5 March 2024" and "March 5, 2024", where the language has month names."""
    words = rules.dates
    if words is None:
        return text
    names = {m: i for i, m in enumerate(words.months, start=1)} | dict(words.abbreviations)
    month = "(?P<month>" + "|".join(sorted(names, key=len, reverse=True)) + r")\b\.?"
    suffix = rf"(?:{words.ordinal_suffix})?" if words.ordinal_suffix else ""
    year = r"(?P<year>\d{4})(?!\d)"

    def say(m: re.Match[str], day_first: bool) -> str:
        number = int(m["month"]) if m["month"].isdigit() else names[m["month"]]
        return _say_date(rules, words, number, int(m["day"]), m["year"], day_first) or m.group()

    iso = rf"(?<![\d-]){year}-(?P<month>\d\d)-(?P<day>\d\d)(?![\d-])"
    day_month = rf"(?<!\d)(?P<day>\d{{1,2}}){suffix} {month}(?:,? {year})?"
    month_day = rf"\b{month} (?P<day>\d{{1,2}}){suffix}(?!\d|[:.,]\d)\b(?:,? {year})?"
    text = re.sub(iso, lambda m: say(m, False), text)
    text = re.sub(day_month, lambda m: say(m, True), text)
    return re.sub(month_day, lambda m: say(m, False), text)


def _say_date(rules: LanguageRules, words: DateWords, month: int, day: int, year: str | None,
              day_first: bool) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    template = words.day_first if day_first else words.month_first
    spoken = template.format(day=_words(day, rules, to="ordinal"), month=words.months[month - 1])
    if year:
        # A pause after the day where the month leads: "March fifth, twenty twenty-four".
        spoken += (" " if day_first else ", ") + say_number(year, rules, as_year=True)
    return spoken


_AM_PM = r"(?P<ampm>[AaPp])\.?[Mm](?:\.|\b)"


def _times(text: str, rules: LanguageRules) -> str:
    """ "10:30 am" -> "ten thirty a.m."; "14:05" -> "fourteen oh five"; "10pm" -> "ten p.m."."""
    clock_words = rules.clock
    if clock_words is None:
        return text
    clock = re.compile(rf"(?<![\d:.])(?P<hour>\d{{1,2}}):(?P<minute>\d\d)(?![\d:]|\.\d)(?: ?{_AM_PM})?")
    hour_only = re.compile(rf"(?<![\d:.,])(?P<hour>\d{{1,2}}) ?{_AM_PM}")

    def say(m: re.Match[str]) -> str:
        hour, minute = int(m["hour"]), int(m.groupdict().get("minute") or 0)
        if hour > 24 or minute > 59 or (m["ampm"] and not 1 <= hour <= 12):
            return m.group()
        words = [_words(hour, rules)]
        if 0 < minute < 10:
            words.append(clock_words.oh)
        if minute:
            words.append(_words(minute, rules))
        if m["ampm"]:
            words.append(clock_words.pm if m["ampm"] in "Pp" else clock_words.am)
        elif not minute:
            words.append(clock_words.o_clock)
        return rules.joiner.join(words)

    return hour_only.sub(say, clock.sub(say, text))


def _percentages(text: str, rules: LanguageRules) -> str:
    number = _number_pattern(rules)
    percent = re.compile(rf"(?P<n>(?:{_SIGN})?(?<![\d.,]){number}) ?%")
    return percent.sub(lambda m: say_number(m["n"], rules) + rules.joiner + rules.percent_word, text)


def _ordinals(text: str, rules: LanguageRules) -> str:
    if rules.ordinal_suffix is None:
        return text
    ordinal = re.compile(rf"(?<![\d.,])(?P<n>\d+)(?:{rules.ordinal_suffix})\b", re.IGNORECASE)
    return ordinal.sub(lambda m: _words(int(m["n"]), rules, to="ordinal"), text)


def _decades(text: str, rules: LanguageRules) -> str:
    """ "1990s" -> "nineteen nineties", "'80s" -> "eighties"; English plurals only."""
    if not rules.plural_decades:
        return text

    def plural(words: str) -> str:
        return words[:-1] + "ies" if words.endswith("y") else words + "s"

    text = re.sub(r"(?<![\d.,])(?P<n>1[1-9]\d0|20\d0)'?s\b",
                  lambda m: plural(say_number(m["n"], rules, as_year=True)), text)
    return re.sub(r"(?<![\w'])'(?P<n>[1-9]0)s\b", lambda m: plural(_words(int(m["n"]), rules)), text)


_DIGIT_CHAIN = re.compile(r"(?<![\w.,-])\d+(?:-\d+){2,}(?![\w-])")


def _ranges(text: str, rules: LanguageRules) -> str:
    """ "pages 10-20" -> "pages 10 to 20"; a chain ("555-123-4567") is a code, read digit by digit."""
    text = _DIGIT_CHAIN.sub(lambda m: ", ".join(_digits(g, rules) for g in m.group().split("-")), text)
    if rules.range_word is None:
        return text
    span = re.compile(r"(?<![\w.,-])(?P<a>\d{1,4})-(?P<b>\d{1,4})(?![\w-]|[.,]\d)")
    return span.sub(lambda m: f"{m['a']} {rules.range_word} {m['b']}", text)


def _versions(text: str, rules: LanguageRules) -> str:
    """ "1.2.3" and "192.168.0.1" read part by part: "one point two point three"."""
    dotted = re.compile(r"(?<![\d.])\d+(?:\.\d+){2,}(?![\d]|\.\d)")
    joined = rules.joiner + rules.point_word + rules.joiner
    return dotted.sub(lambda m: joined.join(say_number(p, rules) for p in m.group().split(".")), text)


_LETTER_THEN_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)")
_DIGIT_THEN_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])")


def _letters_from_digits(text: str, rules: LanguageRules) -> str:
    """ "v1.2" -> "v 1.2", so number words never fuse with a word ("vone"). Not in unspaced scripts."""
    return _LETTER_THEN_DIGIT.sub(rules.joiner, text) if rules.joiner else text


def _numbers(text: str, rules: LanguageRules) -> str:
    if rules.joiner:
        # Only now: "1st", "1990s" and "10am" needed their letters until their own stages ran.
        text = _DIGIT_THEN_LETTER.sub(rules.joiner, text)  # "5km" -> "5 km": "five km"
    bare_fraction = re.compile(rf"(?<![^\s(\[{{\"']){re.escape(rules.decimal_mark)}(?P<d>\d+)")  # ".5"
    text = bare_fraction.sub(lambda m: rules.point_word + rules.joiner + _digits(m["d"], rules), text)
    number = re.compile(rf"(?:{_SIGN})?(?<!\d){_number_pattern(rules)}")
    return number.sub(lambda m: say_number(m.group(), rules, as_year=True), text)


def _symbols(text: str, rules: LanguageRules) -> str:
    for symbol, word in rules.symbols.items():
        text = text.replace(symbol, f"{rules.joiner}{word}{rules.joiner}")
    return text


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?<![^\W\d_])(?:https?://|www\.)[\w./:%?#=&~+@-]+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|io|co|uk|de|fr|info|ai|dev|app)(?![^\W\d_])"
    r"(?:/[\w./:%?#=&~+@-]*)?",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?)]'\""


def _urls(text: str, rules: LanguageRules) -> str:
    """ "https://www.example.com/about-us" -> "example dot com slash about dash us"."""
    if not rules.url_words:
        return text
    text = _EMAIL.sub(lambda m: _spell_address(m.group(), rules), text)
    return _URL.sub(lambda m: _spaced(m, _read_url(m.group(), rules)), text)


def _spaced(match: re.Match[str], words: str) -> str:
    """`words` for `match`, set apart from a word or number it was glued to ("0www.x.com")."""
    glued = match.start() > 0 and match.string[match.start() - 1].isalnum()
    return " " + words if glued else words


def _read_url(url: str, rules: LanguageRules) -> str:
    kept = url.rstrip(_URL_TRAILING)  # the sentence's own punctuation stays after the words
    tail = url[len(kept):]
    address = re.sub(r"^(?:https?://)?(?:www\.)?", "", kept, flags=re.IGNORECASE)
    address = re.split(r"[?#]", address, maxsplit=1)[0].rstrip("/")  # queries are not read aloud
    return _spell_address(address, rules) + tail


def _spell_address(address: str, rules: LanguageRules) -> str:
    spoken = re.sub(r"[^\w\s]|_", lambda m: f" {rules.url_words.get(m.group(), '')} ", address)
    return " ".join(spoken.split())


# Word edges are edges of letters: digits count as "else", because "5Mr." becomes "5 Mr." later
# on and the abbreviation must be seen now, or a second pass would expand it.
_LETTER = re.compile(r"[^\W\d_]")
_NO_LETTER_AFTER = r"(?![^\W\d_])"
_NAME_AFTER = re.compile(r" ?([A-Z][^\W\d_]*)")
_NAME_BEFORE = re.compile(r"(?<![^\W\d_])[A-Z][^\W\d_]* $")
_SENTENCE_AFTER = re.compile(r" [A-Z\"']| *$")
_LOOK_BACK = 64  # characters searched for the word before an abbreviation


@lru_cache(maxsize=None)
def _abbreviation_patterns(rules: LanguageRules) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """All plain abbreviations in one alternation, so the text is scanned once; then the
    title-or-place ones, in a second scan that sees the first one's words ("Prof.Dr")."""
    plain = "|".join(f"(?P<a{i}>{pattern.replace(chr(92) + 'b', _NO_LETTER_AFTER)})"
                     for i, (pattern, _, _) in enumerate(rules.abbreviations))
    either = rf"(?:{'|'.join(rules.title_or_place)}){_NO_LETTER_AFTER}\.?"
    return re.compile(plain or "(?!)"), re.compile(either if rules.title_or_place else "(?!)")


def _abbreviations(text: str, rules: LanguageRules) -> str:
    plain, either = _abbreviation_patterns(rules)
    text = plain.sub(lambda m: _abbreviation(m, rules), text)
    return either.sub(lambda m: m.group() if _inside_word(m) else _title_or_place(m, rules), text)


def _inside_word(match: re.Match[str]) -> bool:
    return match.start() > 0 and _LETTER.match(match.string, match.start() - 1) is not None


def _abbreviation(match: re.Match[str], rules: LanguageRules) -> str:
    if _inside_word(match):
        return match.group()
    _, words, may_end_sentence = rules.abbreviations[int(match.lastgroup[1:])]
    return _expand(match, words, may_end_sentence)


def _title_or_place(match: re.Match[str], rules: LanguageRules) -> str:
    """ "Dr. Jones" and "St. Paul" are titles; "Elm Dr." and "Main St. The house" are places."""
    title, place = rules.title_or_place[match.group().rstrip(".")]
    text, start, end = match.string, match.start(), match.end()
    # Letters only: digits are split off later, and the decision must not change when they are.
    name_after = _NAME_AFTER.match(text, end)
    name_before = _NAME_BEFORE.search(text, max(0, start - _LOOK_BACK), start) is not None
    if name_after and not (name_before and name_after.group(1) in rules.sentence_openers):
        return title + " " if text[end:end + 1].isalnum() else title
    if match.group().endswith(".") or name_before:
        return _expand(match, place, may_end_sentence=True)
    return match.group()  # a bare "St" in running text: not ours to guess


def _expand(match: re.Match[str], words: str, may_end_sentence: bool) -> str:
    text, end = match.string, match.end()
    if text[end:end + 1].isalnum():
        return words + " "  # "Dr.Smith": the period was the only separator
    # "etc." closing a sentence keeps its period, or the sentence would run into the next one.
    ends = match.group().endswith(".") and _SENTENCE_AFTER.match(text, end) is not None
    return words + "." if may_end_sentence and ends else words


Stage = Callable[[str, LanguageRules], str]
# Order matters: each stage consumes a pattern before a more general one can misread it
# (dates before ranges, currency and percent before bare numbers, numbers before symbols).
# Addresses are read twice: words written by later stages can land against a ".com".
_LANGUAGE_STAGES: tuple[Stage, ...] = (
    _urls, _abbreviations, _letters_from_digits, _currency, _dates, _times, _percentages,
    _ordinals, _decades, _ranges, _versions, _numbers, _symbols, _urls,
)
