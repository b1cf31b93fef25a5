"""The vocabulary shared by extractors and rule files: every kind of fact and its
attributes.  Rule files are validated against it (an unknown fact kind or
attribute in a rule is an error with a hint)."""

from __future__ import annotations

# attributes every fact has, whatever its kind (resolved from the fact and its document)
COMMON_ATTRS = ("document", "page", "document_kind", "confidence", "status", "quote", "trigger", "pattern")

FACT_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tendering-waived": (
        "Competitive tendering was waived, bypassed or dispensed with (exemption, direct contracting, "
        "single source, no advertisement...).",
        ("mechanism", "justified"),
    ),
    "feasibility-missing": (
        "A feasibility study / PC-I / appraisal was not done, dispensed with, or deferred until after award.",
        ("mode",),
    ),
    "urgency-invoked": ("Urgency, security or emergency is invoked to justify skipping procedure.", ()),
    "emergency-declared": ("A formal emergency / calamity declaration (notification, gazette, proclamation).", ()),
    "secrecy-request": ("A request that the procurement be kept confidential, low profile or out of the media.", ()),
    "financing-tied": ("A statement that financing is tied to a named (or referred-to) vendor.", ("vendor",)),
    "financing-concessional": ("Concessional, tied or export-credit financing is mentioned.", ()),
    "unsolicited-proposal": ("The project originated from a vendor's own approach or proposal.", ("vendor",)),
    "court-irregularity": (
        "A court, tribunal or auditor declared the contract/process illegal, void, set aside or farcical, "
        "or ordered re-tendering or an inquiry.",
        ("finding", "speaker"),
    ),
    "overpricing": ("Prices stated to be a multiple of (or a percentage above) the market price.", ("factor",)),
    "money": (
        "An amount of money with its role (contract-price, loan-amount, npv-cost, estimate, market-price).",
        ("value", "currency", "role", "amount", "approx", "year", "usd", "rate", "rate_year", "vendor"),
    ),
    "amount-restatement": (
        "An amount written in words beside the same amount in figures, where the two disagree.",
        ("words", "figures", "words_value", "figures_value", "currency", "agrees"),
    ),
    "organisation": ("A firm or organisation named in the document.", ("name", "core")),
    "name-mention": ("A capitalised name in a financing agreement.", ("name", "core")),
    "document-title": ("The document's title line.", ("title",)),
    "bidding-period": (
        "A tender notice's publication date, bid deadline, days between them and kind of bidding.",
        ("published", "deadline", "days", "scope", "published_source"),
    ),
}


def attrs_of(kind: str) -> tuple[str, ...]:
    return COMMON_ATTRS + FACT_KINDS[kind][1]


# How attribute codes read in a finding's message ("{mechanism}" -> "single-source award").
LABELS: dict[str, dict[str, str]] = {
    "mechanism": {
        "exemption": "exemption from the procurement rules",
        "waiver": "waiver of competitive tendering",
        "dispensed": "open bidding dispensed with",
        "bypassed": "tendering bypassed",
        "rules-not-followed": "procurement rules not followed",
        "direct-contracting": "direct contracting",
        "single-source": "single-source award",
        "limited-competition": "limited-source bidding",
        "nomination": "award on nomination",
        "negotiated": "negotiated award",
        "government-to-government": "government-to-government arrangement",
        "no-competition": "award without competition",
        "no-advertisement": "no tender or advertisement",
    },
    "mode": {
        "not-done": "no study was done",
        "dispensed": "the study was dispensed with",
        "deferred": "the study was put off until after the award",
    },
    "finding": {
        "declared-illegal": "declared illegal, void or vitiated",
        "set-aside": "set aside",
        "cancelled": "cancelled by order",
        "farcical": "called a farce or sham",
        "irregularities": "irregularities found",
        "violation": "made in violation of the rules",
        "irregular": "found irregular",
        "re-tender": "re-tendering ordered",
        "inquiry-ordered": "inquiry ordered",
    },
}


def label(attr: str, value: object) -> object:
    """The reader-facing form of an attribute value (codes stay codes in JSON facts)."""
    if isinstance(value, str):
        return LABELS.get(attr, {}).get(value, value)
    return value


# --- the values an attribute can take ------------------------------------------------
#
# Rule files are checked against these (``where: {mechanism: single-sorce}`` is an
# error with a hint); an attribute not listed is free-form (names, amounts, dates).

# attributes that are true or false
BOOL_ATTRS: frozenset[tuple[str, str]] = frozenset({
    ("tendering-waived", "justified"),
    ("money", "approx"),
    ("amount-restatement", "agrees"),
})

# enumerated attributes besides those of LABELS, by attribute name (whatever the kind)
ATTR_VALUES: dict[str, tuple[str, ...]] = {
    # who says it: the court itself, the record before it, a party, the law, the author, a precedent
    "speaker": ("court", "record", "party", "law", "author", "precedent", "other"),
    "scope": ("national", "international"),  # of competitive bidding
}

BOOL_VALUES = ("true", "false")


def known_values(kind: str | None, attr: str) -> tuple[str, ...] | None:
    """The values ``attr`` of a fact of ``kind`` can take, or None if it is
    free-form.  Bool attributes give ``("true", "false")``; ``kind`` None means an
    attribute every fact has.  The one place rule validation (and the JSON Schema
    of rule files) asks; pattern files can add to ``ATTR_VALUES`` and ``LABELS``."""
    if kind is not None and (kind, attr) in BOOL_ATTRS:
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
    if attr in LABELS:
        return tuple(LABELS[attr])
    return ATTR_VALUES.get(attr)


def is_bool_attr(kind: str | None, attr: str) -> bool:
    return kind is not None and (kind, attr) in BOOL_ATTRS
