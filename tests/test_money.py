"""Tests for auditor.extract.money."""

from __future__ import annotations

import dataclasses

import pytest

from auditor.extract.money import (
    Amount,
    amount_role,
    find_amounts,
    find_restatements,
    parse_amount,
    words_to_number,
)

# (input, expected value, expected currency, expected approx)
PARSE = [
    # rupees (default PKR)
    ("Rs. 12 billion", 12e9, "PKR", False),
    ("Rs 1,200 crore", 1.2e10, "PKR", False),
    ("PKR 3.5bn", 3.5e9, "PKR", False),
    ("Rs. 75 lakh", 7.5e6, "PKR", False),
    ("Rs. 3.6 arab", 3.6e9, "PKR", False),
    ("Rs. 4,35,00,000", 4.35e7, "PKR", False),
    ("Rs.980,500/-", 980_500, "PKR", False),
    ("Rs 1.2 billion (approx.)", 1.2e9, "PKR", True),
    ("Rupees twelve billion", 1.2e10, "PKR", False),
    ("Rupees six billion", 6e9, "PKR", False),
    ("rupees six billion", 6e9, "PKR", False),
    ("rupees 25,740,000/-", 25_740_000, "PKR", False),
    ("Rs.25.74 million", 25_740_000, "PKR", False),
    ("Rs. 50-Million", 50e6, "PKR", False),
    ("Rs 50 M", 50e6, "PKR", False),
    ("Rs. 500 crore", 5e9, "PKR", False),
    ("Rs. 15.00 billion", 15e9, "PKR", False),
    ("Rs.6 billion", 6e9, "PKR", False),
    ("Rs. 1,20,000", 120_000, "PKR", False),
    ("Rs.1.5 Million", 1.5e6, "PKR", False),
    ("Rs. 2.5 M", 2.5e6, "PKR", False),
    ("Rs 12 b", 12e9, "PKR", False),
    ("Rs. 10/- per page", 10, "PKR", False),
    ("PKR 0.5 million", 5e5, "PKR", False),
    ("Rupees Five Lac only", 500_000, "PKR", False),
    ("Rupees Five Lacs only", 500_000, "PKR", False),
    ("Rupees Five Lakhs Only", 500_000, "PKR", False),
    ("Rs. 1 crore 20 lakh", 1.2e7, "PKR", False),
    ("Rs. 2 crore and 50 lakh", 2.5e7, "PKR", False),
    ("1 crore 20 lakh rupees", 1.2e7, "PKR", False),
    ("Rs.500/-only", 500, "PKR", False),
    ("Rs. 75,00,000/-", 7.5e6, "PKR", False),
    ("Rs,12 billion", 12e9, "PKR", False),
    ("Rs 12,00,000/=", 1.2e6, "PKR", False),
    ("Rs. 12 ,000", 12_000, "PKR", False),
    ("Re. 1", 1, "PKR", False),
    ("Pak Rs. 300 million", 3e8, "PKR", False),
    ("Rupees Two Crore Fifty Lakh only", 2.5e7, "PKR", False),
    ("Rupees one hundred and fifty thousand only", 150_000, "PKR", False),
    ("Rs. 50k", 50_000, "PKR", False),
    ("Rs. 2,500 thousand", 2.5e6, "PKR", False),
    # other rupees
    ("INR 500 crore", 5e9, "INR", False),
    ("₹ 500 crore", 5e9, "INR", False),
    ("LKR 2.5 billion", 2.5e9, "LKR", False),
    ("SLRs 2.5 billion", 2.5e9, "LKR", False),
    ("NRs 40 million", 4e7, "NPR", False),
    # US dollars
    ("$84.7 million", 84.7e6, "USD", False),
    ("US$ 124,719,018", 124_719_018, "USD", False),
    ("US $ 124.7 million", 124.7e6, "USD", False),
    ("USD 84.7m", 84.7e6, "USD", False),
    ("US$ 250 mm", 250e6, "USD", False),
    ("U.S. $ 250 mm", 250e6, "USD", False),
    ("US Dollars 124.7 million", 124.7e6, "USD", False),
    ("124.7 million US dollars", 124.7e6, "USD", False),
    ("USD 1.2 bn", 1.2e9, "USD", False),
    ("1.2 billion dollars", 1.2e9, "USD", False),
    ("US$ 72 million", 72e6, "USD", False),
    ("about US$ 72 million", 72e6, "USD", True),
    ("USD 124.7 Mn", 124.7e6, "USD", False),
    ("approximately US$ 5.5 million", 5.5e6, "USD", True),
    ("nearly $ 3 billion", 3e9, "USD", True),
    ("US$ 10 million or so", 10e6, "USD", True),
    ("over US$ 10 million", 10e6, "USD", False),
    ("One Hundred Million US Dollars", 1e8, "USD", False),
    ("5 million USD", 5e6, "USD", False),
    # Chinese yuan, yen
    ("850 million yuan", 850e6, "CNY", False),
    ("RMB 850 million", 850e6, "CNY", False),
    ("Renminbi 850 million", 850e6, "CNY", False),
    ("RMB 850,000,000", 850e6, "CNY", False),
    ("RMB¥ 850 million", 850e6, "CNY", False),
    ("¥ 850 million", 850e6, "JPY", False),
    ("JPY 3 billion", 3e9, "JPY", False),
    # Philippine peso
    ("PhP 342,500", 342_500, "PHP", False),
    ("PHP 121,694.00", 121_694, "PHP", False),
    ("Php750,000.00", 750_000, "PHP", False),
    ("₱ 1,500,000", 1_500_000, "PHP", False),
    ("P 1.5 million", 1.5e6, "PHP", False),
    ("P750,000.00", 750_000, "PHP", False),
    ("Seven Hundred Thousand Pesos", 700_000, "PHP", False),
    ("(Php 750,000.00)", 750_000, "PHP", False),
    ("Php 1.2 Million (approximately)", 1.2e6, "PHP", True),
    # Kenyan shilling
    ("KES 2,000,000", 2e6, "KES", False),
    ("Kshs. 5 million", 5e6, "KES", False),
    ("KSh 5m", 5e6, "KES", False),
    ("Kenya Shillings 12,500,000", 12.5e6, "KES", False),
    ("three million Kenya shillings", 3e6, "KES", False),
    # euro, pound
    ("€ 3.2 million", 3.2e6, "EUR", False),
    ("EUR 3.2 million", 3.2e6, "EUR", False),
    ("£ 1.1 million", 1.1e6, "GBP", False),
    ("GBP 1.1m", 1.1e6, "GBP", False),
    # taka, naira
    ("Tk 50 crore", 5e8, "BDT", False),
    ("BDT 50 crore", 5e8, "BDT", False),
    ("₦ 2.5 billion", 2.5e9, "NGN", False),
    ("NGN 2.5bn", 2.5e9, "NGN", False),
    ("N 2.5 billion", 2.5e9, "NGN", False),
    # capitalised country words; lower-case country before a rupee token
    ("American Dollars 5 million", 5e6, "USD", False),
    ("Chinese Yuan 5 million", 5e6, "CNY", False),
    ("British Pounds 2 million", 2e6, "GBP", False),
    ("Pounds Sterling 2 million", 2e6, "GBP", False),
    ("Yen 500 million", 5e8, "JPY", False),
    ("Taka 5 lakh", 5e5, "BDT", False),
    ("5 lakh taka", 5e5, "BDT", False),
    ("Nepalese Rupees 5,000", 5e3, "NPR", False),
    ("indian rupees 500 crore", 5e9, "INR", False),
    ("Sri Lankan Rupees 2.5 billion", 2.5e9, "LKR", False),
    # other ISO codes
    ("AED 15 million", 15e6, "AED", False),
    ("A$ 5 million", 5e6, "AUD", False),
    ("HK$ 5 million", 5e6, "HKD", False),
    ("USD 1,234.56", 1234.56, "USD", False),
    # currency-less figures: parse_amount only (table cells)
    ("12.5 million", 12.5e6, None, False),
    ("1,200,000", 1.2e6, None, False),
]


