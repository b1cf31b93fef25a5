"""Extraction settings of a jurisdiction: what the parsers must know about a
country's documents that the text alone does not say.

* ``currency_aliases``: what an ambiguous currency token means.  ``Rs`` stands
  for the whole rupee family (``Rs.``, ``Re.``, ``Rupees`` without a country);
  any other key is a token the money parser already recognises (``$``,
  ``Shillings``, ``P``, ``KSh``...), matched as written, case-insensitively and
  without a trailing dot.  Default ``{"Rs": "PKR"}``.
* ``international_markers``: regular-expression fragments (case-insensitive);
  a tender notice matching one is ``international``.
* ``scope_markers``: further kinds of bidding, ``scope: [fragments]``, tried in
  order after the international markers ("small-value" for a Philippine RFQ).
* ``default_scope``: the scope of a notice that matches no marker (``national``).
* ``country``: ISO 3166 alpha-2 code of the jurisdiction (``PK``), compared
  with the ``jurisdiction`` of a rule's references.

The settings are a small frozen value: they travel to the worker processes
with each document (``DocTask.settings``) and are part of the document-result
cache key (``signature``), so a Kenyan rescan never reuses a Pakistani
extraction.  During ``auditor.extract.facts.analyse`` they are the *current*
settings (a context variable) that ``money.find_amounts`` and
``tender.bidding_periods`` read; outside it, the default applies.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Iterator, Mapping

# what made a notice international before packs could say so (tender.py's rule)
DEFAULT_INTERNATIONAL_MARKERS: tuple[str, ...] = (
    r"\binternational\s+(?:competitive\s+)?(?:bidding|tender(?:ing)?|bidders?|firms?|competition)\b",
    r"\bICB\b",
    r"\bforeign\s+(?:firms|bidders|companies|suppliers)\b",
    r"\bglobal\s+tender\b",
)

RUPEE_KEY = "Rs"  # the alias key for the rupee family


@dataclass(frozen=True)
class ExtractionSettings:
    country: str = "PK"
    currency_aliases: tuple[tuple[str, str], ...] = ((RUPEE_KEY, "PKR"),)
    international_markers: tuple[str, ...] = DEFAULT_INTERNATIONAL_MARKERS
    scope_markers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    default_scope: str = "national"

    @property
    def rupee(self) -> str:
        """What ``Rs``/``Rupees`` without a country mean."""
        return _alias_map(self.currency_aliases).get(_alias_key(RUPEE_KEY), "PKR")

    def alias(self, token: str) -> str | None:
        """The currency a pack gives this token (as written), or None."""
        return _alias_map(self.currency_aliases).get(_alias_key(token))

    def scope_of(self, text: str) -> str | None:
        """The scope a text's markers give, or None."""
        if _compiled(self.international_markers).search(text):
            return "international"
        for scope, markers in self.scope_markers:
            if _compiled(markers).search(text):
                return scope
        return None

    def signature(self) -> str:
        """A short stable digest of everything that changes extraction."""
        text = repr((self.country, self.currency_aliases, self.international_markers, self.scope_markers, self.default_scope))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def updated(self, values: Mapping[str, Any]) -> "ExtractionSettings":
        """These settings with a pack's ``settings:`` mapping applied on top:
        ``currency_aliases`` and ``scope_markers`` merge key by key, the others
        replace."""
        changes: dict[str, Any] = {}
        if "country" in values:
            changes["country"] = values["country"]
        if "currency_aliases" in values:
            merged = dict(self.currency_aliases)
            merged.update(values["currency_aliases"])
            changes["currency_aliases"] = tuple(merged.items())
        if "international_markers" in values:
            changes["international_markers"] = tuple(values["international_markers"])
        if "scope_markers" in values:
            merged_s = dict(self.scope_markers)
            merged_s.update({k: tuple(v) for k, v in values["scope_markers"].items()})
            changes["scope_markers"] = tuple(merged_s.items())
        if "default_scope" in values:
            changes["default_scope"] = values["default_scope"]
        return replace(self, **changes) if changes else self


@lru_cache(maxsize=64)
def _alias_map(aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {_alias_key(k): v for k, v in aliases}


def _alias_key(token: str) -> str:
    return re.sub(r"\s+", " ", token.strip()).rstrip(".").lower()


_COMPILED: dict[tuple[str, ...], re.Pattern[str]] = {}


def _compiled(markers: tuple[str, ...]) -> re.Pattern[str]:
    rx = _COMPILED.get(markers)
    if rx is None:
        rx = re.compile("|".join(f"(?:{m})" for m in markers) if markers else r"(?!)", re.I)
        _COMPILED[markers] = rx
    return rx


DEFAULT = ExtractionSettings()

_current: ContextVar[ExtractionSettings] = ContextVar("auditor_extraction_settings", default=DEFAULT)


def current() -> ExtractionSettings:
    return _current.get()


@contextmanager
def using(settings: ExtractionSettings | None) -> Iterator[ExtractionSettings]:
    """Make ``settings`` (None: the default) current for the extraction inside."""
    token = _current.set(settings or DEFAULT)
    try:
        yield settings or DEFAULT
    finally:
        _current.reset(token)
