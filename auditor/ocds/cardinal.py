"""The Open Contracting Partnership's Cardinal red-flag indicators, computed the way
Cardinal documents them (``ocdscardinal indicators``, release 0.0.8), so that its
users can switch and get the same flags and values.

Settings come from Cardinal's INI file (``--cardinal-settings``): one section per
enabled indicator (``[R003]``, with ``threshold`` and the like), the global
``currency``, ``no_price_comparison_procurement_methods``,
``price_comparison_procurement_methods``, ``fixed_price_procurement_methods`` and
``[exclusions] procurement_method_details``; ``[R003.procurement_method_details]``
sets the R003 threshold per ``/tender/procurementMethodDetails``.

Per process: R003, R018, R028, R030, R035, R036.  Over the population of all
processes read: R024, R025, R038, R048, R058, whose fences come from the quartiles
of the population (Hyndman and Fan's type 8, Cardinal's choice) unless a
``threshold`` is set.  The details a port gets wrong are kept:

* R003 counts whole 24-hour periods between the tender period's start and end
  (RFC 3339 date-times: a date alone or a time without offset is left out)
  (a period of 23 hours is 0 days), and takes a negative period as short;
* R038 compares ``minimum_contracting_processes`` with the number of *submitted
  bids* of a buyer or procuring entity (what Cardinal counts), not its processes;
* fences use type-8 quartiles, and a value equal to the fence is flagged;
* R024, R025, R038 and R058 flag nothing when their fence is at or below 0 (their
  values are never negative, so such a fence would flag a quarter or more of the
  population); R024/R058 compare the winner's lowest valid bid with the lowest
  valid bid of any other tenderer; R025 counts a tenderer once per process; R028
  groups bids by amount and currency and needs two different sets of tenderers;
  R048 measures and flags only suppliers awarded in ``minimum_contracting_processes``
  processes.  (Checked on Cardinal's own test fixtures: bench/OCDS.md.)

The ``Calculator`` folds each process into small per-process and per-organisation
tallies (never the releases themselves), so a population of 100,000 processes
costs a few tens of megabytes.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

INDICATORS = ("R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058")
GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")
SUBMITTED = ("pending", "valid", "disqualified")  # Cardinal's "submitted" bid statuses
TITLES = {
    "R003": "Short submission period",
    "R018": "Single bid received",
    "R024": "Price close to winning bid",
    "R025": "Excessive unsuccessful bids",
    "R028": "Identical bid prices",
    "R030": "Late bid won",
    "R035": "All except winning bid disqualified",
    "R036": "Lowest bid disqualified",
    "R038": "Excessive disqualified bids",
    "R048": "Heterogeneous supplier",
    "R058": "Heavily discounted bid",
}


class SettingsError(ValueError):
    """A settings file that cannot be used (reported as a usage error)."""


@dataclass(frozen=True)
class Settings:
    top: dict[str, str] = field(default_factory=dict)
    sections: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def default(cls) -> "Settings":
        """Every indicator enabled with Cardinal's defaults."""
        return cls({}, {code: {} for code in INDICATORS})

    @classmethod
    def from_ini(cls, path: Path) -> "Settings":
        """Cardinal's INI: ``key = value`` lines, ``[section]`` headers, ``;``/``#`` comments
        (a trailing ``; comment`` or `` # comment`` after a value is dropped too)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SettingsError(f"cannot read the settings file {path}: {exc.strerror or exc}") from None
        top: dict[str, str] = {}
        sections: dict[str, dict[str, str]] = {}
        cur = top
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in ";#":
                continue
            if line.startswith("["):
                if not line.endswith("]"):
                    raise SettingsError(f"{path}:{n}: a section header must end with ']'")
                cur = sections.setdefault(line[1:-1].strip(), {})
            elif "=" in line:
                key, value = line.split("=", 1)
                for mark in (" ;", " #"):
                    if mark in value:
                        value = value.split(mark, 1)[0]
                cur[key.strip()] = value.strip()
            else:
                raise SettingsError(f"{path}:{n}: expected 'name = value' or '[section]', got {line!r}")
        settings = cls(top, sections)
        settings.check(str(path))
        return settings

    def check(self, where: str) -> None:
        for name, kv in self.sections.items():
            code = name.split(".")[0]
            for key, value in kv.items():
                if name == code and key in ("threshold", "percentile", "digits", "minimum_contracting_processes",
                                            "minimum_submitted_bids"):
                    try:
                        float(value)
                    except ValueError:
                        raise SettingsError(f"{where}: [{name}] {key} must be a number, got {value!r}") from None
                if name == "R003.procurement_method_details":
                    try:
                        int(value)
                    except ValueError:
                        raise SettingsError(f"{where}: [{name}] {key} must be a whole number of days, got {value!r}") from None

    @property
    def enabled(self) -> tuple[str, ...]:
        return tuple(c for c in INDICATORS if c in self.sections)

    def get(self, code: str, key: str) -> str | None:
        return self.sections.get(code, {}).get(key)

    def number(self, code: str, key: str, default: float | None = None) -> float | None:
        value = self.get(code, key)
        return float(value) if value not in (None, "") else default

    def methods(self, code: str, key: str = "procurement_methods") -> tuple[str, ...] | None:
        value = self.get(code, key)
        return tuple(v.strip() for v in value.split("|")) if value else None

    def top_list(self, key: str) -> tuple[str, ...]:
        value = self.top.get(key)
        return tuple(v.strip() for v in value.split("|")) if value else ()


# --- statistics ----------------------------------------------------------------------


def quantile(values: list[float], p: float) -> float:
    """Hyndman and Fan's sample quantile of type 8 (median-unbiased), as Cardinal uses."""
    xs = sorted(values)
    n = len(xs)
    h = (n + 1 / 3) * p + 1 / 3
    if h <= 1:
        return xs[0]
    if h >= n:
        return xs[-1]
    lo = math.floor(h)
    return xs[lo - 1] + (h - lo) * (xs[lo] - xs[lo - 1])


