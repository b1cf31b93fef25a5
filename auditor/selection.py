"""Which rules run (``--select``/``--ignore``) and which findings are suppressed.

**Selection.** A selector is a rule id or a tag of the rule files (``price``,
``cross-document``).  ``select`` keeps the rules any selector matches (all when
empty); ``ignore`` then removes those any of its selectors matches.  A selector
that matches no rule of the run is a usage error with a suggestion, so a typo
never silently runs everything.

**Suppressions.** A YAML file of entries, one per finding fingerprint, each with
the reason the finding is accepted::

    suppressions:
      - fingerprint: 5f0c9e7a1b2d3c4e5f6a7b8c
        reason: reviewed with the legal team on 2026-11-30; the waiver was lawful
        rule: waived-tendering                          # the rest says what it was
        document: islamabad-safe-city/summary-for-pm.pdf
        page: 2

A suppressed finding stays in every report, marked suppressed with its reason,
and does not count for ``--fail-on``.  Entries that match no finding of the run
are said in a run note (they may be stale).  ``auditor scan
--write-suppressions FILE --reason TEXT`` writes the file from a scan: the
entries already in it are kept with their own reasons, every other finding is
added with TEXT, to be refined per finding.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

from auditor.errors import UsageError

ENTRY_KEYS = ("fingerprint", "reason", "rule", "case", "document", "page", "quote")


def check_selectors(rules: Sequence, select: Sequence[str], ignore: Sequence[str]) -> None:
    """Every selector names a rule id or a tag of these rules, else a usage error
    with a suggestion."""
    known = {r.id for r in rules} | {t for r in rules for t in r.tags}
    for option, selectors in (("--select", select), ("--ignore", ignore)):
        for s in selectors:
            if s not in known:
                from auditor.yamlcheck import suggest

                hint = suggest(s, sorted(known))
                raise UsageError(f"{option}: no rule id or tag '{s}'" + (f" ({hint})" if hint else
                                 " (auditor rules list shows the ids; tags are in the rule files)"))


def select_rules(rules: Sequence, select: Sequence[str], ignore: Sequence[str]) -> list:
    """The rules any ``select`` selector matches (all when empty), less those an
    ``ignore`` selector matches."""
    def matches(rule, selectors: Iterable[str]) -> bool:
        return any(s == rule.id or s in rule.tags for s in selectors)

    return [r for r in rules if (not select or matches(r, select)) and not matches(r, ignore)]


def load_suppressions(path: Path) -> dict[str, str]:
    """{fingerprint: reason} from a suppressions file; every problem is a usage error."""
    from auditor.yamlcheck import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"suppressions file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read suppressions file {path}: {exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None

    def err(n, message: str) -> UsageError:
        return UsageError(f"{path}:{n.start_mark.line + 1}: {message}")

    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode) or [k.value for k, _ in node.value] != ["suppressions"]:
        raise err(node, "a suppressions file is a mapping with one key, 'suppressions' (a list of entries)")
    seq = node.value[0][1]
    if isinstance(seq, yaml.ScalarNode) and seq.value in ("", "null", "~"):
        return {}
    if not isinstance(seq, yaml.SequenceNode):
        raise err(seq, "'suppressions' must be a list of entries")
    out: dict[str, str] = {}
    for item in seq.value:
        if not isinstance(item, yaml.MappingNode):
            raise err(item, "each suppression is a mapping with 'fingerprint' and 'reason'")
        entry = {}
        for k, v in item.value:
            if k.value not in ENTRY_KEYS:
                from auditor.yamlcheck import suggest

                hint = suggest(k.value, ENTRY_KEYS)
                raise err(k, f"unknown key '{k.value}'" + (f" ({hint})" if hint else f"; keys: {', '.join(ENTRY_KEYS)}"))
            entry[k.value] = v
        for key in ("fingerprint", "reason"):
            v = entry.get(key)
            if v is None or not isinstance(v, yaml.ScalarNode) or not str(v.value).strip():
                raise err(item, f"a suppression needs a non-empty '{key}'")
        fp = str(entry["fingerprint"].value).strip()
        if fp in out:
            raise err(entry["fingerprint"], f"fingerprint {fp} is suppressed twice")
        out[fp] = " ".join(str(entry["reason"].value).split())
    return out


def apply_suppressions(result, suppressions: dict[str, str]):
    """The result with matching findings marked suppressed, and a note for entries
    that matched nothing."""
    if not suppressions:
        return result
    from auditor.spool import CaseList

    def mark(case):
        if not any(f.fingerprint in suppressions for f in case.findings):
            return case
        return replace(case, findings=tuple(replace(f, suppressed=suppressions[f.fingerprint])
                                            if f.fingerprint in suppressions else f for f in case.findings))

    used = {f.fingerprint for f in result.iter_findings() if f.fingerprint in suppressions}
    # a scan's cases (perhaps spooled to a file) are marked as they are read back, none held now
    cases = result.cases.map(mark) if isinstance(result.cases, CaseList) else tuple(mark(c) for c in result.cases)
    stale = sorted(set(suppressions) - used)
    notes = result.notes
    if stale:
        notes = notes + (f"{len(stale)} suppression(s) matched no finding of this scan (stale?): {', '.join(stale)}",)
    return replace(result, cases=cases, notes=notes)


def write_suppressions(result, path: Path, reason: str, existing: dict[str, str]) -> int:
    """Write the suppressions file for every finding of the result; returns how many
    entries are new.  Entries already in the file keep their reasons."""
    import json

    if not reason.strip():
        raise UsageError("--write-suppressions needs --reason TEXT: the reason recorded for each new entry")
    lines = ["# auditor suppressions: one entry per finding fingerprint, each with the reason it is accepted.",
             "# Suppressed findings stay in the reports, marked suppressed, and do not count for --fail-on.",
             "suppressions:"]
    seen: set[str] = set()
    new = 0
    findings = sorted(result.iter_findings(), key=lambda f: (f.case_id, f.rule_id, f.fingerprint))
    for f in findings:
        if f.fingerprint in seen:
            continue
        seen.add(f.fingerprint)
        why = existing.get(f.fingerprint)
        if why is None:
            why, new = " ".join(reason.split()), new + 1
        ev = f.evidence[0] if f.evidence else None
        lines.append(f"  - fingerprint: {f.fingerprint}")
        lines.append(f"    reason: {json.dumps(why, ensure_ascii=False)}")
        lines.append(f"    rule: {f.rule_id}")
        lines.append(f"    case: {json.dumps(f.case_id, ensure_ascii=False)}")
        if ev is not None:
            lines.append(f"    document: {json.dumps(ev.document, ensure_ascii=False)}")
            lines.append(f"    page: {ev.page}")
    for fp in sorted(set(existing) - seen):  # entries for findings this scan did not see are kept
        lines.append(f"  - fingerprint: {fp}")
        lines.append(f"    reason: {json.dumps(existing[fp], ensure_ascii=False)}")
    if len(lines) == 3:
        lines[-1] = "suppressions: []"
    text = "\n".join(lines) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return new
