"""Money amounts in procurement documents and court judgments.

A purpose-built parser for the way money is written in Pakistani, Indian,
Sri Lankan, Bangladeshi, Philippine, Kenyan and Nigerian public documents:
regular expressions (compiled once, at import) plus a small number-word parser.
Standard library only.

Speed: about 5 MB/s on judgment prose (whole pages or sentence by sentence;
measured on a 4 MB sample, CPython 3.11); every pattern is linear in the
text (no nested unbounded repetition; number-word runs are consumed whole).

Public API
----------
``find_amounts(text, default_rupee=None) -> list[Amount]``
    Every money amount in ``text``, in order, non-overlapping.
``parse_amount(text, default_rupee=None) -> Amount | None``
    The single amount a string (a table cell, a captured group) consists of.
``amount_role(sentence, amount) -> str | None``
    What the amount is (contract price, loan, NPV/real cost, estimate, market
    price), from the nearest cue words in the same sentence.
``find_restatements(text, amounts=None) -> list[Restatement]``
    Amounts written in words with the same amount in figures in brackets right
    after (or before) them, e.g. ``Rupees Five Lac only (Rs. 500,000/-)``, with
    whether the two agree.

Supported forms (case-insensitive unless noted)
-----------------------------------------------
* Currency *before* the figure: ``Rs. 12 billion``, ``Rs.980,500/-``,
  ``Rs,12 billion`` (OCR), ``PKR 3.5bn``, ``$84.7 million``, ``US$ 124,719,018``,
  ``US $ 124.7 million``, ``U.S. $ 250 mm``, ``US Dollars 124.7 million``,
  ``USD 124.7 Mn``, ``RMB 850 million``, ``Renminbi 850 million``,
  ``Php750,000.00``, ``PhP 342,500``, ``₱ 1,500,000``, ``KES 2,000,000``,
  ``Kshs. 5 million``, ``KSh 5m``, ``€ 3.2 million``, ``£ 1.1 million``,
  ``GBP 1.1m``, ``¥ 850 million``, ``INR 500 crore``, ``LKR``/``SLRs``,
  ``Tk``/``BDT``, ``₦``/``NGN``, ``HK$``/``A$``/``S$``/``C$``/``NZ$``, other
  upper-case ISO 4217 codes (AED, SAR, ...).  Country words before a bare
  rupee token, in any case, set the currency: ``indian rupees 5 crore`` is INR.
* Currency *after* the figure: ``850 million yuan``, ``124.7 million US
  dollars``, ``1.2 billion dollars``, ``500 rupees``, ``5 million USD``.
* Amounts in words, with the currency before or after: ``Rupees twelve
  billion``, ``Rupees Five Lac only``, ``Seven Hundred Thousand Pesos``,
  ``One Hundred and Fifty Thousand US Dollars``; Indian-system words
  (``lakh``/``lac``/``lacs``, ``crore``, ``arab``) and British "thousand million".
* Figures: Western grouping ``124,719,018``; South Asian grouping
  ``4,35,00,000`` / ``75,00,000``; decimals ``121,694.00``; OCR ``12 ,000``.
* Scale words after the figure: thousand, k (attached only: ``50k``), lakh /
  lakhs / lac / lacs, crore / cr, arab, kharab, million / mn / mln / mio / m /
  mm, billion / bn / bln / b, trillion / tn; also hyphenated ``50-Million``.
  A figure compound of South Asian scales is one amount:
  ``Rs. 1 crore 20 lakh`` = ``1 crore 20 lakh rupees`` = 12,000,000.
* Cheque-style tails belong to the amount's span: ``/-``, ``/=``, ``only``.
* A rate tail belongs to the span and is reported in ``Amount.per``:
  ``Rs. 10/- per page`` (value 10, per "page"), ``US$ 50/MT``.

Decisions on ambiguous cases
----------------------------
* ``Rs``/``Rs.``/``Re.``/``Rupees`` with no country default to **PKR** (the
  corpus is mostly Pakistani).  Pass ``default_rupee="INR"`` (or ``"LKR"``,
  ...) to change that; a jurisdiction pack's ``currency_aliases`` (see
  ``auditor.settings``) change it, and what other ambiguous tokens mean, for
  the extraction it runs.  ``INR``/``₹``/``Indian Rupees`` are always INR,
  ``SLRs``/``LKR`` always LKR, ``NRs``/``NPR`` always NPR.
* ``¥`` alone is **JPY**.  CNY needs ``RMB``, ``CNY``, ``CN¥``, ``Renminbi`` or
  ``yuan``.  ``$`` alone and "dollars" are **USD** (``HK$`` is HKD; other
  ``X$`` forms are not read as USD).  "shillings" alone is KES (the Kenyan
  corpus).  "pounds" alone is a weight, not GBP (needs sterling/GBP/£).
* Bare ``P`` (Philippine peso) is read only when it is upper-case, stands
  alone (not after a letter or a dot: "C.P. 91/2011" is safe) and the figure
  after it looks like money: thousands grouping (``P 1,500,000``), exactly
  two decimals (``P750.00``) or a scale word (``P 1.5 million``).  Bare ``N``
  (naira) is read only with a scale word (``N 2.5 billion``).
* ``Rs 12 b`` is 12 billion and ``Rs 50 M`` is 50 million: after a currency a
  lone b/m can only be a scale.  ``k`` counts only when attached (``Rs 50k``).
* Words and figures that restate one amount are reported as **two separate
  amounts** (one ``in_words=True``), whether or not they agree.  A real
  document reads "Seven Hundred Thousand Pesos (Php 750,000.00)": returning
  both lets a rule see the disagreement.  ``find_restatements`` pairs them
  and says whether they agree.  ``parse_amount`` on such a string returns
  None (it is two amounts).
* ``approx`` is True for "approx./approximately/about/around/nearly/almost/
  roughly/some/circa/close to/in the region of/~" before the amount and
  "(approx.)/approximately/or so/odd/(about)" after it.  Bounds ("over",
  "more than", "in excess of", "up to", "not exceeding", "less than") are
  *not* approximations: approx stays False.  The approx words are not part of
  the amount's span (``parse_amount`` tolerates them around the amount).
* Bare numbers are never amounts in running text.  ``parse_amount`` alone
  accepts a currency-less figure when it cannot be a year, a paragraph or a
  rule number (it has thousands grouping or a scale word: ``"1,200,000"``,
  ``"12.5 million"``): the currency is then None (table cells whose header
  names the currency).
* Mixed-scale Western compounds ("2 billion 500 million") are not joined.
* A currency word followed by a count noun is not an amount: "Rupees ten
  years", "Rs 5 per cent", "Rs 5 years ago".  "In Re 5" is not a rupee.
  "Rs. 500 M/s ABC" is Rs 500 (M/s = Messrs, not million).
* A currency followed by a list ("Rs. 10, 20 and 50") gives only the first
  figure.  Invalid digit grouping ("Rs 12,34") is not an amount.
* Case: ISO codes are read only in upper case ("try 5 times" is not TRY);
  "Indian/American/Chinese/British/Taka" must be capitalised before a figure
  (a speed trade-off, see _PREFIX_GATE); lower-case "taka 5" is missed but
  "5 lakh taka" is read.
* A suffix currency directly followed by another figure belongs to that
  figure ("in 2011 Rupees 5 million" is Rs 5 million, not 2011 rupees), and
  "in 2015 dollars" (a year) is not an amount.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from auditor.settings import current as current_settings

__all__ = [
    "Amount",
    "Restatement",
    "ROLES",
    "find_amounts",
    "parse_amount",
    "amount_role",
    "find_restatements",
    "words_to_number",
]


@dataclass(frozen=True, slots=True)
class Amount:
    """One money amount found in a text."""

    value: float  # in units of the currency (12e9 for "Rs. 12 billion")
    currency: str | None  # ISO 4217 code; None only from parse_amount on a bare figure
    start: int  # character offsets of the amount expression in the text passed in
    end: int
    text: str  # text[start:end]
    approx: bool = False  # stated as a rough figure ("about", "(approx.)", ...)
    in_words: bool = False  # written in words ("Rupees twelve billion")
    per: str | None = None  # a rate: "page" for "Rs. 10/- per page"


# --------------------------------------------------------------------------
# Currency tokens
# --------------------------------------------------------------------------

_RUPEE = "RUPEE"  # placeholder: resolved to the caller's default_rupee

# Tokens that may stand *before* the figure.  Regex fragments; the whole
# pattern is case-insensitive, so case-sensitive tokens use (?-i:...).
# Order matters only among tokens that start at the same character.
_PREFIX_CURRENCIES: tuple[tuple[str, str], ...] = (
    # US dollar
    (r"U\.?\s?S\.?\s?\$", "USD"),
    (r"(?:U\.?\s?S\.?|United\s+States|(?-i:A)merican)\s*Dollars?", "USD"),
    (r"(?-i:USD)", "USD"),
    (r"Dollars?", "USD"),
    (r"\$", "USD"),
    (r"(?-i:HK)\$", "HKD"),
    (r"(?-i:A)\$", "AUD"),
    (r"(?-i:C)\$", "CAD"),
    (r"(?-i:S)\$", "SGD"),
    (r"(?-i:NZ)\$", "NZD"),
    # rupees
    (r"Pak(?:istan|istani)?\.?\s*(?:Rs\.?|Rupees?)", "PKR"),
    (r"(?-i:PKR)", "PKR"),
    (r"(?-i:I)ndian\s+Rupees?", "INR"),
    (r"(?-i:INR)", "INR"),
    (r"₹", "INR"),
    (r"Sri\s+Lankan?\s+Rupees?", "LKR"),
    (r"(?-i:LKR)", "LKR"),
    (r"(?-i:SLRs|SL\s?Rs)\.?", "LKR"),
    (r"Nepal(?:ese|i)?\s+Rupees?", "NPR"),
    (r"(?-i:NPR|NRs\.?)", "NPR"),
    (r"Rs\.?", _RUPEE),
    (r"Rupees?", _RUPEE),
    (r"(?<!In\s)(?<!in\s)(?-i:Re)(?:\.|(?=\s?\d))", _RUPEE),  # "Re. 1"; not "In Re 5"
    # Chinese yuan / Japanese yen
    (r"(?-i:RMB)\s?¥?", "CNY"),
    (r"(?-i:CNY)", "CNY"),
    (r"(?-i:CN)¥", "CNY"),
    (r"Renminbi", "CNY"),
    (r"(?:(?-i:C)hinese\s+)?Yuan", "CNY"),
    (r"(?-i:JPY)", "JPY"),
    (r"¥", "JPY"),
    (r"(?:Japanese\s+)?Yen", "JPY"),
    # euro, pound sterling
    (r"(?-i:EUR)", "EUR"),
    (r"€", "EUR"),
    (r"Euros?", "EUR"),
    (r"(?-i:GBP)", "GBP"),
    (r"£", "GBP"),
    (r"Pounds?\s+Sterling", "GBP"),
    (r"(?:UK|(?-i:B)ritish)\s+Pounds?", "GBP"),
    # Kenyan shilling
    (r"(?-i:KES)", "KES"),
    (r"K\.?\s?Shs?\.?", "KES"),
    (r"Kenyan?\s+Shillings?", "KES"),
    (r"Shillings?", "KES"),
    # Nigerian naira
    (r"(?-i:NGN)", "NGN"),
    (r"₦", "NGN"),
    (r"Naira", "NGN"),
    (r"(?<!\.)(?-i:N)(?=\s?\d[\d,.]*\s?-?\s?(?:million|billion|trillion|bn)(?!\w))", "NGN"),
    # Philippine peso
    (r"(?-i:P[Hh][Pp])", "PHP"),
    (r"₱", "PHP"),
    (r"(?:Philippine\s+)?Pesos?", "PHP"),
    (
        r"(?<!\.)(?-i:P)(?=\s?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+\.\d\d(?![\d.])"
        r"|\d+(?:\.\d+)?\s?-?\s?(?:million|billion|thousand)(?!\w)))",
        "PHP",
    ),
    # Bangladeshi taka
    (r"(?-i:BDT)", "BDT"),
    (r"(?-i:Tk|TK)\.?", "BDT"),
    (r"(?-i:T)aka", "BDT"),
    (r"৳", "BDT"),
)

# Upper-case ISO 4217 codes read both before and after a figure.
_OTHER_ISO = (
    "AED AFN AUD BHD BRL CAD CHF DKK EGP ETB GHS HKD IDR IRR JOD KRW KWD MYR "
    "NOK NZD OMR QAR RUB SAR SEK SGD THB TRY TZS UGX ZAR ZMW"
).split()
_PREFIX_CURRENCIES += ((r"(?-i:" + "|".join(_OTHER_ISO) + ")", "ISO"),)

# Tokens that may stand *after* the figure ("850 million yuan").
_SUFFIX_CURRENCIES: tuple[tuple[str, str], ...] = (
    (r"(?:U\.?\s?S\.?|United\s+States|American)\s*Dollars?", "USD"),
    (r"Dollars?", "USD"),
    (r"Pak(?:istan|istani)?\s+Rupees?", "PKR"),
    (r"Indian\s+Rupees?", "INR"),
    (r"Sri\s+Lankan?\s+Rupees?", "LKR"),
    (r"Nepal(?:ese|i)?\s+Rupees?", "NPR"),
    (r"Rupees?", _RUPEE),
    (r"(?:Chinese\s+)?Yuan", "CNY"),
    (r"Renminbi", "CNY"),
    (r"(?:Japanese\s+)?Yen", "JPY"),
    (r"Euros?", "EUR"),
    (r"€", "EUR"),
    (r"Pounds?\s+Sterling", "GBP"),
    (r"(?:UK|British)\s+Pounds?", "GBP"),
    (r"(?:Kenyan?\s+)?Shillings?", "KES"),
    (r"Naira", "NGN"),
    (r"(?:Philippine\s+)?Pesos?", "PHP"),
    (r"Taka", "BDT"),
    (r"(?-i:USD|PKR|INR|LKR|NPR|BDT|RMB|CNY|JPY|EUR|GBP|KES|NGN|PHP)", "ISO"),
    (r"(?-i:" + "|".join(_OTHER_ISO) + ")", "ISO"),
)

# Prefilter for amounts in words followed by their currency: one of these
# (lower-cased text) or of the ISO codes (case-sensitive) must occur.
_CURRENCY_WORD_STEMS = (
    "rupee", "dollar", "peso", "yuan", "renminbi", "yen", "euro", "sterling",
    "pound", "shilling", "naira", "taka",
)
_ISO_SUFFIX_CODES = (
    "USD", "PKR", "INR", "LKR", "NPR", "BDT", "RMB", "CNY", "JPY", "EUR", "GBP",
    "KES", "NGN", "PHP", *_OTHER_ISO,
)

# A cheap pre-check over a whole document: where a currency marker stands, an amount
# may; elsewhere find_amounts would find nothing (bare numbers are not money).
CURRENCY_HINT = re.compile(
    r"\b(?:Rs|RS|Re|PKR|INR|LKR|SLRs|BDT|Tk|USD|US|CNY|RMB|EUR|GBP|KES|Kshs?|KSh|NGN|PHP|Php|PhP|JPY|HK|NRs)\b|[$€£¥₱₦₹]"
    r"|\b(?i:rupees?|dollars?|yuan|renminbi|pesos?|shillings?|naira|euros?|pounds?|taka|ringgit)\b"
)

_ALL_CURRENCY_TOKENS = [
    (re.compile(p, re.IGNORECASE), c) for p, c in _PREFIX_CURRENCIES + _SUFFIX_CURRENCIES
]

# Tokens whose pattern ends in a lookahead (so a bare fullmatch fails).
_LOOKAHEAD_TOKENS = {"P": "PHP", "N": "NGN", "Re": _RUPEE}


@lru_cache(maxsize=512)
def _currency_code(token: str) -> str:
    """ISO code (or the _RUPEE placeholder) for a matched currency token."""
    if token in _LOOKAHEAD_TOKENS:
        return _LOOKAHEAD_TOKENS[token]
    for rx, code in _ALL_CURRENCY_TOKENS:
        if rx.fullmatch(token):
            return token.upper() if code == "ISO" else code
    raise ValueError(f"unknown currency token {token!r}")  # pragma: no cover


def _resolve(token: str, default_rupee: str) -> str:
    code = _currency_code(token)
    alias = current_settings().alias(token)  # a jurisdiction pack's reading of an ambiguous token
    if alias is not None and code != _RUPEE:
        return alias
    if code == "RMB":
        return "CNY"
    return default_rupee if code == _RUPEE else code


# --------------------------------------------------------------------------
# Figures, scales and number words
# --------------------------------------------------------------------------

# A figure: Western (124,719,018) or South Asian (4,35,00,000) grouping —
# the last group always has three digits — or plain digits; optional
# decimals.  "12 ,000" (OCR, or a line break before the comma) is tolerated;
# groups may also be set apart by the spaces typesetters use between digit
# groups (no-break, narrow no-break, thin: "1 200 000").  Never followed by
# more digits or by ".5"/",5" (dates such as 24.04.2006, lists such as "5,10");
# plain digits followed by a space or a line break and three more digits
# ("1200⏎000", "1 200\t000") are a figure cut in two, read neither way.
_GROUP_SPACE = "\u00a0\u202f\u2009"
_NUM = (rf"(?:\d{{1,3}}(?:\s?,\d\d)*(?:\s?,\d{{3}})+|\d{{1,3}}(?:[{_GROUP_SPACE}]\d{{3}})+"
        r"|\d++(?!\s\d{3}(?!\d)))(?:\.\d++)?(?![\d]|[.,]\d)")

_SCALE_EXP: dict[str, int] = {}
for _exp, _names in (
    (3, "thousand thousands k"),
    (5, "lakh lakhs lac lacs"),
    (6, "million millions mn mln mio mm m"),
    (7, "crore crores cr"),
    (9, "billion billions bn bln b arab arabs"),
    (11, "kharab kharabs"),
    (12, "trillion trillions tn"),
):
    for _n in _names.split():
        _SCALE_EXP[_n] = _exp

_SCALE = (
    r"(?:trillions?|tn|kharabs?|billions?|bln|bn|b|arabs?|crores?|cr|millions?|mln"
    r"|mn|mio|mm|m|lakhs?|lacs?|thousands?)"
)
# "M/s." (Messrs) right after a figure is not a scale.
_SCALE_END = r"(?!\w|/s\b)"


def _scale_part(g: str) -> str:
    return (
        rf"(?:\s{{0,2}}-?\s{{0,2}}(?P<{g}>{_SCALE}){_SCALE_END}"
        rf"|(?P<{g}_k>k)(?!\w))"
    )


_SMALL_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve "
        "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALE_WORDS = {
    "hundred": 100, "thousand": 10**3, "lakh": 10**5, "lakhs": 10**5,
    "lac": 10**5, "lacs": 10**5, "million": 10**6, "millions": 10**6,
    "crore": 10**7, "crores": 10**7, "billion": 10**9, "billions": 10**9,
    "arab": 10**9, "arabs": 10**9, "kharab": 10**11, "trillion": 10**12,
    "trillions": 10**12,
}
_NUMBER_WORDS = {**_SMALL_WORDS, **_TENS_WORDS, **_SCALE_WORDS}

_W = "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?!\w)"
# "One Hundred and Fifty Thousand", "twenty-four", "One Million, Two Hundred".
_WORDS = rf"{_W}(?:(?:\s*,\s*|\s+|\s*-\s*)(?:and\s+)?{_W})*+"
_WORD_SPLIT = re.compile(r"[^\W\d_]+")


def words_to_number(words: str) -> int | None:
    """Value of English number words, Western or South Asian system.

    >>> words_to_number("One Hundred and Fifty Thousand")
    150000
    >>> words_to_number("two crore fifty lakh")
    25000000
    """
    total = 0
    group = 0  # the part below the last scale word
    last_scale = 0
    seen = False
    for tok in _WORD_SPLIT.findall(words.lower()):
        if tok == "and":
            continue
        if tok in _SMALL_WORDS or tok in _TENS_WORDS:
            group += _NUMBER_WORDS[tok]
        elif tok == "hundred":
            group = (group or 1) * 100
        elif tok in _SCALE_WORDS:
            scale = _SCALE_WORDS[tok]
            if total and scale > last_scale and total + group < scale:
                # everything so far counts this scale: "one thousand million",
                # "One Thousand Two Hundred Million" (= 1,200 million)
                total = (total + (group or 0)) * scale
            else:
                total += (group or 1) * scale
            group = 0
            last_scale = scale
        else:
            return None
        seen = True
    return total + group if seen else None


# --------------------------------------------------------------------------
# The master pattern
# --------------------------------------------------------------------------

_PREFIX = "(?:" + "|".join(p for p, _ in _PREFIX_CURRENCIES) + ")"
# Speed: every prefix token starts with a symbol, an upper-case letter or one
# of these lower-case letters, so most word starts fail on one charset test
# instead of trying every token.  Keep in sync with _PREFIX_CURRENCIES (which
# is why "Indian", "American", "Chinese", "British", "Taka" must be
# capitalised there; lower-case "indian rupees" is handled by _RUPEE_COUNTRY).
_PREFIX_GATE = r"(?-i:(?=[$€£¥₹₱₦৳A-Zsprdeyknuj]))"
_SUFFIX = "(?:" + "|".join(p for p, _ in _SUFFIX_CURRENCIES) + ")"
_NOT_LETTER = r"(?![^\W\d_])"
# A suffix currency that is directly followed by a figure is that figure's prefix.
_NOT_BEFORE_FIGURE = rf"(?!\s{{0,3}},?\s{{0,2}}(?:\d|{_W}))"
# "Rupees ten years" is not an amount.
_NOT_A_COUNT = r"(?!\s+(?:years?|months?|weeks?|days?|hours?|times|members?|persons?|per\s*cent|percent)\b|\s?%)"

_MASTER_SRC = rf"""
  (?<!\w){_PREFIX_GATE}(?P<a_cur>{_PREFIX}){_NOT_LETTER}
  (?:
      (?:\s{{0,4}}|,)(?>(?P<a_num>{_NUM}){_scale_part('a_scale')}?){_NOT_A_COUNT}
    | \s{{1,3}}(?P<b_words>(?>{_WORDS})){_NOT_A_COUNT}
  )