def lower_fence(values: list[float]) -> float:
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    return q1 - 1.5 * (q3 - q1)


def upper_fence(values: list[float]) -> float:
    q1, q3 = quantile(values, 0.25), quantile(values, 0.75)
    return q3 + 1.5 * (q3 - q1)


# --- reading the release -------------------------------------------------------------


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def _ids(orgs: Any) -> list[str] | None:
    """The ids of organisation references; None if one lacks an id (Cardinal excludes)."""
    out = []
    for o in _list(orgs):
        ident = _dict(o).get("id")
        if not isinstance(ident, (str, int)) or isinstance(ident, bool):
            return None
        out.append(str(ident))
    return out


FINAL_AWARD = ("active", "cancelled", "unsuccessful")


def _all_awards_final(awards: list[dict]) -> bool:
    """No award is still open: a status (when given as a string) of active, cancelled or
    unsuccessful.  Cardinal's documentation names pending and invalid; its code leaves the
    process out for any other string too (a mis-cased "Active", a "complete")."""
    return not any(isinstance(a.get("status"), str) and a["status"] not in FINAL_AWARD for a in awards)


def _present_ids(orgs: Any) -> list[str]:
    """The ids that organisation references have (references without one are passed over)."""
    out = []
    for o in _list(orgs):
        ident = _dict(o).get("id")
        if isinstance(ident, (str, int)) and not isinstance(ident, bool):
            out.append(str(ident))
    return out


def _amount(value: Any) -> tuple[float, str | None] | None:
    v = _dict(value)
    amount = v.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return None
    currency = v.get("currency")
    return float(amount), currency if isinstance(currency, str) else None


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    t = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        return None
    if dt.tzinfo is None:
        from datetime import timezone

        dt = dt.replace(tzinfo=timezone.utc)
    return dt


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def parse_rfc3339(text: Any) -> datetime | None:
    """An RFC 3339 date-time (seconds and a UTC offset required), else None: R003's
    reading, as Cardinal's (a date alone, or a time without offset, is no period)."""
    if not isinstance(text, str) or not _RFC3339.fullmatch(text.strip()):
        return None
    return parse_time(text.strip().replace(" ", "T", 1))


