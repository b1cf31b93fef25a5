"""Tests for auditor.extract.dates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from auditor.extract.dates import DateSpan, find_dates, parse_date

D = dt.date

# (text, expected date, precision, exact span text)
POSITIVE = [
    # forms named in the brief
    ("29th June, 2012", D(2012, 6, 29), "day", "29th June, 2012"),
    ("23.8.2012", D(2012, 8, 23), "day", "23.8.2012"),
    ("29.12.2009", D(2009, 12, 29), "day", "29.12.2009"),
    ("the 5th day of March 2013", D(2013, 3, 5), "day", "5th day of March 2013"),
    ("on or before 31st Dec. 2012", D(2012, 12, 31), "day", "31st Dec. 2012"),
    ("dated 14.11.2012", D(2012, 11, 14), "day", "14.11.2012"),
    ("December 2010", D(2010, 12, 1), "month", "December 2010"),
    ("June 29, 2012", D(2012, 6, 29), "day", "June 29, 2012"),
    ("29 June 2012", D(2012, 6, 29), "day", "29 June 2012"),
    ("2012-06-29", D(2012, 6, 29), "day", "2012-06-29"),
    ("29/06/2012", D(2012, 6, 29), "day", "29/06/2012"),
    ("29-06-2012", D(2012, 6, 29), "day", "29-06-2012"),
    ("1st of April, 2013", D(2013, 4, 1), "day", "1st of April, 2013"),
    ("31.10.2013", D(2013, 10, 31), "day", "31.10.2013"),
    ("8th June, 2006", D(2006, 6, 8), "day", "8th June, 2006"),
    ("30th of March 2006", D(2006, 3, 30), "day", "30th of March 2006"),
    ("24.04.2006", D(2006, 4, 24), "day", "24.04.2006"),
    ("Sept. 2011", D(2011, 9, 1), "month", "Sept. 2011"),
    ("24th April 2006", D(2006, 4, 24), "day", "24th April 2006"),
    ("14-11-12", D(2012, 11, 14), "day", "14-11-12"),  # two-digit year, pivot 50
    ("Friday, 29 June 2012", D(2012, 6, 29), "day", "Friday, 29 June 2012"),
    ("29th day of June, 2012", D(2012, 6, 29), "day", "29th day of June, 2012"),
    ("the 2nd day of January, 2023", D(2023, 1, 2), "day", "2nd day of January, 2023"),
    ("July 21, 2025", D(2025, 7, 21), "day", "July 21, 2025"),
    ("21 July 2025", D(2025, 7, 21), "day", "21 July 2025"),
    ("10:00 AM on 15th March, 2021", D(2021, 3, 15), "day", "15th March, 2021"),
    ("15.03.2021 at 11:00 hours", D(2021, 3, 15), "day", "15.03.2021"),
    # day-first impossible, month-first valid -> month-first
    ("12/31/2012", D(2012, 12, 31), "day", "12/31/2012"),
    # day-first wins whenever it is valid
    ("04.05.2012", D(2012, 5, 4), "day", "04.05.2012"),
    # more variants seen in judgments and tender notices
    ("29-Jun-2012", D(2012, 6, 29), "day", "29-Jun-2012"),
    ("29-Jun-12", D(2012, 6, 29), "day", "29-Jun-12"),
    ("03.05.12", D(2012, 5, 3), "day", "03.05.12"),
    ("14/11/98", D(1998, 11, 14), "day", "14/11/98"),
    ("29\u201306\u20132012", D(2012, 6, 29), "day", "29\u201306\u20132012"),  # en dashes
    ("29TH JUNE, 2012", D(2012, 6, 29), "day", "29TH JUNE, 2012"),
    ("29 june 2012", D(2012, 6, 29), "day", "29 june 2012"),
    ("SEPT. 2011", D(2011, 9, 1), "month", "SEPT. 2011"),
    ("Dec. 31st, 2012", D(2012, 12, 31), "day", "Dec. 31st, 2012"),
    ("June 29th 2012", D(2012, 6, 29), "day", "June 29th 2012"),
    ("Thursday the 5th day of March 2013", D(2013, 3, 5), "day",
     "Thursday the 5th day of March 2013"),
    ("Wednesday, July 21, 2021", D(2021, 7, 21), "day", "Wednesday, July 21, 2021"),
    ("June, 2012", D(2012, 6, 1), "month", "June, 2012"),
    ("Jun-2012", D(2012, 6, 1), "month", "Jun-2012"),
    ("in the month of May 2011 the tender", D(2011, 5, 1), "month", "May 2011"),
    ("29 February 2012", D(2012, 2, 29), "day", "29 February 2012"),  # leap year
    ("(dated 01.07.2019)", D(2019, 7, 1), "day", "01.07.2019"),
    ("received on 2019/07/01.", D(2019, 7, 1), "day", "2019/07/01"),
    ("the 1st day of\nJuly, 2019", D(2019, 7, 1), "day", "1st day of\nJuly, 2019"),
    ("21 st July 2025", D(2025, 7, 21), "day", "21 st July 2025"),  # OCR split ordinal
    ("award dated 5.1.1999 was", D(1999, 1, 5), "day", "5.1.1999"),
    ("Order of 3rd Nov. 2005.", D(2005, 11, 3), "day", "3rd Nov. 2005"),
    ("In August 2008, PPRA", D(2008, 8, 1), "month", "August 2008"),
    ("published on 1 Jul 2015", D(2015, 7, 1), "day", "1 Jul 2015"),
    ("deadline 2012-06-29T10:00", D(2012, 6, 29), "day", "2012-06-29"),
]

NEGATIVE = [
    "C.P. 91/2011",
    "S.M.C. 11/2011",
    "Const. P. No. 9 of 2006",
    "Public Procurement Rules, 2004",
    "2006",
    "rule 42(c)",
    "Rs. 12.5 million",
    "1.1 MTA",
    "section 21",
    "para 96. of the judgment",
    "Tel: 051-9201234",
    "Phone +92-51-9204512, cell 0300-1234567",
    "version 2.5.1",
    "software 2020.1.3",
    "Rs. 4,35,00,000",
    "ratio 54:46",
    "at 11:00",
    "11:00 hours",
    "31.02.2012",  # invalid date -> nothing, no exception
    "31st February 2012",
    "30.13.2012",
    "the bidder may 2012",  # lower-case month word without a day
    "clause 3.5.12",  # unpadded two-digit-year triple is clause numbering
    "Clause 12.10.15 of the GCC",  # padded, but after "Clause"
    "No. 14.11.12",
    "2012 SCMR 1173",
    "PLD 2010 SC 759",
    "Marine 2012",
    "fiscal year 2012-13",
    "29 June",  # no year
    "06/2012",  # numeric month/year is not recognised (case-number shaped)
]


@pytest.mark.parametrize(("text", "expected", "precision", "span"), POSITIVE, ids=[r[0] for r in POSITIVE])
def test_positive(text: str, expected: dt.date, precision: str, span: str) -> None:
    found = find_dates(text)
    assert len(found) == 1, found
    (ds,) = found
    assert ds.date == expected
    assert ds.precision == precision
    assert ds.text == span
    assert text[ds.start : ds.end] == span


def test_positive_row_count() -> None:
    assert len(POSITIVE) >= 40
    assert len(NEGATIVE) >= 15


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(text: str) -> None:
    assert find_dates(text) == []


PARAGRAPH = (
    "7. The tender for the LNG terminal was advertised on 29th June, 2012 "
    "(C.P. 91/2011 refers) with bids due on or before 31st Dec. 2012 at 11:00 hours. "
    "The evaluation report dated 14.11.2012 recommended award at Rs. 12.5 million; "
    "the agreement was executed on the 5th day of March 2013, whereas the earlier "
    "approval of December 2010 had lapsed. Under rule 42(c), see Const. P. No. 9 of 2006, "
    "the PPRA wrote on 2013-04-01 and again on June 29, 2013, and 14-11-12."
)


def test_offsets_in_paragraph() -> None:
    found = find_dates(PARAGRAPH)
    assert [d.text for d in found] == [
        "29th June, 2012",
        "31st Dec. 2012",
        "14.11.2012",
        "5th day of March 2013",
        "December 2010",
        "2013-04-01",
        "June 29, 2013",
        "14-11-12",
    ]
    assert [d.date for d in found] == [
        D(2012, 6, 29),
        D(2012, 12, 31),
        D(2012, 11, 14),
        D(2013, 3, 5),
        D(2010, 12, 1),
        D(2013, 4, 1),
        D(2013, 6, 29),
        D(2012, 11, 14),
    ]
    for d in found:
        assert PARAGRAPH[d.start : d.end] == d.text
    # in order and non-overlapping
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start


def test_adjacent_dates_are_separate() -> None:
    found = find_dates("from 01.07.2012 to 30.06.2013; 1 July 2012-30 June 2013")
    assert [d.date for d in found] == [D(2012, 7, 1), D(2013, 6, 30), D(2012, 7, 1), D(2013, 6, 30)]


def test_numeric_range_glued_by_dash() -> None:
    found = find_dates("w.e.f. 01.07.2012-30.06.2013 and 01.07.2012\u201330.06.2013")
    assert [d.text for d in found] == ["01.07.2012", "30.06.2013", "01.07.2012", "30.06.2013"]
    assert found[1].date == D(2013, 6, 30)
    # a dash followed by something that is not a full date still vetoes the match
    assert find_dates("01.07.2012-13") == []
    assert find_dates("01.07.2012-3.5") == []


def test_day_range_keeps_last_day() -> None:
    (ds,) = find_dates("on 28-29 June 2012")
    assert (ds.text, ds.date) == ("29 June 2012", D(2012, 6, 29))


def test_invalid_does_not_hide_neighbours() -> None:
    found = find_dates("31.02.2012 was corrected to 29.02.2012")
    assert [(d.text, d.date) for d in found] == [("29.02.2012", D(2012, 2, 29))]


def test_empty_and_junk() -> None:
    assert find_dates("") == []
    assert find_dates("   \n\t") == []
    assert find_dates("\x00\x01 99.99.9999 ////") == []


def test_datespan_is_frozen() -> None:
    (ds,) = find_dates("29 June 2012")
    assert isinstance(ds, DateSpan)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.start = 3  # type: ignore[misc]


# --- parse_date --------------------------------------------------------------


_PARSE_DATE_OK = [r for r in POSITIVE if r[0] == r[3] or r[0].lower().startswith(("the ", "dated "))]


@pytest.mark.parametrize(("text", "expected", "precision", "span"), _PARSE_DATE_OK, ids=[r[0] for r in _PARSE_DATE_OK])
def test_parse_date_accepts(text: str, expected: dt.date, precision: str, span: str) -> None:
    ds = parse_date(text)
    assert ds is not None
    assert (ds.date, ds.precision, ds.text) == (expected, precision, span)
    assert text[ds.start : ds.end] == span


def test_parse_date_row_count() -> None:
    assert len(_PARSE_DATE_OK) >= 35


def test_parse_date_offsets_index_the_input() -> None:
    text = "  the 5th day of March 2013.  "
    ds = parse_date(text)
    assert ds is not None
    assert text[ds.start : ds.end] == "5th day of March 2013"
    assert ds.date == D(2013, 3, 5)


def test_parse_date_bare_year() -> None:
    ds = parse_date(" 2006 ")
    assert ds == DateSpan(D(2006, 1, 1), 1, 5, "2006", "year")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Decided on 29 June 2012",  # a sentence containing a date is not a date
        "29 June 2012 and 30 June 2012",
        "29 June",
        "31.02.2012",
        "C.P. 91/2011",
        "2012-13",
        "12006",
        "on or before 31st Dec. 2012",
        "15.03.2021 at 11:00 hours",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None
