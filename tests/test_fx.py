"""Tests for auditor.fx and the bundled exchange-rate table."""

from __future__ import annotations

import dataclasses
import math
from importlib import resources

import pytest

from auditor import fx
from auditor.fx import Conversion, UnknownRate

YEARS = range(2000, 2026)
REQUIRED = ("PKR", "CNY", "USD", "EUR", "GBP", "INR", "BDT", "LKR", "KES", "NGN", "PHP")

# Year-on-year moves larger than this factor (either direction) are suspicious
# in an annual-average series and must be listed below with the reason.
MAX_YEARLY_FACTOR = 1.60
KNOWN_DEVALUATIONS = {
    ("NGN", 2024): "naira unification/float of June 2023 fully reflected in the 2024 average",
    ("LKR", 2022): "Sri Lanka balance-of-payments crisis, rupee floated March 2022",
}

ANCHORS = [
    ("PKR", 2010, 85.2),
    ("PKR", 2012, 93.4),
    ("PKR", 2020, 161.8),
    ("PKR", 2023, 280.4),
    ("CNY", 2010, 6.77),
    ("CNY", 2015, 6.23),
    ("INR", 2020, 74.1),
    ("PHP", 2022, 54.5),
    ("KES", 2023, 139.8),
    ("NGN", 2023, 645.0),
    ("EUR", 2010, 0.755),
    ("GBP", 2010, 0.647),
]