| (?<![\w,])(?<!\d\.)(?P<c_num>{_NUM}){_scale_part('c_scale')}?
  \s{{0,2}}(?P<c_cur>{_SUFFIX})(?!\w){_NOT_BEFORE_FIGURE}
"""
# The currency is optional so that a run of number words is always consumed
# whole: a run without a currency is then skipped in one step instead of being
# rescanned from each of its words (which would be quadratic).
_WORDS_SUFFIX_SRC = rf"""
| (?<!\w)(?P<d_words>(?>{_WORDS}))
  (?:\s{{1,3}}(?P<d_cur>{_SUFFIX})(?!\w){_NOT_BEFORE_FIGURE})?
"""

_FLAGS = re.IGNORECASE | re.VERBOSE
# Amounts in words with the currency after them need a currency word in the
# text; the cheaper pattern is used when there is none.
_MASTER = re.compile(_MASTER_SRC, _FLAGS)
_MASTER_WITH_WORDS = re.compile(_MASTER_SRC + _WORDS_SUFFIX_SRC, _FLAGS)

# "Rs. 1 crore 20 lakh", "Rs 2 arab and 50 crore"
_SOUTH_ASIAN_EXP = frozenset({3, 5, 7, 9})
_COMPOUND = re.compile(
    rf"\s{{1,3}}(?:and\s+)?(?P<num>{_NUM})\s{{0,2}}-?\s{{0,2}}"
    r"(?P<scale>arabs?|crores?|cr|lakhs?|lacs?|thousands?)" + _SCALE_END,
    re.IGNORECASE,
)

# "1 crore 20 lakh rupees": the head before a suffix-currency figure.
_COMPOUND_HEAD = re.compile(
    rf"(?<![\w,.])(?P<num>{_NUM})\s{{0,2}}-?\s{{0,2}}(?P<scale>arabs?|crores?|lakhs?|lacs?)"
    r"\s{1,3}(?:and\s+)?$",
    re.IGNORECASE,
)

_TAIL = re.compile(
    r"""
    (?P<slash>\s?/\s?(?:-+|=+)(?:\s?-)?)?
    (?P<only>\s{0,3}only(?!\w))?
    (?:
        (?:\s{1,2}per\s+|\s?/\s?)
        (?!(?:the|a|an|cent|centum|rs|re|us|annexure|annex)\b)
        (?P<per>(?:(?:metric|cubic|square|running|sq\.?)\s+)?[^\W\d_]+)
    )?
    """,
    re.IGNORECASE | re.VERBOSE,
)

_APPROX_BEFORE = re.compile(
    r"(?:(?<!\w)(?:approx(?:imately)?\.?|about|around|nearly|almost|roughly|some|circa"
    r"|close\s+to|in\s+the\s+(?:region|vicinity|neighbou?rhood|order)\s+of)|~|≈)\s*$",
    re.IGNORECASE,
)
_APPROX_AFTER = re.compile(
    r"\s*(?:\(\s*(?:approx(?:imately|\.)?|about|roughly|est\.|estimated)\s*\)"
    r"|,?\s*approx(?:imately\b|\.|\b)|or\s+so\b|or\s+thereabouts\b|odd\b)",
    re.IGNORECASE,
)
# "indian rupees 500" in any case: the country word before a bare rupee token.
_RUPEE_COUNTRY = re.compile(
    r"(?<!\w)(?P<country>indian|pakistan(?:i)?|sri\s+lankan?|nepal(?:ese|i)?)\s+$",
    re.IGNORECASE,
)
_RUPEE_COUNTRY_CODE = {"i": "INR", "p": "PKR", "s": "LKR", "n": "NPR"}
_YEAR_CONTEXT = re.compile(r"(?:\bin|\bconstant|\breal|\bnominal)\s*$", re.IGNORECASE)


_FIGURE_NOISE = re.compile(r"[\s,]")


def _figure_value(num: str, scale: str | None) -> float:
    digits = _FIGURE_NOISE.sub("", num)  # group separators, and any white space the grouping allows
    if scale is None:
        return float(digits)
    # float("124.7e6") is exactly 124700000.0, unlike 124.7 * 1e6
    return float(f"{digits}e{_SCALE_EXP[scale.lower()]}")


def _has_currency_word(text: str) -> bool:
    low = text.lower()
    return any(stem in low for stem in _CURRENCY_WORD_STEMS) or any(
        code in text for code in _ISO_SUFFIX_CODES
    )


def find_amounts(text: str, default_rupee: str | None = None) -> list[Amount]:
    """Every money amount in `text`, in order, non-overlapping.

    Bare numbers without a currency are NOT amounts: years, paragraph numbers,
    rule numbers, dates, percentages and case numbers such as 'C.P. 91/2011'
    never come back.  ``Rs``/``Rupees`` without a country are read as
    `default_rupee` (None: what the current extraction settings say, PKR by
    default; see ``auditor.settings``).  Words and figures restating
    one amount ("Seven Hundred Thousand Pesos (Php 750,000.00)") come back as
    two amounts; see `find_restatements`.
    """
    if not text:
        return []
    if default_rupee is None:
        default_rupee = current_settings().rupee
    with_words = _has_currency_word(text)
    pattern = _MASTER_WITH_WORDS if with_words else _MASTER
    out: list[Amount] = []
    pos = 0  # where to search next
    last_end = 0  # end of the last amount found
    n = len(text)
    while pos < n:
        m = pattern.search(text, pos)
        if m is None:
            break
        if with_words and m.group("d_words") is not None and m.group("d_cur") is None:
            pos = m.end()  # number words with no currency after them
            continue
        amount = _build(text, m, default_rupee, last_end)
        if amount is None:
            pos = m.start() + 1
            continue
        out.append(amount)
        pos = last_end = amount.end
    return out


def _build(text: str, m: re.Match[str], default_rupee: str, floor: int) -> Amount | None:
    """The Amount for one master-pattern match; `floor` is where the previous
    amount ended (a compound head may not reach back past it)."""
    start, end = m.span()
    in_words = False
    g = m.group
    if g("a_num") is not None:
        cur = g("a_cur")
        scale = g("a_scale") or g("a_scale_k")
        value = _figure_value(g("a_num"), scale)
        if scale is not None and _SCALE_EXP[scale.lower()] in _SOUTH_ASIAN_EXP:
            last_exp = _SCALE_EXP[scale.lower()]
            while (c := _COMPOUND.match(text, end)) is not None:
                exp = _SCALE_EXP[c.group("scale").lower()]
                part = _figure_value(c.group("num"), c.group("scale"))
                if exp >= last_exp or part >= 10**last_exp:
                    break
                value += part
                last_exp = exp
                end = c.end()
    elif g("b_words") is not None:
        cur = g("a_cur")
        words_value = words_to_number(g("b_words"))
        if words_value is None:  # pragma: no cover - the regex admits number words only
            return None
        value = float(words_value)
        in_words = True
    elif g("c_num") is not None:
        cur = g("c_cur")
        scale = g("c_scale") or g("c_scale_k")
        num = g("c_num")
        if (
            scale is None
            and len(num) == 4
            and num.isdigit()
            and 1800 <= int(num) <= 2100
            and _YEAR_CONTEXT.search(text, max(0, start - 12), start)
        ):
            return None  # "in 2015 dollars"
        value = _figure_value(num, scale)
        if scale is not None and (exp := _SCALE_EXP[scale.lower()]) in _SOUTH_ASIAN_EXP:
            head = _COMPOUND_HEAD.search(text, max(floor, start - 40), start)
            if head is not None:
                head_exp = _SCALE_EXP[head.group("scale").lower()]
                if head_exp > exp and value < 10**head_exp:
                    value += _figure_value(head.group("num"), head.group("scale"))
                    start = head.start()
    else:
        cur = g("d_cur")
        words_value = words_to_number(g("d_words"))
        if words_value is None:  # pragma: no cover
            return None
        value = float(words_value)
        in_words = True

    per = None
    tail = _TAIL.match(text, end)
    if tail is not None and tail.end() > end:
        per = tail.group("per")
        end = tail.end()

    currency = _resolve(cur, default_rupee)
    if g("a_cur") is not None and _currency_code(cur) == _RUPEE:
        country = _RUPEE_COUNTRY.search(text, max(floor, start - 16), start)
        if country is not None:
            currency = _RUPEE_COUNTRY_CODE[country.group("country")[0].lower()]
            start = country.start()

    if not math.isfinite(value):  # hundreds of digits: no amount, whatever it is
        return None
    approx = bool(
        _APPROX_BEFORE.search(text, max(0, start - 40), start)
        or _APPROX_AFTER.match(text, end)
    )
    return Amount(
        value=value,
        currency=currency,
        start=start,
        end=end,
        text=text[start:end],
        approx=approx,
        in_words=in_words,
        per=per.lower() if per else None,
    )


# --------------------------------------------------------------------------
# parse_amount
# --------------------------------------------------------------------------

# What parse_amount tolerates before the amount: brackets, approximation
# words and bounds ("over", "up to": these leave approx False).
_LEAD_OK = re.compile(
    r"[\s(\[]*(?:(?:approx(?:imately)?\.?|about|around|nearly|almost|roughly|some|circa"
    r"|close\s+to|in\s+the\s+(?:region|vicinity|order)\s+of|~|≈"
    r"|over|more\s+than|less\s+than|under|in\s+excess\s+of|up\s*to|upto|not\s+exceeding"
    r"|at\s+least|at\s+most|upwards\s+of)\s*)?[\s(\[]*",
    re.IGNORECASE,
)
_TRAIL_OK = re.compile(r"[\s)\].,;:]*")
_BARE_FIGURE = re.compile(
    rf"(?P<num>{_NUM})(?:{_scale_part('scale')})?",
    re.IGNORECASE,
)


def parse_amount(text: str, default_rupee: str | None = None) -> Amount | None:
    """The single amount that `text` (stripped) consists of, or None.

    Approximation words, bounds and brackets around the amount are allowed
    ("about US$ 72 million", "Rs 1.2 billion (approx.)", "(Rs. 500,000/-)",
    "over US$ 10 million" - a bound, so approx stays False);
    anything else around it, or a second amount, gives None.  Offsets are
    relative to `text` as passed.  A currency-less figure is accepted (with
    currency None) only when it cannot be a year or a paragraph number: it
    has thousands grouping or a scale word ("1,200,000", "12.5 million").
    """
    amounts = find_amounts(text, default_rupee)
    if len(amounts) > 1:
        return None
    if len(amounts) == 1:
        a = amounts[0]
        if _only_qualifiers(text, a.start, a.end):
            return a
        return None
    m = None
    lead = _LEAD_OK.match(text)
    if lead is not None:
        m = _BARE_FIGURE.match(text, lead.end())
    if m is None:
        return None
    scale = m.group("scale") or m.group("scale_k")
    if scale is None and "," not in m.group("num"):
        return None
    a = Amount(
        value=_figure_value(m.group("num"), scale),
        currency=None,
        start=m.start(),
        end=m.end(),
        text=m.group(),
        approx=bool(_APPROX_BEFORE.search(text, 0, m.start()) or _APPROX_AFTER.match(text, m.end())),
    )
    return a if _only_qualifiers(text, a.start, a.end) else None


def _only_qualifiers(text: str, start: int, end: int) -> bool:
    lead = _LEAD_OK.match(text, 0, start)
    if lead is None or lead.end() != start:
        return False
    pos = end
    after = _APPROX_AFTER.match(text, pos)
    if after is not None:
        pos = after.end()
    return _TRAIL_OK.match(text, pos).end() == len(text)


# --------------------------------------------------------------------------
# Words restated in figures
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Restatement:
    """An amount written in words next to the same amount in figures."""

    words: Amount
    figures: Amount

    @property
    def agrees(self) -> bool:
        return (
            self.words.currency == self.figures.currency
            and abs(self.words.value - self.figures.value) < 0.005
        )


_BETWEEN_RESTATEMENT = re.compile(r"\s{0,3}[(\[]\s{0,2}")
_AFTER_RESTATEMENT = re.compile(r"\s{0,2}[)\]]")


def find_restatements(text: str, amounts: list[Amount] | None = None) -> list[Restatement]:
    """Pairs of (words, figures) amounts where one directly follows the other in
    brackets: "Seven Hundred Thousand Pesos (Php 750,000.00)" or
    "Rs. 500,000/- (Rupees Five Lac only)".  `Restatement.agrees` tells whether
    the two state the same value."""
    if amounts is None:
        amounts = find_amounts(text)
    out: list[Restatement] = []
    for first, second in zip(amounts, amounts[1:]):
        if first.in_words == second.in_words:
            continue
        gap = _BETWEEN_RESTATEMENT.match(text, first.end, second.start)
        if gap is None or gap.end() != second.start:
            continue
        if _AFTER_RESTATEMENT.match(text, second.end) is None:
            continue
        words, figures = (first, second) if first.in_words else (second, first)
        out.append(Restatement(words=words, figures=figures))
    return out


# --------------------------------------------------------------------------
# amount_role
# --------------------------------------------------------------------------

ROLES = ("contract-price", "loan-amount", "npv-cost", "estimate", "market-price")

# (role, cue).  One alternation is built from these in this order, so at a
# given position a longer phrase listed earlier wins over a shorter one
# ("estimated contract price" is an estimate, not a contract price).
_ROLE_CUES: tuple[tuple[str, str], ...] = (
    # npv-cost
    ("npv-cost", r"net\s+present\s+values?"),
    ("npv-cost", r"present\s+values?"),
    ("npv-cost", r"(?-i:NPV)s?"),
    ("npv-cost", r"(?:real|actual|true|effective|net)\s+cost"),
    ("npv-cost", r"cost\s+to\s+the\s+(?:national\s+|public\s+)?(?:exchequer|treasury|government)"),
    ("npv-cost", r"after\s+(?:the\s+)?(?:concessional\s+)?(?:financing|terms|discounting)"),
    ("npv-cost", r"concessional\s+terms"),
    # estimate
    ("estimate", r"approved\s+budget(?:\s+for\s+the\s+contract)?"),
    ("estimate", r"estimated\s+(?:contract\s+|project\s+)?(?:cost|value|price|amount)"),
    ("estimate", r"engineer'?s?\s+(?:cost\s+)?estimate"),
    ("estimate", r"(?:cost|independent|official|departmental)\s+estimates?"),
    ("estimate", r"\((?-i:ABC)\)|(?-i:ABC)(?=\s+(?:of|is|was|for|amounting|in)\b)"),
    ("estimate", r"(?-i:PC-?(?:I|1|One)|PC\s+I)\b(?:\s+cost)?"),
    ("estimate", r"estimated|estimates?"),
    ("estimate", r"budget(?:ed|ary)?|allocat(?:ed|ion)"),
    # market-price
    ("market-price", r"prevailing\s+market(?:\s+(?:price|value|rate|cost)s?)?"),
    ("market-price", r"(?:open\s+|international\s+)?market\s+(?:price|value|rate|cost)s?"),
    ("market-price", r"prevailing\s+(?:price|rate)s?"),
    # a benchmark the price is measured against: "assessed its fair price at Rs. 450 million"
    ("market-price", r"(?:fair|reasonable|realistic|justifiable)\s+(?:market\s+)?(?:price|value|cost|rate)s?"),
    ("market-price", r"market"),
    # loan-amount
    ("loan-amount", r"buyer'?s?\s+credit|supplier'?s?\s+credit|concessional\s+loan"),
    ("loan-amount", r"loans?|credit\s+line|line\s+of\s+credit|credit"),
    ("loan-amount", r"financing|financed\s+(?:by|through|with)|finance\s+facility|facility"),
    ("loan-amount", r"borrow(?:ing|ed|s)?|lender|borrower"),
    # contract-price
    ("contract-price", r"contract\s+(?:price|value|amount|sum|cost|worth)"),
    ("contract-price", r"(?:cost|value|price|amount)\s+of\s+the\s+contract"),
    ("contract-price", r"(?:successful|lowest|winning)\s+(?:bidder|bid|tender|offer)"),
    ("contract-price", r"(?:bid|tender|quoted|offered|agreed|evaluated)\s+(?:price|amount|sum|value|rate)"),
    ("contract-price", r"purchase\s+order(?:\s+amount)?"),
    ("contract-price", r"awarded|award|priced\s+at"),
    ("contract-price", r"bids?|tendered|quoted|quotation|accepted"),
    ("contract-price", r"contracts?"),
    ("contract-price?", r"at\s+a\s+(?:total\s+)?cost\s+of"),  # only about a contract
)
_ROLE_NAMES = {f"r{i}": role for i, (role, _) in enumerate(_ROLE_CUES)}
_ROLE_RE = re.compile(
    "|".join(rf"(?<!\w)(?P<r{i}>{cue})(?!\w)" for i, (_, cue) in enumerate(_ROLE_CUES)),
    re.IGNORECASE,
)
_CONTRACT_CONTEXT = re.compile(r"\b(?:contract|award|supply|purchase|procure|tender|bid)", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r";|\bwhereas\b|\bbut\b|\bwhile\b|\.\s+[A-Z]")
_TOKEN = re.compile(r"\w+")
_MAX_BEFORE = 12  # tokens between a cue and the amount it introduces
_MAX_AFTER = 6  # tokens between an amount and a cue that follows it


def amount_role(sentence: str, amount: Amount) -> str | None:
    """Role of `amount` from the words around it in `sentence` (its offsets are
    relative to `sentence`): 'contract-price', 'loan-amount', 'npv-cost',
    'estimate', 'market-price', or None.

    Every cue phrase is attached to one amount: to the first amount after it
    in the same clause (within 12 tokens), otherwise to the nearest amount
    before it in the same clause (within 6 tokens).  The amount's role is that
    of its nearest attached cue, counted in tokens; a cue after the amount
    counts half a token more than one before it.  So in "the loan of RMB 850
    million was to finance the contract of US$ 124.7 million" the first amount
    is the loan and the second the contract price.
    """
    others = [a for a in find_amounts(sentence) if a.end <= amount.start or a.start >= amount.end]
    amounts = sorted(others + [amount], key=lambda a: a.start)
    contract_context: bool | None = None
    best: tuple[float, str] | None = None
    for m in _ROLE_RE.finditer(sentence):
        role = _ROLE_NAMES[m.lastgroup]  # type: ignore[index]
        cs, ce = m.span()
        if any(a.start < ce and cs < a.end for a in amounts):
            continue  # a cue inside an amount's text
        target, dist = _attach(sentence, cs, ce, amounts)
        if target is not amount:
            continue
        if role == "contract-price?":
            if contract_context is None:
                contract_context = bool(_CONTRACT_CONTEXT.search(sentence))
            if not contract_context:
                continue
            role = "contract-price"
        if best is None or dist < best[0]:
            best = (dist, role)
    return best[1] if best else None


def _gap_tokens(sentence: str, lo: int, hi: int) -> int | None:
    """Tokens between two offsets, or None if a clause boundary lies between."""
    gap = sentence[lo:hi]
    if _CLAUSE_BREAK.search(gap):
        return None
    return len(_TOKEN.findall(gap))


def _attach(
    sentence: str, cs: int, ce: int, amounts: list[Amount]
) -> tuple[Amount | None, float]:
    for a in amounts:
        if a.start >= ce:
            d = _gap_tokens(sentence, ce, a.start)
            if d is not None and d <= _MAX_BEFORE:
                return a, float(d)
            break
    for a in reversed(amounts):
        if a.end <= cs:
            d = _gap_tokens(sentence, a.end, cs)
            if d is not None and d <= _MAX_AFTER:
                return a, d + 0.5
            break
    return None, 0.0