@pytest.mark.parametrize(("text", "value", "currency", "approx"), PARSE)
def test_parse_amount(text: str, value: float, currency: str | None, approx: bool) -> None:
    a = parse_amount(text)
    assert a is not None, text
    assert a.value == pytest.approx(value, rel=1e-12)
    assert a.currency == currency
    assert a.approx is approx
    assert text[a.start : a.end] == a.text


def test_parse_table_is_large() -> None:
    assert len(PARSE) >= 80


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Rupees twelve billion", 12e9),
        ("Seven Hundred Thousand Pesos", 7e5),
        ("Rupees Five Lac only", 5e5),
        ("One Hundred and Twenty-Four Million Seven Hundred Nineteen Thousand and Eighteen US Dollars", 124_719_018),
    ],
)
def test_in_words_flag(text: str, value: float) -> None:
    a = parse_amount(text)
    assert a is not None and a.in_words and a.value == value
    b = parse_amount("Rs. 12 billion")
    assert b is not None and not b.in_words


def test_exact_values_not_float_noise() -> None:
    # float("124.7e6"), not 124.7 * 1e6
    assert parse_amount("US$ 124.7 million").value == 124_700_000.0  # type: ignore[union-attr]
    assert parse_amount("Rs.25.74 million").value == 25_740_000.0  # type: ignore[union-attr]