def whole_days(start: datetime, end: datetime) -> int:
    """Whole 24-hour periods from start to end, truncated toward zero (chrono's num_days)."""
    seconds = (end - start).total_seconds()
    return int(seconds / 86400)


# --- the calculator ------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    group: str
    id: str
    code: str
    value: float


class Calculator:
    """Fold processes one at a time (``add``), then ``results()``."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.enabled = set(settings.enabled)
        self.currency: str | None = settings.top.get("currency") or None
        self.excluded_details = set(settings.sections.get("exclusions", {}).get("procurement_method_details", "").split("|")) - {""}
        self.no_price = set(settings.top_list("no_price_comparison_procurement_methods")) | \
            set(settings.top_list("fixed_price_procurement_methods"))
        self.price_only = set(settings.top_list("price_comparison_procurement_methods"))
        self.flags: dict[tuple[str, str, str], float] = {}
        self.processes = 0
        # population tallies
        self.diffs: list[tuple[str, float, str, str]] = []  # R024/R058: (ocid, difference, winner, second)
        self.r025: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # tenderer -> [processes bid in (valid), processes won]
        self.r038: dict[str, dict[str, list[int]]] = {g: defaultdict(lambda: [0, 0]) for g in ("Buyer", "ProcuringEntity", "Tenderer")}
        self.r048: dict[str, tuple[set, set]] = defaultdict(lambda: (set(), set()))  # tenderer -> (classes, ocids)

    # -- helpers
    def _flag(self, group: str, ident: str, code: str, value: float) -> None:
        self.flags[(group, ident, code)] = float(value)

    def _money(self, value: Any) -> float | None:
        """An amount in the main currency (the first observed one unless set), else None."""
        a = _amount(value)
        if a is None:
            return None
        amount, currency = a
        if self.currency is None and currency:
            self.currency = currency
        if currency != self.currency:
            return None
        return amount

    def add(self, release: dict) -> None:
        ocid = release.get("ocid")
        if not isinstance(ocid, str):
            return
        tender = _dict(release.get("tender"))
        if tender.get("status") == "cancelled":
            return
        details = tender.get("procurementMethodDetails")
        if isinstance(details, str) and details in self.excluded_details:
            return
        self.processes += 1
        price_ok = self._price_comparable(details)
        bids = [b for b in _list(_dict(release.get("bids")).get("details")) if isinstance(b, dict)]
        awards = [a for a in _list(release.get("awards")) if isinstance(a, dict)]
        on = self.enabled
        if "R003" in on:
            self._r003(ocid, tender)
        if "R018" in on:
            self._r018(ocid, tender)
        if "R028" in on and price_ok:
            self._r028(ocid, bids)
        if "R030" in on:
            self._r030(ocid, tender, bids, awards)
        if "R035" in on:
            self._r035(ocid, bids, awards)
        if "R036" in on and price_ok:
            self._r036(ocid, bids, awards)
        if on & {"R024", "R058"} and price_ok:
            self._diff(ocid, bids, awards)
        if "R025" in on:
            self._r025(bids, awards)
        if "R038" in on:
            self._r038(release, tender, bids)
        if "R048" in on:
            self._r048(ocid, awards)

    def _price_comparable(self, details: Any) -> bool:
        # an allow list (price_comparison_procurement_methods) overrides the deny list, as
        # Cardinal warns: "no_price_comparison_procurement_methods has no effect if ... is set"
        if self.price_only:
            return isinstance(details, str) and details in self.price_only
        return not (isinstance(details, str) and details in self.no_price)

    # -- per process
    def _r003(self, ocid: str, tender: dict) -> None:
        methods = self.s.methods("R003")
        if methods is not None and tender.get("procurementMethod") not in methods:
            return
        period = _dict(tender.get("tenderPeriod"))
        start, end = parse_rfc3339(period.get("startDate")), parse_rfc3339(period.get("endDate"))
        if start is None or end is None:
            return
        threshold = self.s.number("R003", "threshold", 15)
        per_details = self.s.sections.get("R003.procurement_method_details", {})
        details = tender.get("procurementMethodDetails")
        if isinstance(details, str) and details in per_details:
            threshold = float(per_details[details])
        if whole_days(start, end) < threshold:
            self._flag("OCID", ocid, "R003", 1.0)

    def _r018(self, ocid: str, tender: dict) -> None:
        methods = self.s.methods("R018") or ("open", "selective")
        n = tender.get("numberOfTenderers")
        # an integer 1 (Cardinal reads the number as an unsigned integer: 1.0 is not one)
        if tender.get("procurementMethod") in methods and isinstance(n, int) and not isinstance(n, bool) and n == 1:
            self._flag("OCID", ocid, "R018", 1.0)

    def _r028(self, ocid: str, bids: list[dict]) -> None:
        """Different tenderers, same price: bids are grouped by (amount, currency), in
        whatever currency (Cardinal does not hold R028 to the main currency); a group is
        a flag when it holds two different sets of tenderers.  The same tenderer (or the
        same consortium, in any order) bidding one price twice is not."""
        by_price: dict[tuple[float, str], set[frozenset[str]]] = defaultdict(set)
        for b in bids:
            if b.get("status") not in SUBMITTED:
                continue
            value = _dict(b.get("value"))
            amount, currency = value.get("amount"), value.get("currency")
            if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not isinstance(currency, str):
                continue
            ids = frozenset(_present_ids(b.get("tenderers")))
            if ids:
                by_price[(float(amount), currency)].add(ids)
        hit = False
        for sets in by_price.values():
            if len(sets) > 1:
                hit = True
                for t in frozenset().union(*sets):
                    self._flag("Tenderer", t, "R028", 1.0)
        if hit:
            self._flag("OCID", ocid, "R028", 1.0)

    def _r030(self, ocid: str, tender: dict, bids: list[dict], awards: list[dict]) -> None:
        deadline = parse_time(_dict(tender.get("tenderPeriod")).get("endDate"))
        if deadline is None:
            return
        suppliers = {s for a in awards if a.get("status") == "active" for s in _present_ids(a.get("suppliers"))}
        late = set()
        for b in bids:
            received = parse_time(b.get("date"))
            if b.get("status") == "valid" and received is not None and received > deadline:
                late |= set(_present_ids(b.get("tenderers"))) & suppliers
        if late:
            self._flag("OCID", ocid, "R030", 1.0)
            for t in late:
                self._flag("Tenderer", t, "R030", 1.0)

    def _r035(self, ocid: str, bids: list[dict], awards: list[dict]) -> None:
        if not _all_awards_final(awards):
            return
        # the tenderers (with an id) of the valid and of the disqualified bids; a reference
        # without an id is passed over, as it is by Cardinal (no exclusion is documented)
        valid, disqualified = set(), set()
        for b in bids:
            if b.get("status") == "valid":
                valid.update(_present_ids(b.get("tenderers")))
            elif b.get("status") == "disqualified":
                disqualified.update(_present_ids(b.get("tenderers")))
        if len(valid) != 1:
            return
        winner = next(iter(valid))
        # "the tenderer of the valid bids and the suppliers of all active awards are the same"
        suppliers = {s for a in awards if a.get("status") == "active" for s in _present_ids(a.get("suppliers"))}
        if suppliers != {winner}:
            return
        others = disqualified - {winner}
        if len(others) >= max(self.s.number("R035", "threshold", 1), 1):  # Cardinal: at least 1
            self._flag("OCID", ocid, "R035", float(len(others)))
            self._flag("Tenderer", winner, "R035", 0.0)

    def _r036(self, ocid: str, bids: list[dict], awards: list[dict]) -> None:
        if not any(a.get("status") == "active" for a in awards):
            return
        lowest: tuple[float, str] | None = None
        valid_with_amount = False  # Cardinal: "one or more valid bids with amounts"
        for b in bids:
            if b.get("status") not in SUBMITTED:
                continue
            amount = self._money(b.get("value"))
            if amount is None:
                continue
            valid_with_amount = valid_with_amount or b.get("status") == "valid"
            if lowest is None or amount < lowest[0]:
                lowest = (amount, b.get("status"))
        if valid_with_amount and lowest is not None and lowest[1] == "disqualified":
            self._flag("OCID", ocid, "R036", 1.0)

    # -- population tallies
    def _single_award(self, awards: list[dict]) -> str | None:
        """The one supplier of the one active award; None when Cardinal excludes the process."""
        if not _all_awards_final(awards):
            return None
        active = [a for a in awards if a.get("status") == "active"]
        if len(active) != 1:
            return None
        ids = _ids(active[0].get("suppliers"))
        if ids is None or len(ids) != 1:
            return None
        return ids[0]

    def _diff(self, ocid: str, bids: list[dict], awards: list[dict]) -> None:
        winner = self._single_award(awards)
        if winner is None:
            return
        sole = _sole_tenderer_bids(bids)
        if sole is None:
            return
        # the winner's lowest valid bid against the lowest valid bid of anyone else (the
        # first such bid on a tie): a winner's second bid is not "the second-lowest bid"
        won: float | None = None
        other: tuple[float, str] | None = None
        for b, tenderer in sole:
            amount = self._money(b.get("value"))
            if amount is None:
                continue
            if tenderer == winner:
                won = amount if won is None else min(won, amount)
            elif other is None or amount < other[0]:
                other = (amount, tenderer)
        if won is None or other is None or other[0] < won or won <= 0:
            return  # the lowest bid did not win: the award criteria are not price only
        self.diffs.append((ocid, (other[0] - won) / won, winner, other[1]))

    def _r025(self, bids: list[dict], awards: list[dict]) -> None:
        winner = self._single_award(awards)
        if winner is None:  # no winning bid to count (or an excluded award)
            return
        sole = _sole_tenderer_bids(bids)
        if sole is None:
            return
        # each tenderer counts once per process, however many valid bids it made
        for t in {tenderer for _, tenderer in sole}:
            self.r025[t][0] += 1
            if t == winner:
                self.r025[t][1] += 1

    def _r038(self, release: dict, tender: dict, bids: list[dict]) -> None:
        submitted = [b for b in bids if b.get("status") in SUBMITTED]
        if not submitted:
            return
        n = len(submitted)
        d = sum(1 for b in submitted if b.get("status") == "disqualified")
        for group, org in (("Buyer", release.get("buyer")), ("ProcuringEntity", tender.get("procuringEntity"))):
            ident = _dict(org).get("id")
            if isinstance(ident, (str, int)) and not isinstance(ident, bool):
                tally = self.r038[group][str(ident)]
                tally[0] += n
                tally[1] += d
        for b in submitted:
            for t in _present_ids(b.get("tenderers")):
                tally = self.r038["Tenderer"][t]
                tally[0] += 1
                tally[1] += b.get("status") == "disqualified"

    def _r048(self, ocid: str, awards: list[dict]) -> None:
        digits = int(self.s.number("R048", "digits", 2))
        for a in awards:
            if a.get("status") != "active":
                continue
            ids = _ids(a.get("suppliers"))
            if ids is None or len(ids) != 1:
                continue
            classes, ocids = self.r048[ids[0]]
            for item in _list(a.get("items")):
                cid = _dict(_dict(item).get("classification")).get("id")
                if isinstance(cid, (str, int)) and not isinstance(cid, bool) and str(cid)[:digits]:
                    classes.add(str(cid)[:digits])
                    ocids.add(ocid)  # a process counts once it awarded the supplier a classified item

    # -- results
    def results(self) -> dict[tuple[str, str, str], float]:
        """{(group, id, code): value} of every flag."""
        out = dict(self.flags)
        on = self.enabled
        if self.diffs and "R024" in on:
            values = [d for _, d, _, _ in self.diffs]
            threshold = self.s.number("R024", "threshold")
            q1 = quantile(values, 0.25)
            fence = lower_fence(values) if threshold is None else threshold
            # differences are never negative: a fence at or below 0 (a quarter or more of the
            # processes at a difference of 0) would flag every such process, so none is flagged
            for ocid, d, winner, second in self.diffs if fence > 0 and (threshold is not None or q1 > 0) else ():
                if d <= fence:
                    out[("OCID", ocid, "R024")] = d
                    out[("Tenderer", winner, "R024")] = 0.0
                    out[("Tenderer", second, "R024")] = 0.0
        if self.diffs and "R058" in on:
            values = [d for _, d, _, _ in self.diffs]
            fence = self.s.number("R058", "threshold")
            fence = upper_fence(values) if fence is None else fence
            for ocid, d, winner, _ in self.diffs if fence > 0 else ():
                if d >= fence:
                    out[("OCID", ocid, "R058")] = d
                    out[("Tenderer", winner, "R058")] = 0.0
        if self.r025 and "R025" in on:
            counts = [c for c, _ in self.r025.values()]
            top = quantile([float(c) for c in counts], self.s.number("R025", "percentile", 75) / 100)
            ratios = {t: w / c for t, (c, w) in self.r025.items() if c}
            threshold = self.s.number("R025", "threshold")
            q1 = quantile(list(ratios.values()), 0.25)
            fence = lower_fence(list(ratios.values())) if threshold is None else threshold
            # ratios are never negative: with a fence at or below 0 (a quarter or more of the
            # tenderers never winning) no tenderer is flagged, as in Cardinal
            live = fence > 0 and (threshold is not None or q1 > 0)
            for t, (c, _) in self.r025.items() if live else ():
                if c and c >= top and ratios[t] <= fence:
                    out[("Tenderer", t, "R025")] = ratios[t]
        if "R038" in on:
            for group, tallies in self.r038.items():
                key = "minimum_submitted_bids" if group == "Tenderer" else "minimum_contracting_processes"
                minimum = self.s.number("R038", key, 2)
                ratios = {i: d / n for i, (n, d) in tallies.items() if n >= minimum and n}
                if not ratios:
                    continue
                fence = self.s.number("R038", "threshold")
                fence = upper_fence(list(ratios.values())) if fence is None else fence
                # ratios are never negative: a fence at or below 0 (three quarters or more with
                # no disqualified bid) flags nothing, as in Cardinal
                for i, r in ratios.items() if fence > 0 else ():
                    if r >= fence:
                        out[(group, i, "R038")] = r
        if self.r048 and "R048" in on:
            minimum = self.s.number("R048", "minimum_contracting_processes", 20)
            # only suppliers awarded in at least `minimum` processes are measured: they make
            # the fence, and only they can be flagged (a small supplier's variety says little)
            varieties = {t: len(c) for t, (c, o) in self.r048.items() if o and len(o) >= minimum}
            fence = self.s.number("R048", "threshold")
            if fence is None and varieties:
                fence = upper_fence([float(v) for v in varieties.values()])
            if fence is not None:
                for t, v in varieties.items():
                    if v and v >= fence:
                        out[("Tenderer", t, "R048")] = float(v)
        return out


def compute(releases: Iterable[dict], settings: Settings) -> dict[tuple[str, str, str], float]:
    calc = Calculator(settings)
    for r in releases:
        calc.add(r)
    return calc.results()


def as_cardinal(flags: dict[tuple[str, str, str], float]) -> dict[str, dict[str, dict[str, float]]]:
    """Cardinal's output shape: {group: {id: {code: value}}}, groups with results only."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for (group, ident, code), value in sorted(flags.items(), key=lambda kv: (GROUPS.index(kv[0][0]), kv[0][1], kv[0][2])):
        out.setdefault(group, {}).setdefault(ident, {})[code] = value
    return {g: out[g] for g in GROUPS if g in out}


def _sole_tenderer_bids(bids: list[dict]) -> list[tuple[dict, str]] | None:
    """The valid bids, each with its one tenderer; None when a valid bid was submitted
    by several tenderers (a consortium: Cardinal's documentation leaves the process out).
    A valid bid without a tenderer id is passed over, as Cardinal passes it over."""
    out: list[tuple[dict, str]] = []
    for b in bids:
        if b.get("status") != "valid":
            continue
        tenderers = _list(b.get("tenderers"))
        if len(tenderers) > 1:
            return None
        ids = _present_ids(tenderers)
        if ids:
            out.append((b, ids[0]))
    return out
