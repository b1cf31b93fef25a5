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
    anchors: 'exempt|waiv|direct'
    kinds:
      tendering-waived:
        description: Competitive tendering was waived ...
        attributes:
          mechanism: {values: [exemption, waiver], labels: {exemption: "exemption from the procurement rules"}}
          justified: {type: bool}
    triggers:
      - id: exempt-from-rules
        kind: tendering-waived
        pattern: '\\bexempt\\w*\\b{g6}(?:from|of|under)\\s+{RULES}'
        confidence: 0.9
        attrs: {mechanism: exemption}
"""

from __future__ import annotations

from typing import Any

# the scalar type names a table may use
SCALAR_TYPES = ("string", "slug", "name", "regex", "number", "probability", "bool", "any")

ATTRIBUTE_TYPES = ("string", "bool", "number")
POLARITIES = ("positive", "negative")
RELEVANCES = ("any", "procurement")

# one attribute of a fact kind
ATTRIBUTE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "description": (False, "string", "what the attribute says"),
    "type": (False, ("enum", ATTRIBUTE_TYPES), "its type (default: string); a bool attribute is true or false"),
    "values": (False, ("list", "slug"), "the values it can take (a rule or trigger naming another value is an error); absent: free-form"),
    "labels": (False, ("map", "slug", "string"), "how a value reads in a finding's message"),
    "when": (False, "regex", "a bool attribute that is true when the sentence matches this"),
}

# one fact kind a pattern set yields
KIND_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "description": (True, "string", "what a fact of this kind states"),
    "attributes": (False, ("map", "name", ATTRIBUTE_SCHEMA), "its attributes, besides those every fact has"),
    "require_attr": (False, "name", "a match that does not fill this attribute yields no fact"),
}

# one trigger: a pattern that, matched in a sentence, proposes a fact
TRIGGER_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "id": (True, "slug", "the trigger's name, unique in the pack (facts record it as 'pattern')"),
    "kind": (True, "slug", "the fact kind it yields (declared under 'kinds' of some set of the pack)"),
    "pattern": (True, "regex", "the regular expression over one sentence, with {MACRO}s and {g1}..{g12} word gaps; case-insensitive"),
    "confidence": (True, "probability", "the confidence of a fact it yields"),
    "attrs": (False, ("map", "name", "any"), "attribute values of the facts it yields"),
    "require": (False, ("list", "regex"), "regexes that must also match the sentence or the two before it"),
    "exclude": (False, "regex", "no fact if this matches in the sentence"),
    "keys": (False, ("list", "string"), "cheap pre-check: lower-case substrings one of which every match holds"),
    "request": (False, "bool", "the fact is itself a request or directive ('should be kept low profile')"),
    "polarity": (False, ("enum", POLARITIES), "negative: the fact is the event's absence, and holds when the match is negated"),
    "relevance": (False, ("enum", RELEVANCES), "procurement: only in a document and a clause about procurement; any (default): everywhere"),
}

# a pattern file: one per pattern set, e.g. rules/patterns/tendering.yaml
PATTERN_FILE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "set": (True, "slug", "the set's name; a later pack's file with the same name adds to the set"),
    "description": (False, "string", "what the set finds"),
    "anchors": (True, "regex", "alternatives matched at word starts of the lower-cased text: a sentence none of them matches is never tried"),
    "kinds": (False, ("map", "slug", KIND_SCHEMA), "the fact kinds this set yields"),
    "macros": (False, ("map", "name", "regex"), "named regex fragments ({NAME} in a pattern), besides the shared macros file"),
    "triggers": (True, ("list", TRIGGER_SCHEMA), "the patterns"),
    "numbers": (False, ("map", "string", "number"), "number words a pattern's factor group may hold ('twice': 2)"),
}

# patterns/macros.yaml: the macros every set of the pack may use
MACROS_FILE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "macros": (True, ("map", "name", "regex"), "NAME: regex fragment"),
}

# patterns/relevance.yaml: what makes a statement be about procurement
RELEVANCE_FILE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "subject": (True, {"pattern": (True, "regex", "a sentence about procurement matches this"),
                       "min_sentences": (True, "number", "how many such sentences make a document's subject procurement")},
                "the document-level test"),
    "procurement_objects": (True, ("list", "string"), "words (or two-word phrases) that name a procurement object"),
    "other_objects": (True, ("list", "string"), "words that name a court's or an administration's act"),
    "senses": (False, ("list", {"word": (True, "string", "an ambiguous object word"),
                                "other_when": (True, "regex", "a cue of its other sense"),
                                "min_mentions": (True, "number", "mentions of the cue that decide the document's sense")}),
               "words whose sense the document decides"),
}

# patterns/language.yaml: the cues the parsers read (scope, attribution, money roles)
CUE_NAMES = ("relief", "recommendation", "citation", "speech_hint", "authority", "contention_rejected",
             "proposal_rejected", "not_a_price", "other_bid", "planned_cost", "threshold", "npv_cue", "paid_for",
             "per_unit", "amount_link", "amount_head", "party_after", "party_before", "party_between", "dated_event",
             "loan_terms", "procurement_method", "bids_received", "salutation", "legal_provision", "subject_line")
CUE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "pattern": (True, "regex", "the regular expression"),
    "case": (False, ("enum", ("sensitive", "insensitive")), "whether capitals matter (default: insensitive)"),
}
LANGUAGE_FILE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "cues": (True, {name: (False, CUE_SCHEMA, f"the {name.replace('_', ' ')} cue") for name in CUE_NAMES},
             "the parsers' cues by name; a later pack's file replaces the cues it names"),
}

# a pack manifest: pack.yaml at the top of a rule pack
PACK_FILE_SCHEMA: dict[str, tuple[bool, Any, str]] = {
    "name": (True, "slug", "the pack's name"),
    "description": (True, "string", "what the pack covers (a jurisdiction, a sector)"),
    "extends": (False, ("list", "string"), "packs this one builds on, by name or path; later ones override earlier ones"),
    "settings": (False, ("map", "name", "any"), "extraction settings: country, currency_aliases, international_markers, scope_markers, default_scope"),
}


def keys(table: dict[str, tuple[bool, Any, str]]) -> dict[str, bool]:
    """key -> required, as the validators check them."""
    return {k: req for k, (req, _, _) in table.items()}


SCHEMAS: dict[str, dict[str, tuple[bool, Any, str]]] = {
    "pattern": PATTERN_FILE_SCHEMA,
    "macros": MACROS_FILE_SCHEMA,
    "relevance": RELEVANCE_FILE_SCHEMA,
    "language": LANGUAGE_FILE_SCHEMA,
    "pack": PACK_FILE_SCHEMA,
}