def test_spans_include_cheque_tails_and_rates() -> None:
    assert parse_amount("Rs.980,500/-").text == "Rs.980,500/-"  # type: ignore[union-attr]
    a = parse_amount("Rs. 10/- per page")
    assert a is not None and a.text == "Rs. 10/- per page" and a.per == "page"
    a = parse_amount("Rupees Five Lac only")
    assert a is not None and a.text == "Rupees Five Lac only"
    a = parse_amount("US$ 50/MT")
    assert a is not None and a.value == 50 and a.per == "mt"


def test_approx_words_not_in_span() -> None:
    a = parse_amount("about US$ 72 million")
    assert a is not None and a.text == "US$ 72 million" and a.start == 6
    a = parse_amount("Rs 1.2 billion (approx.)")
    assert a is not None and a.text == "Rs 1.2 billion"


def test_default_rupee() -> None:
    assert parse_amount("Rs. 500 crore").currency == "PKR"  # type: ignore[union-attr]
    assert parse_amount("Rs. 500 crore", default_rupee="INR").currency == "INR"  # type: ignore[union-attr]
    assert parse_amount("Rupees six billion", default_rupee="LKR").currency == "LKR"  # type: ignore[union-attr]
    # an explicit country is not overridden
    assert parse_amount("INR 500 crore", default_rupee="PKR").currency == "INR"  # type: ignore[union-attr]
    assert parse_amount("SLRs 2.5 billion", default_rupee="INR").currency == "LKR"  # type: ignore[union-attr]


def test_amount_is_frozen() -> None:
    a = parse_amount("Rs. 12 billion")
    assert isinstance(a, Amount)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.value = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        "three times",
        "3 times",
        "2006",
        "96.",
        "24.04.2006",
        "1.1 MTA",
        "Rs. 5 and Rs. 6",  # two amounts
        "Seven Hundred Thousand Pesos (Php 750,000.00)",  # two amounts
        "the contract price of Rs. 5 million",  # more than an amount
        "",
    ],
)
def test_parse_amount_none(text: str) -> None:
    assert parse_amount(text) is None


# ---------------------------------------------------------------- find_amounts


@pytest.mark.parametrize(
    "text",
    [
        "The Act was passed in 2004 and amended in 2006, 2011 and 2016.",
        "The summary was approved on 29.12.2009 and the contract signed on 24.04.2006.",
        "In terms of rule 42(c) read with Rule 13 of the Public Procurement Rules, 2004.",
        "See Const. P. 91/2011 and C.P. No. 345 of 2006 (PLD 2012 SC 923).",
        "The bidder quoted 35% above the engineer's figure and 12.5 % below the rest.",
        "The plant has a capacity of 1.1 MTA, to be raised to 3.0 MTA.",
        "The equipment was priced at three times the market, and 3 times the cost of 2008.",
        "Mrs. Ahmed 5 years later said the Members 12 and the hours 5 were recorded.",
        "96. We have heard the learned counsel. 97. The USDA 5 million programme is unrelated.",
        "Contact the office at 051-9204567 or +92 300 1234567 during working hours.",
        "The learned counsel referred to Rs. ... see paragraph 12 of the judgment.",
        "Annex P. 12 and Exhibit P-3 were exhibited at page 45.",
        "For rupees, see paragraph 12; for dollars, Annex 3.",
        "The cost in 2015 dollars was discussed.",
        "US Dollars",
        "In Re 5 cases the court held otherwise.",
        "Rs 5 years ago the rule was different; Rupees ten times over.",
        "The rate was Rs 5 per cent of the value.",
        "The bids were in US dollars, 5 of them from abroad.",
        "He was paid in rupees, 12 months in a row.",
        "They will try 5 million times.",
    ],
)
def test_find_amounts_negatives(text: str) -> None:
    assert find_amounts(text) == []


