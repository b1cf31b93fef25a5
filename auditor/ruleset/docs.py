"""One documentation page per rule, generated from its YAML (docs/rules/<id>.md).

A test regenerates the pages and compares them with the committed ones, so the
docs never drift from the rules.
"""

from __future__ import annotations

from pathlib import Path

from auditor.ruleset.schema import Rule


def _severity_when(rule: Rule) -> str:
    """" (medium when every tendering-waived fact has mechanism limited-competition)"."""
    parts = []
    for kind, where, severity in rule.severity_when:
        cond = ", ".join(f"{attr} {' or '.join(map(str, v)) if isinstance(v, list) else v}" for attr, v in where.items())
        parts.append(f"{severity.value} when every {kind + ' ' if kind else ''}fact has {cond}")
    return f" ({'; '.join(parts)})" if parts else ""


def rule_markdown(rule: Rule) -> str:
    lines = [
        f"# `{rule.id}` — {rule.title}",
        "",
        f"**Severity:** {rule.severity.value}{_severity_when(rule)} · **Status:** {rule.status}"
        + (f" · **Tags:** {', '.join(rule.tags)}" if rule.tags else ""),
        "",
        "## What it flags",
        "",
        rule.summary,
        "",
        "## Why it matters",
        "",
        rule.rationale.strip(),
        "",
        "## Legal basis",
        "",
    ]
    for ref in rule.references:
        head = f"- **{ref.title}**"
        if ref.section:
            head += f", {ref.section}"
        if ref.ocp_code:
            head += f" (Open Contracting red flag {ref.ocp_code})"
        if ref.url:
            head += f" — <{ref.url}>"
        lines.append(head)
        if ref.text:
            lines.append(f"  > {ref.text.strip()}")
    lines += ["", "## Message", "", f"`{rule.message}`", ""]
    if rule.parameters:
        lines += ["## Parameters", ""]
        for k, v in rule.parameters.items():
            lines.append(f"- `{k}`: `{v}`")
        lines.append("")
    if rule.requires:
        lines += ["## Needs", "", "Without these the outcome is *insufficient evidence*, not *not fired*:", ""]
        for req in rule.requires:
            lines.append(f"- {req.reason}")
        lines.append("")
    if rule.example:
        lines += ["## Example", "", f"> {rule.example.strip()}", ""]
    examples = _test_examples(rule)
    if examples:
        lines += ["## From its self-tests", ""]
        for expect, label in examples:
            lines.append(f"- {'fires' if expect == 'fire' else 'silent'}: “{label}”")
        lines.append("")
    lines += [f"*Generated from `rules/{rule.id}.yaml` by `python -m auditor.ruleset.docs`.*", ""]
    return "\n".join(lines)


def _test_examples(rule: Rule, per_kind: int = 3) -> list[tuple[str, str]]:
    from auditor.ruleset.selftest import load_tests

    try:
        cases = load_tests(rule)
    except Exception:
        return []
    out = []
    for expect in ("fire", "silent"):
        out += [(expect, c.label) for c in cases if c.expect == expect][:per_kind]
    return out


def write_docs(rules: list[Rule], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for rule in sorted(rules, key=lambda r: r.id):
        path = directory / f"{rule.id}.md"
        path.write_text(rule_markdown(rule), encoding="utf-8")
        written.append(path)
    index = ["# Rules", "", "| id | severity | title |", "|---|---|---|"]
    index += [f"| [`{r.id}`]({r.id}.md) | {r.severity.value} | {r.title} |" for r in sorted(rules, key=lambda r: r.id)]
    (directory / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":  # python -m auditor.ruleset.docs [DIR]
    import sys

    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    rules, _ = load_rules([builtin_rules_dir()])
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "docs" / "rules"
    for p in write_docs(rules, out):
        print(p)
