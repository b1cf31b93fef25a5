"""The vocabulary shared by extractors and rule files: every kind of fact and its
attributes.  Rule files are validated against it (an unknown fact kind or
attribute in a rule is an error with a hint).  The parsers' kinds are listed here;
the kinds that phrasing yields are declared by the rule pack's pattern sets."""

from __future__ import annotations

from collections.abc import Mapping

# attributes every fact has, whatever its kind (resolved from the fact and its document)
COMMON_ATTRS = ("document", "page", "document_kind", "confidence", "status", "quote", "trigger", "pattern")

# Kinds the parsers produce (money, dates, names, tables); every other kind is declared,
# with its attributes and their values, by the pattern sets of a rule pack (patterns.py).
PARSER_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "money": (
        "An amount of money with its role (contract-price, loan-amount, npv-cost, estimate, market-price).",
        ("value", "currency", "role", "amount", "approx", "year", "usd", "rate", "rate_year", "vendor", "of"),
    ),
    "amount-restatement": (
        "An amount written in words beside the same amount in figures, where the two disagree.",
        ("words", "figures", "words_value", "figures_value", "currency", "agrees"),
    ),
    "organisation": ("A firm or organisation named in the document.", ("name", "core")),
    "name-mention": ("A capitalised name in a financing agreement.", ("name", "core")),
    "document-title": ("The document's title line.", ("title",)),
    # the contract's terms (auditor/extract/roles.py; the term sheet of auditor/terms.py)
    "party": ("A party with its role to the contract (buyer, vendor, lender, borrower).", ("name", "role", "core", "how")),
    "dated-event": ("A date with the event it marks (award, contract-signed, loan-agreement, judgment...).",
                    ("event", "date", "precision")),
    "loan-term": ("A term of a loan: its interest rate (per cent a year), tenor or grace period (years).", ("term", "value")),
    "procurement-method": ("How the contract was procured, with the legal provision cited.", ("method", "provision")),
    "legal-provision": ("A provision of law cited about the procurement method or an exemption.", ("provision",)),
    "subject": ("What is procured, in the document's words.", ("text", "source")),
    "bidding-period": (
        "A tender notice's publication date, bid deadline, days between them and kind of bidding.",
        ("published", "deadline", "days", "scope", "published_source", "deadline_day"),
    ),
    "reference-number": ("An identifier the document gives its procurement (a tender or contract number, an OCDS ocid).",
                         ("number", "key")),
    # OCDS facts (auditor/ocds/facts.py): each rests on a JSON member of a contracting process
    "ocds-document-listed": (
        "A document an OCDS process lists (tender notice, evaluation report, signed contract...), and whether the case holds one of its kind.",
        ("document_type", "url", "title", "expected_kind", "in_case", "ocid"),
    ),
    "ocds-process": ("An OCDS contracting process read for the case (its ocid).", ("ocid", "method")),
    "bids-received": (
        "The number of bids (tenderers) received: an OCDS process's /tender/numberOfTenderers or its distinct "
        "bid tenderers, or a document's statement (\"three bids were received\", \"only one bid\").",
        ("count", "source", "ocid"),
    ),
    "award-contract-values": (
        "The value of an OCDS award beside the value of the contract(s) implementing it (summed; same currency).",
        ("award_value", "contract_value", "currency", "spread", "spread_pct", "award_id", "contracts", "ocid"),
    ),
    "ocds-indicator": (
        "A Cardinal red-flag indicator that flags an OCDS process, or its buyer, procuring entity or a tenderer.",
        ("code", "group", "id", "value", "indicator", "ocid"),
    ),
}


def fact_kinds(pattern_dirs: "tuple | None" = None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every fact kind known to a scan: the parsers' and those the pack's pattern sets declare."""
    from auditor.extract import patterns

    pack = patterns.load(patterns.pack_dirs(pattern_dirs or ()))
    out = dict(PARSER_KINDS)
    for name, spec in pack.kinds.items():
        out[name] = (spec.description, tuple(a for a, _ in spec.attributes))
    return out


class _BuiltinKinds(Mapping):
    """The built-in pack's fact kinds, loaded on first use (a cached scan never needs them)."""

    def _data(self) -> dict:
        if not hasattr(self, "_d"):
            self._d = fact_kinds()
        return self._d

    def __getitem__(self, key: str):
        return self._data()[key]

    def __iter__(self):
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


FACT_KINDS: Mapping[str, tuple[str, tuple[str, ...]]] = _BuiltinKinds()


def attrs_of(kind: str) -> tuple[str, ...]:
    return COMMON_ATTRS + FACT_KINDS[kind][1]


def label(attr: str, value: object) -> object:
    """The reader-facing form of an attribute value (codes stay codes in JSON facts),
    as the pack's pattern sets label it."""
    if isinstance(value, str):
        from auditor.extract import patterns

        return patterns.load().label(attr, value)
    return value


# --- the values an attribute can take ------------------------------------------------
#
# Rule files are checked against these (``where: {mechanism: single-sorce}`` is an
# error with a hint); an attribute not listed is free-form (names, amounts, dates).

# attributes of the parsers' kinds that are true or false (a pattern set declares its own
# kinds' attributes with their type and values)
BOOL_ATTRS: frozenset[tuple[str, str]] = frozenset({
    ("money", "approx"),
    ("amount-restatement", "agrees"),
    ("ocds-document-listed", "in_case"),
})

# enumerated attributes of the parsers' kinds, and those every fact has, by attribute name
ATTR_VALUES: dict[str, tuple[str, ...]] = {
    # who says it: the court itself, the record before it, a party, the law, the author, a precedent
    "speaker": ("court", "record", "party", "law", "author", "precedent", "other"),
    "scope": ("national", "international"),  # of competitive bidding
}

BOOL_VALUES = ("true", "false")


def _pattern_attr(kind: str | None, attr: str):
    if kind is None or kind in PARSER_KINDS:
        return None
    from auditor.extract import patterns

    spec = patterns.load().kinds.get(kind)
    return spec.attr(attr) if spec is not None else None


def known_values(kind: str | None, attr: str) -> tuple[str, ...] | None:
    """The values ``attr`` of a fact of ``kind`` can take, or None if it is
    free-form.  Bool attributes give ``("true", "false")``; ``kind`` None means an
    attribute every fact has.  The one place rule validation (and the JSON Schema
    of rule files) asks: the parsers' kinds are listed here, the pattern kinds'
    attributes come from the pack's pattern sets."""
    if is_bool_attr(kind, attr):
        return BOOL_VALUES
    if attr == "status":
        from auditor.models import Status

        return tuple(s.value for s in Status)
    if attr == "document_kind":
        from auditor.extract.doctype import KINDS

        return tuple(KINDS)
    if kind is not None and attr not in attrs_of(kind):
        return None
    if attr == "role" and kind == "money":
        from auditor.extract.money import ROLES  # the money module owns the roles

        return tuple(ROLES)
    spec = _pattern_attr(kind, attr)
    if spec is not None and spec.values:
        return tuple(spec.values)
    return ATTR_VALUES.get(attr)


def is_bool_attr(kind: str | None, attr: str) -> bool:
    if kind is None:
        return False
    if (kind, attr) in BOOL_ATTRS:
        return True
    spec = _pattern_attr(kind, attr)
    return spec is not None and spec.type == "bool"
