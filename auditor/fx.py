"""Exchange rates for materiality comparisons.

A bundled table (``auditor/data/fx_usd_annual.csv``) of annual average rates,
local currency units per US dollar, from the World Bank WDI / IMF IFS series
PA.NUS.FCRF.  The values are rounded and transcribed (see the CSV header):
good enough to tell whether a contract is worth ~US$ 100 million, not for
accounting.

Year handling: a year outside the table, or ``None`` (date unknown), uses the
nearest year the table has for that currency -- ``None`` means the latest year.
Every :class:`Conversion` records both the year asked for and the year used, so
a report can say so.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from auditor.errors import InternalError

__all__ = [
    "Conversion",
    "RateTableError",
    "UnknownRate",
    "convert",
    "currencies",
    "format_money",
    "rate",
    "to_usd",
]

_DATA_PACKAGE = "auditor.data"
_DATA_FILE = "fx_usd_annual.csv"

# The last year in the table is a provisional partial-year estimate.
_PROVISIONAL_YEARS = frozenset({2025})

# Unambiguous alternative spellings.  "Rs" is deliberately absent: it is the
# rupee of Pakistan, India and Sri Lanka alike.
_ALIASES = {
    "RMB": "CNY",
    "US$": "USD",
    "US DOLLAR": "USD",
    "US DOLLARS": "USD",
    "KSH": "KES",
    "KSHS": "KES",
    "€": "EUR",
    "£": "GBP",
    "₱": "PHP",
}

# How format_money writes each currency; anything else is written as its code.
_SYMBOLS = {"USD": "US$", "PKR": "Rs", "CNY": "RMB"}


class UnknownRate(LookupError):
    """No rate for this currency in the bundled table (a normal "cannot convert")."""


class RateTableError(InternalError):
    """The bundled exchange-rate table is missing, unreadable or has a bad row:
    a broken installation, reported loudly (exit code 4), never taken for an
    unknown currency."""


@dataclass(frozen=True, slots=True)
class Conversion:
    """The result of :func:`to_usd`, with everything needed to cite it."""

    usd: float
    rate: float  # LCU per USD used
    year: int  # the year whose rate was used
    requested_year: int | None  # the year asked for
    currency: str
    value: float | None = None  # the amount converted, in ``currency``

    @property
    def original(self) -> float:
        return self.value if self.value is not None else self.usd * self.rate

    def describe(self) -> str:
        """E.g. ``PKR 12,000,000,000 at 85.19 PKR/USD (2010 average) = US$ 140.9 million``."""
        amount = f"{self.currency} {_plain_number(self.original)}"
        if self.currency == "USD":
            return f"{amount} = {format_money(self.usd, 'USD')} (no conversion)"
        basis = f"{self.year} average"
        if self.year in _PROVISIONAL_YEARS:
            basis = f"{self.year} provisional average"
        if self.requested_year is None:
            basis += "; year unknown"
        elif self.requested_year != self.year:
            basis += f"; nearest to {self.requested_year}"
        return (
            f"{amount} at {_rate_text(self.rate)} {self.currency}/USD ({basis})"
            f" = {format_money(self.usd, 'USD')}"
        )


# --------------------------------------------------------------------------- #
# Table
# --------------------------------------------------------------------------- #


@cache
def _table() -> dict[str, dict[int, float]]:
    """The bundled table, read once.  A table that is missing, unreadable or has
    a bad row raises :class:`RateTableError` (a broken installation, never
    mistaken for "no rate for this currency")."""
    try:
        text = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ModuleNotFoundError) as exc:
        raise RateTableError(f"cannot read the exchange-rate table {_DATA_FILE}: {exc}") from exc
    return parse_table(text)


def parse_table(text: str) -> dict[str, dict[int, float]]:
    """currency -> year -> LCU per USD, from the CSV text of the table (``#``
    lines are comments).  Any bad row raises :class:`RateTableError` with its line."""
    rows = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip() and not ln.lstrip().startswith("#")]
    if not rows:
        raise RateTableError(f"{_DATA_FILE}: the exchange-rate table is empty")
    header = next(csv.reader([rows[0][1]]))
    wanted = ("currency", "year", "lcu_per_usd")
    missing = [c for c in wanted if c not in header]
    if missing:
        raise RateTableError(f"{_DATA_FILE}:{rows[0][0]}: the header lacks the column(s) {', '.join(missing)}")
    where = {c: header.index(c) for c in wanted}
    table: dict[str, dict[int, float]] = {}
    for lineno, line in rows[1:]:
        cells = next(csv.reader([line]))
        try:
            code = cells[where["currency"]].strip().upper()
            year = int(cells[where["year"]])
            value = float(cells[where["lcu_per_usd"]])
        except (IndexError, ValueError) as exc:
            raise RateTableError(f"{_DATA_FILE}:{lineno}: bad row {line.strip()!r} ({exc})") from None
        if not code:
            raise RateTableError(f"{_DATA_FILE}:{lineno}: a row without a currency")
        if not (value > 0 and math.isfinite(value)):
            raise RateTableError(f"{_DATA_FILE}:{lineno}: bad rate for {code} {year}: {value!r}")
        years = table.setdefault(code, {})
        if year in years:
            raise RateTableError(f"{_DATA_FILE}:{lineno}: duplicate row for {code} {year}")
        years[year] = value
    return table


def _code(currency: str) -> str:
    key = currency.strip().upper()
    code = _ALIASES.get(key, key)
    if code not in _table():
        raise UnknownRate(f"no exchange rate for currency {currency!r} (known: {', '.join(currencies())})")
    return code


def currencies() -> tuple[str, ...]:
    """ISO codes present in the table, sorted."""
    return tuple(sorted(_table()))


def rate(currency: str, year: int | None) -> tuple[float, int]:
    """(LCU per USD, year used).

    ``year`` None -> the latest year in the table; a year the table lacks ->
    the nearest year it has (on a tie, the earlier).  Unknown currency ->
    :class:`UnknownRate`.
    """
    years = _table()[_code(currency)]
    if year is None:
        used = max(years)
    elif int(year) in years:
        used = int(year)
    else:
        used = min(years, key=lambda y: (abs(y - int(year)), y))
    return years[used], used


def to_usd(value: float, currency: str, year: int | None) -> Conversion:
    """Convert ``value`` (in ``currency``) to US dollars at that year's average."""
    code = _code(currency)
    lcu, used = rate(code, year)
    return Conversion(
        usd=value / lcu,
        rate=lcu,
        year=used,
        requested_year=None if year is None else int(year),
        currency=code,
        value=value,
    )


