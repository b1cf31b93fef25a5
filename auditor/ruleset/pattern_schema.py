"""The formats of a rule pack's other files, as data: pattern files
(``rules/patterns/<set>.yaml``: the phrasing that yields facts) and the pack
manifest (``pack.yaml``).

This module is the single source of truth for both formats: the loader of
pattern files validates against these tables, and ``auditor rules schema
--kind pattern|pack`` prints a JSON Schema generated from them
(``auditor.ruleset.json_schema``).  Nothing here is code but the tables.

A table maps each key to ``(required, type, description)``.  A type is one of

* a name: ``"string"`` (non-empty text), ``"slug"`` (lower-case letters, digits
  and ``-``), ``"name"`` (an identifier such as a macro name), ``"regex"`` (a
  Python regular expression), ``"number"``, ``"probability"`` (a number from 0
  to 1), ``"bool"``, ``"any"``;
* ``("enum", (value, ...))``: one of these strings;
* ``("list", type)``: a list of values of that type;
* ``("map", key type, value type)``: a mapping;
* a table of the same form: a mapping with exactly those keys (unknown keys are
  refused).

An example pattern file::

    set: tendering
    description: Competitive tendering waived, bypassed or dispensed with.
    anchors: [exempt, waiv, direct]
    kinds:
      tendering-waived:
        description: Competitive tendering was waived ...
        attributes:
          mechanism: {values: [exemption, waiver], labels: {exemption: "exemption from the procurement rules"}}
          justified: {type: bool}
    triggers:
      - id: exempt-from-rules
        kind: tendering-waived
        pattern: 'exempt(?:ed|ion)? from {PROCUREMENT_RULES}'
        confidence: 0.9
        attrs: {mechanism: exemption}
"""

from __future__ import annotations

from typing import Any

# the scalar type names a table may use
SCALAR_TYPES = ("string", "slug", "name", "regex", "number", "probability", "bool", "any")

ATTRIBUTE_TYPES = ("string", "bool", "number", "date")
REQUIRE_SCOPES = ("sentence", "context", "paragraph")
POLARITIES = ("positive", "negative")
RELEVANCES = ("procurement", "any")

# one attribute of a fact kind
ATTRIBUTE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "description": (False, "string", "what the attribute says"),
    "type": (False, ("enum", ATTRIBUTE_TYPES), "its type (default: string); a bool attribute is true or false"),
    "values": (False, ("list", "slug"), "the values it can take (a rule naming another value is an error); absent: free-form"),
    "labels": (False, ("map", "slug", "string"), "how a value reads in a finding's message"),
}

# one fact kind a pattern set yields
KIND_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "description": (True, "string", "what a fact of this kind states"),
    "attributes": (False, ("map", "name", ATTRIBUTE_SCHEMA), "its attributes, besides those every fact has"),
}

# one trigger: a pattern that, matched in a sentence, proposes a fact
TRIGGER_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "id": (True, "slug", "the trigger's name, unique in the pack (facts record it as 'pattern')"),
    "kind": (True, "slug", "the fact kind it yields (declared under 'kinds' of some set of the pack)"),
    "pattern": (True, "regex", "the regular expression, with {MACRO}s, matched on the lower-cased text"),
    "confidence": (True, "probability", "the confidence of a fact it yields"),
    "attrs": (False, ("map", "name", "any"), "attribute values of the facts it yields"),
    "require": (False, ("list", "string"), "regexes or context names that must also match nearby"),
    "require_scope": (False, ("enum", REQUIRE_SCOPES), "where 'require' must match (default: sentence)"),
    "exclude": (False, "regex", "no fact if this matches in the sentence"),
    "keys": (False, ("list", "string"), "cheap pre-check: substrings one of which the text must hold"),
    "request": (False, "bool", "the fact holds when the match is asked for (a request), not stated"),
    "polarity": (False, ("enum", POLARITIES), "negative: the fact holds when the match is negated"),
    "relevance": (False, ("enum", RELEVANCES), "procurement: only in text about procurement (default); any: everywhere"),
    "vendor_group": (False, "name", "the pattern's named group that fills the vendor role"),
}

# a pattern file: one per pattern set, e.g. rules/patterns/tendering.yaml
PATTERN_FILE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "set": (True, "slug", "the set's name (the file is <set>.yaml)"),
    "description": (True, "string", "what the set finds"),
    "anchors": (True, ("list", "regex"), "regex fragments matched at word starts of the lower-cased text: "
                "a sentence none of them matches is never tried"),
    "kinds": (True, ("map", "slug", KIND_SCHEMA), "the fact kinds this set yields"),
    "macros": (False, ("map", "name", "regex"), "named regex fragments ({NAME} in a pattern), besides the shared macros file"),
    "contexts": (False, ("map", "name", "regex"), "named context patterns a trigger's 'require' may name"),
    "triggers": (True, ("list", TRIGGER_SCHEMA), "the patterns"),
}

# a pack manifest: pack.yaml at the top of a rule pack
PACK_FILE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "name": (True, "slug", "the pack's name"),
    "description": (True, "string", "what the pack covers (a jurisdiction, a sector)"),
    "extends": (False, ("list", "string"), "packs this one builds on, by name or path; later ones override earlier ones"),
    "settings": (False, ("map", "name", "any"), "jurisdiction settings (rule parameters, thresholds) by name"),
    "rules": (False, ("list", "slug"), "the ids of the rules to include (default: every rule of the pack)"),
}

SCHEMAS: dict[str, dict[str, tuple[bool, Any, str]]] = {
    "pattern": PATTERN_FILE_SCHEMA,
    "pack": PACK_FILE_SCHEMA,
}