def test_find_amounts_paragraph_order_and_offsets() -> None:
    text = (
        "The Planning Commission worked out the NPV of the project at US$ 72 million "
        "against the contract price of US$ 124,719,018, while the loan of RMB 850 million "
        "was disbursed in 2009; a further Rs. 75,00,000/- was paid on 24.04.2006."
    )
    amounts = find_amounts(text)
    assert [(a.text, a.value, a.currency) for a in amounts] == [
        ("US$ 72 million", 72e6, "USD"),
        ("US$ 124,719,018", 124_719_018, "USD"),
        ("RMB 850 million", 850e6, "CNY"),
        ("Rs. 75,00,000/-", 7.5e6, "PKR"),
    ]
    for a in amounts:
        assert text[a.start : a.end] == a.text
    starts = [a.start for a in amounts]
    assert starts == sorted(starts)
    assert all(x.end <= y.start for x, y in zip(amounts, amounts[1:]))


def test_words_and_figures_disagreeing_are_two_amounts() -> None:
    text = "the sum of Seven Hundred Thousand Pesos (Php 750,000.00) shall be paid"
    words, figures = find_amounts(text)
    assert (words.value, words.currency, words.in_words) == (700_000, "PHP", True)
    assert (figures.value, figures.currency, figures.in_words) == (750_000, "PHP", False)
    assert words.text == "Seven Hundred Thousand Pesos"
    assert figures.text == "Php 750,000.00"
    (pair,) = find_restatements(text)
    assert pair.words == words and pair.figures == figures
    assert not pair.agrees


def test_restatement_that_agrees() -> None:
    text = "a cheque of Rs. 500,000/- (Rupees Five Lac only) was issued"
    (pair,) = find_restatements(text)
    assert pair.agrees
    assert pair.words.text == "Rupees Five Lac only"
    assert pair.figures.text == "Rs. 500,000/-"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Dollars" never reads as "Rs"
        ("The fee was US Dollars 5 million in all.", [("US Dollars 5 million", 5e6, "USD")]),
        ("a sum of 5 million dollars", [("5 million dollars", 5e6, "USD")]),
        # a suffix currency followed by a figure belongs to that figure
        ("in 2011 Rupees 5 million were released", [("Rupees 5 million", 5e6, "PKR")]),
        # number words followed by years are not rupees
        ("he served the Rupee fund for ten years and paid Rs. 5", [("Rs. 5", 5, "PKR")]),
        # "M/s" after a figure is Messrs, not million
        ("paid Rs. 500 M/s ABC Ltd.", [("Rs. 500", 500, "PKR")]),
        # a sentence-final full stop is not part of the amount
        ("The price was Rs. 5 m.", [("Rs. 5 m", 5e6, "PKR")]),
        # line break between currency and figure (PDF text)
        ("the price of Rs.\n12 billion", [("Rs.\n12 billion", 12e9, "PKR")]),
        # list of figures after one currency: only the first is an amount
        ("fees of Rs. 500, 1,000 and 2,000", [("Rs. 500", 500, "PKR")]),
        # percentages after a currency amount do not change it
        ("Rs 5 billion, i.e. 35% of the total", [("Rs 5 billion", 5e9, "PKR")]),
    ],
)
def test_find_amounts_cases(text: str, expected: list[tuple[str, float, str]]) -> None:
    got = [(a.text, a.value, a.currency) for a in find_amounts(text)]
    assert got == expected


def test_approx_before_and_after_in_running_text() -> None:
    text = "some Rs. 5 billion was spent, Rs 2 billion (approx.) was recovered and over Rs 1 billion is due"
    a, b, c = find_amounts(text)
    assert a.approx and b.approx and not c.approx


def test_words_to_number() -> None:
    assert words_to_number("twelve") == 12
    assert words_to_number("one thousand million") == 10**9
    assert words_to_number("Twelve Hundred") == 1200
    assert words_to_number("two crore fifty lakh") == 25_000_000
    assert words_to_number("seven hundred thousand") == 700_000
    assert words_to_number("banana") is None


# ----------------------------------------------------------------- amount_role