def convert(value: float, from_currency: str, to_currency: str, year: int | None) -> float:
    """Convert between any two currencies in the table, through the US dollar.

    Each side uses its own nearest year (they coincide for years the table covers).
    """
    src, _ = rate(from_currency, year)
    dst, _ = rate(to_currency, year)
    return value / src * dst


# --------------------------------------------------------------------------- #
# Formatting
# --------------------------------------------------------------------------- #


def _plain_number(value: float) -> str:
    if abs(value - round(value)) < 0.005:
        return f"{round(value):,}"
    return f"{value:,.2f}"


def _rate_text(r: float) -> str:
    return f"{r:,.2f}" if r >= 10 else f"{r:.4g}"


def format_money(value: float, currency: str) -> str:
    """Human-readable amount: ``US$ 124.7 million``, ``Rs 12.0 billion``,
    ``RMB 850.0 million``, ``PHP 750,000``.

    Amounts of a million or more are scaled (million / billion / trillion, one
    decimal); smaller ones are written in full with thousands separators (and
    cents only when there are any).  Unknown currency codes are written as
    given -- formatting never needs a rate.
    """
    key = currency.strip().upper()
    code = _ALIASES.get(key, key)
    label = _SYMBOLS.get(code, code)
    units = ((1e6, "million"), (1e9, "billion"), (1e12, "trillion"))
    magnitude = abs(value)
    chosen = None
    for i, (size, word) in enumerate(units):
        if magnitude >= size:
            chosen = i
    if chosen is None:
        return f"{label} {_plain_number(value)}"
    # 999.96 million would print as "1,000.0 million": say "1.0 billion"
    if chosen + 1 < len(units) and round(magnitude / units[chosen][0], 1) >= 1000:
        chosen += 1
    size, word = units[chosen]
    return f"{label} {value / size:,.1f} {word}"