def _raw_rows() -> list[tuple[str, int, float]]:
    text = resources.files("auditor.data").joinpath("fx_usd_annual.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "currency,year,lcu_per_usd"
    rows = []
    for ln in lines[1:]:
        cur, year, val = ln.split(",")
        rows.append((cur, int(year), float(val)))
    return rows


# --- the table -----------------------------------------------------------------


def test_header_documents_source_and_precision() -> None:
    text = resources.files("auditor.data").joinpath("fx_usd_annual.csv").read_text(encoding="utf-8")
    header = "\n".join(ln for ln in text.splitlines() if ln.startswith("#"))
    for needle in ("PA.NUS.FCRF", "World Development Indicators", "International Financial Statistics",
                   "period average", "2025", "provisional", "transcribed", "not for", "5 %"):
        assert needle.lower() in header.lower(), needle


def test_no_duplicate_rows() -> None:
    rows = _raw_rows()
    keys = [(c, y) for c, y, _ in rows]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("currency", REQUIRED)
def test_every_required_currency_and_year(currency: str) -> None:
    assert currency in fx.currencies()
    for year in YEARS:
        r, used = fx.rate(currency, year)
        assert used == year, (currency, year)
        assert r > 0 and math.isfinite(r)


def test_every_currency_covers_every_year() -> None:
    table = fx._table()
    for cur, years in table.items():
        assert set(YEARS) <= set(years), cur


def test_usd_is_one() -> None:
    for year in YEARS:
        assert fx.rate("USD", year) == (1.0, year)


def test_year_on_year_changes_plausible() -> None:
    table = fx._table()
    jumps = {}
    for cur, years in table.items():
        for y in YEARS[1:]:
            factor = years[y] / years[y - 1]
            if max(factor, 1 / factor) > MAX_YEARLY_FACTOR:
                jumps[(cur, y)] = round(factor, 2)
    unexplained = {k: v for k, v in jumps.items() if k not in KNOWN_DEVALUATIONS}
    assert not unexplained, f"implausible one-year moves: {unexplained}"
    # and the exception list names only moves that really are that large
    stale = set(KNOWN_DEVALUATIONS) - set(jumps)
    assert not stale, f"listed as devaluations but not > {MAX_YEARLY_FACTOR}x: {stale}"
    # even a known devaluation is not a 3x move in one annual average
    assert all(v < 3.0 for v in jumps.values()), jumps


def test_known_large_but_allowed_moves() -> None:
    # these are real devaluations just under the threshold: keep them visible
    def factor(cur: str, y: int) -> float:
        return fx.rate(cur, y)[0] / fx.rate(cur, y - 1)[0]

    assert 1.30 < factor("PKR", 2023) < MAX_YEARLY_FACTOR
    assert 1.20 < factor("NGN", 2016) < MAX_YEARLY_FACTOR
    assert 1.35 < factor("NGN", 2023) < MAX_YEARLY_FACTOR


@pytest.mark.parametrize(("currency", "year", "expected"), ANCHORS)
def test_anchor_values(currency: str, year: int, expected: float) -> None:
    r, used = fx.rate(currency, year)
    assert used == year
    assert abs(r - expected) / expected < 0.03, (currency, year, r)


def test_cny_peg_years() -> None:
    for y in range(2000, 2005):
        assert fx.rate("CNY", y)[0] == pytest.approx(8.277, abs=0.005)


# --- lookup --------------------------------------------------------------------


def test_rate_case_and_aliases() -> None:
    assert fx.rate("pkr", 2010) == fx.rate("PKR", 2010)
    assert fx.rate(" PKR ", 2010) == fx.rate("PKR", 2010)
    assert fx.rate("RMB", 2015) == fx.rate("CNY", 2015)
    assert fx.rate("US$", 2015) == (1.0, 2015)
    assert fx.rate("KShs", 2015) == fx.rate("KES", 2015)


def test_nearest_year_fallback() -> None:
    first, last = min(YEARS), max(YEARS)
    assert fx.rate("PKR", 1995) == fx.rate("PKR", first)
    assert fx.rate("PKR", 1995)[1] == first
    assert fx.rate("PKR", 2031)[1] == last
    assert fx.rate("PKR", None)[1] == last
    assert fx.rate("EUR", None) == fx.rate("EUR", last)


@pytest.mark.parametrize("code", ["XXX", "", "Rs", "DOLLARS"])
def test_unknown_currency(code: str) -> None:
    with pytest.raises(UnknownRate):
        fx.rate(code, 2010)
    with pytest.raises(UnknownRate):
        fx.to_usd(1.0, code, 2010)
    with pytest.raises(LookupError):  # UnknownRate is a LookupError
        fx.convert(1.0, "USD", code, 2010)


def test_currencies_tuple() -> None:
    cur = fx.currencies()
    assert isinstance(cur, tuple)
    assert list(cur) == sorted(cur)
    assert set(REQUIRED) <= set(cur)


# --- conversion ----------------------------------------------------------------


def test_to_usd_basic() -> None:
    c = fx.to_usd(12_000_000_000, "PKR", 2010)
    assert isinstance(c, Conversion)
    assert c.currency == "PKR"
    assert c.year == 2010 and c.requested_year == 2010
    assert c.rate == fx.rate("PKR", 2010)[0]
    assert c.usd == pytest.approx(12_000_000_000 / c.rate)
    assert 135e6 < c.usd < 145e6


def test_to_usd_records_fallback_year() -> None:
    c = fx.to_usd(1e9, "rmb", 1998)
    assert (c.currency, c.year, c.requested_year) == ("CNY", 2000, 1998)
    c = fx.to_usd(1e9, "PKR", None)
    assert c.requested_year is None and c.year == max(YEARS)


def test_conversion_is_frozen() -> None:
    c = fx.to_usd(1.0, "EUR", 2010)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.usd = 2.0  # type: ignore[misc]


@pytest.mark.parametrize("currency", REQUIRED)
@pytest.mark.parametrize("year", [2000, 2010, 2023, 2025])
def test_round_trips(currency: str, year: int) -> None:
    value = 123_456_789.0
    usd = fx.to_usd(value, currency, year).usd
    assert fx.convert(usd, "USD", currency, year) == pytest.approx(value, rel=1e-12)
    assert fx.convert(value, currency, "USD", year) == pytest.approx(usd, rel=1e-12)
    back = fx.convert(fx.convert(value, currency, "EUR", year), "EUR", currency, year)
    assert back == pytest.approx(value, rel=1e-12)


def test_convert_cross_rate() -> None:
    # 100 EUR in GBP, 2010: 100 / 0.755 * 0.647 ~= 85.7
    assert fx.convert(100, "EUR", "GBP", 2010) == pytest.approx(100 / fx.rate("EUR", 2010)[0] * fx.rate("GBP", 2010)[0])
    assert 83 < fx.convert(100, "EUR", "GBP", 2010) < 88
    assert fx.convert(5, "USD", "USD", None) == 5


# --- text ----------------------------------------------------------------------


def test_describe() -> None:
    c = fx.to_usd(12_000_000_000, "PKR", 2010)
    assert c.describe() == "PKR 12,000,000,000 at 85.19 PKR/USD (2010 average) = US$ 140.9 million"


def test_describe_fallbacks_and_small_rates() -> None:
    d = fx.to_usd(1e9, "CNY", 1990).describe()
    assert d.startswith("CNY 1,000,000,000 at 8.278 CNY/USD (2000 average; nearest to 1990) = US$ ")
    d = fx.to_usd(1e9, "PKR", None).describe()
    assert "(2025 provisional average; year unknown)" in d
    d = fx.to_usd(2_500_000.5, "EUR", 2010).describe()
    assert d.startswith("EUR 2,500,000.50 at 0.755 EUR/USD (2010 average) = US$ 3.3 million")
    assert fx.to_usd(5000, "USD", 2012).describe() == "USD 5,000 = US$ 5,000 (no conversion)"


def test_describe_without_value_field() -> None:
    # constructed by hand with only the five documented fields
    c = Conversion(usd=1_000_000.0, rate=85.19, year=2010, requested_year=2010, currency="PKR")
    assert c.describe() == "PKR 85,190,000 at 85.19 PKR/USD (2010 average) = US$ 1.0 million"


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (124_700_000, "USD", "US$ 124.7 million"),
        (12e9, "PKR", "Rs 12.0 billion"),
        (850e6, "CNY", "RMB 850.0 million"),
        (850e6, "RMB", "RMB 850.0 million"),
        (750_000, "PHP", "PHP 750,000"),
        (1_000_000, "KES", "KES 1.0 million"),
        (999_999, "USD", "US$ 999,999"),
        (12.5, "EUR", "EUR 12.50"),
        (0, "GBP", "GBP 0"),
        (-3_000_000, "NGN", "NGN -3.0 million"),
        (999_960_000, "USD", "US$ 1.0 billion"),  # not "1,000.0 million"
        (2.5e12, "NGN", "NGN 2.5 trillion"),
        (4_350_000_000_000_000, "PKR", "Rs 4,350.0 trillion"),
        (1234.0, "INR", "INR 1,234"),
        (5e6, "XYZ", "XYZ 5.0 million"),  # formatting needs no rate
    ],
)
def test_format_money(value: float, currency: str, text: str) -> None:
    assert fx.format_money(value, currency) == text