# (sentence, the amount's text inside it, expected role)
ROLES = [
    (
        "the loan of RMB 850 million was to finance the contract of US$ 124.7 million",
        "RMB 850 million",
        "loan-amount",
    ),
    (
        "the loan of RMB 850 million was to finance the contract of US$ 124.7 million",
        "US$ 124.7 million",
        "contract-price",
    ),
    (
        "The Planning Commission worked out the NPV of the project at US$ 72 million "
        "against the contract price of US$ 124.7 million",
        "US$ 72 million",
        "npv-cost",
    ),
    (
        "The Planning Commission worked out the NPV of the project at US$ 72 million "
        "against the contract price of US$ 124.7 million",
        "US$ 124.7 million",
        "contract-price",
    ),
    (
        "The Lender agrees to make available to the Borrower a loan in an amount not "
        "exceeding RMB 850,000,000",
        "RMB 850,000,000",
        "loan-amount",
    ),
    ("your bid for Rs. 1,200,000,000/- has been accepted", "Rs. 1,200,000,000/-", "contract-price"),
    ("the PC-I cost was estimated at Rs. 3.5 billion", "Rs. 3.5 billion", "estimate"),
    (
        "the equipment was priced at about three times the prevailing market rate of Rs 2 million",
        "Rs 2 million",
        "market-price",
    ),
    ("the contract price of US$ 124.7 million", "US$ 124.7 million", "contract-price"),
    ("an NPV of about US$ 72 million", "US$ 72 million", "npv-cost"),
    ("The contract was awarded to M/s ABC Ltd. at Rs. 5.2 billion.", "Rs. 5.2 billion", "contract-price"),
    ("The engineer's estimate for the works was Rs. 45 million.", "Rs. 45 million", "estimate"),
    (
        "The Approved Budget for the Contract (ABC) is Php 12,500,000.00",
        "Php 12,500,000.00",
        "estimate",
    ),
    (
        "The Exim Bank of China extended a buyer's credit of US$ 100 million for the project.",
        "US$ 100 million",
        "loan-amount",
    ),
    (
        "The real cost of the project after concessional financing works out to US$ 72 million.",
        "US$ 72 million",
        "npv-cost",
    ),
    ("The cost to the exchequer was Rs 12 billion.", "Rs 12 billion", "npv-cost"),
    ("The market value of the land was assessed at Rs. 80 million.", "Rs. 80 million", "market-price"),
    ("The supplier quoted a price of Rs 4.5 million for each unit.", "Rs 4.5 million", "contract-price"),
    ("Purchase order amount: PKR 2,500,000", "PKR 2,500,000", "contract-price"),
    ("The project was financed by a loan of US$ 200 million.", "US$ 200 million", "loan-amount"),
    (
        "The estimated cost was Rs 3 billion while the contract was awarded at Rs 4.5 billion.",
        "Rs 3 billion",
        "estimate",
    ),
    (
        "The estimated cost was Rs 3 billion while the contract was awarded at Rs 4.5 billion.",
        "Rs 4.5 billion",
        "contract-price",
    ),
    (
        "The supply contract was executed at a cost of Rs. 900 million.",
        "Rs. 900 million",
        "contract-price",
    ),
    ("The bid price of the successful bidder was Rs. 1.1 billion.", "Rs. 1.1 billion", "contract-price"),
    ("The accused was fined Rs. 50,000 by the trial court.", "Rs. 50,000", None),
    ("The petitioner paid Rs. 10/- per page for certified copies.", "Rs. 10/- per page", None),
    ("The building was completed at a cost of Rs 20 million in 1990.", "Rs 20 million", None),
]


@pytest.mark.parametrize(("sentence", "amount_text", "role"), ROLES)
def test_amount_role(sentence: str, amount_text: str, role: str | None) -> None:
    matches = [a for a in find_amounts(sentence) if a.text == amount_text]
    assert len(matches) == 1, (sentence, [a.text for a in find_amounts(sentence)])
    assert amount_role(sentence, matches[0]) == role


def test_amount_role_accepts_an_amount_built_by_the_caller() -> None:
    sentence = "the loan of RMB 850 million was to finance the contract of US$ 124.7 million"
    start = sentence.index("US$")
    a = Amount(124.7e6, "USD", start, start + len("US$ 124.7 million"), "US$ 124.7 million")
    assert amount_role(sentence, a) == "contract-price"


@pytest.mark.parametrize(
    "text,value",
    [
        ("Rupees One Thousand Two Hundred Million only", 1_200_000_000),
        ("Rupees one thousand two hundred crore", 12_000_000_000),
        ("US Dollars Two Million Three Hundred Thousand", 2_300_000),
    ],
)
def test_words_with_a_scale_after_a_compound(text: str, value: float) -> None:
    amount = parse_amount(text)
    assert amount is not None and amount.value == value
