"""Names of firms and organisations, and how to compare them.

"M/s Sino-Pak Vision Technologies Co. Ltd", "Sino Pak Vision Technologies Company
Limited" and "SPV Technologies" may all name one vendor.  ``core_name`` strips
the honorifics and legal suffixes so that fuzzy matching (rapidfuzz) compares
what distinguishes a firm, and ``name_match`` scores two names 0-100.
"""

from __future__ import annotations

import re
from functools import lru_cache

# a name that defines its short form: "M/s. Associated Group (M/s. AG)" is also "AG"
SHORT_FORM = re.compile(r"^(?P<name>.+?)\s*\((?:M/[Ss]\.?\s*)?(?P<short>[A-Z][A-Za-z0-9&.-]{1,9})\)$")


def name_forms(name: str) -> tuple[str, ...]:
    """A name and, if it defines one, its short form: "M/s. Associated Group (M/s. AG)" is also "AG"."""
    m = SHORT_FORM.match(name)
    return (m.group("name"), m.group("short")) if m else (name,)


LEGAL_SUFFIX = (  # the legal forms that end a firm's name
    r"(?:Co\.?,?\s*Ltd\.?|Co\.?,?\s*Limited|Company\s+Limited|Company|Limited|Ltd\.?|Corporation|Corp\.?|Inc\.?|"
    r"\(Pvt\.?\)\s*(?:Ltd\.?|Limited)|Pvt\.?\s*(?:Ltd\.?|Limited)|Private\s+Limited|LLC|L\.L\.C\.|GmbH|S\.A\.|PLC|plc|"
    r"JV|Joint\s+Venture|Consortium|Group|Holdings|Enterprises|Associates|Traders|Trading|Construction|Builders)"
)
_CAP = r"[A-Z][\w&'’.-]*"
_ORG_SUFFIXED = re.compile(
    rf"\b(?:{_CAP}|&|and|of|de|for)(?:[ \t]+(?:{_CAP}|&|and|of|de|for|\(?[A-Z]+\)?)){{0,7}}?[ \t,]+{LEGAL_SUFFIX}(?![\w])"
)
_ORG_MS = re.compile(r"\bM/[Ss]\.?\s*((?:[A-Z0-9][\w&'’.-]*|&)(?:[ \t]*\n?[ \t]*(?:[A-Z0-9(][\w&'’.()-]*|&|and|of)){0,8})")

_STOP = frozenset(
    """m/s ms messrs the co company ltd limited corporation corp inc pvt private llc gmbh sa plc jv joint venture
    consortium group holdings and of for de technologies technology tech systems system solutions international
    engineering services trading traders enterprises associates construction builders industries""".split()
)
_LEADING_NOISE = re.compile(r"^(?:M/[Ss]\.?\s*|Messrs\.?\s+|the\s+)", re.I)


def find_organisations(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of firm names in a sentence: "M/s X..." or "X ... Ltd"."""
    out: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _ORG_MS.finditer(text):
        name = _trim_name(m.group(0))
        if len(core_tokens(name)) == 0:
            continue
        out.append((m.start(), m.start() + len(name), name))
        taken.append((m.start(), m.end()))
    for m in _ORG_SUFFIXED.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        name = m.group(0).strip()
        name = re.sub(r"^(?:The|And|Of|For|With|By|To|From|In|On|At|That|This)\s+", "", name)
        if len(core_tokens(name)) == 0:
            continue
        out.append((m.start(), m.end(), name))
    out.sort()
    return out


def _trim_name(raw: str) -> str:
    """Cut an "M/s ..." run at the end of the firm's name."""
    words = raw.split()
    kept: list[str] = []
    for w in words:
        kept.append(w)
        if re.fullmatch(r"(?:Ltd|Limited|Inc|Corp|Corporation|LLC|GmbH|PLC|JV)\.?,?", w):
            break
    name = " ".join(kept).rstrip(",.;:)")
    # stop before a lower-case continuation was never taken; drop trailing joiners
    name = re.sub(r"\s+(?:and|of|&)$", "", name)
    return name


@lru_cache(maxsize=4096)
def core_tokens(name: str) -> tuple[str, ...]:
    """Distinctive lower-case tokens of a firm's name ("sino", "pak", "vision")."""
    name = _LEADING_NOISE.sub("", name.strip())
    tokens = re.findall(r"[A-Za-z0-9]+", name.lower())
    return tuple(t for t in tokens if t not in _STOP and len(t) > 1)


def core_name(name: str) -> str:
    return " ".join(core_tokens(name))


def acronym(name: str) -> str:
    return "".join(t[0] for t in core_tokens(name))


def name_match(a: str, b: str) -> float:
    """0-100: how surely names a and b denote the same firm."""
    from rapidfuzz import fuzz

    ca, cb = core_name(a), core_name(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 100.0
    score = float(fuzz.token_set_ratio(ca, cb))
    # "SPV" vs "Sino Pak Vision": acronym of one equals the other's first core token
    ta, tb = core_tokens(a), core_tokens(b)
    if len(ta) >= 2 and tb and acronym(a) == tb[0]:
        score = max(score, 90.0)
    if len(tb) >= 2 and ta and acronym(b) == ta[0]:
        score = max(score, 90.0)
    # "Sino-Pak" vs "Sino Pak": compare with tokens glued
    glued = float(fuzz.ratio(ca.replace(" ", ""), cb.replace(" ", "")))
    return max(score, glued)


GENERIC_VENDOR = re.compile(
    r"^the\s+(?:said\s+|same\s+|chinese\s+|foreign\s+|selected\s+|proposed\s+)?(?:vendor|supplier|contractor|firm|company|consortium|manufacturer|bidder|joint\s+venture)$",
    re.I,
)
