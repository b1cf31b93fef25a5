#!/usr/bin/env python3
"""Quality harness: how well do findings hold on labelled real documents?

    python bench/quality.py LABELLED_DIR... [--silence DIR] [--json FILE]

Each sub-folder of a LABELLED_DIR that holds an ``expected.yaml`` is one case
(format: ../shared/corpus/LABELS.md).  The harness scans every LABELLED_DIR (and
the silence folder) with the project's own ``auditor scan --format json`` in a
subprocess, exactly as a user would, then scores:

* **recall**       — ``must`` entries whose rule fired in their case;
* **false alarms** — ``must_not`` rules that fired;
* **right page**   — found ``must`` entries whose finding cites one of the labelled pages;
* **quotes verified** — evidence quotes (of every finding in a labelled case) found on
  their cited page by an independent extractor (pdfplumber; poppler's pdftotext for a page
  pdfplumber's parser cannot find), whitespace-normalised;
* **silence**      — documents of the silence folder with any finding (each a false alarm).

Every miss and every false alarm is listed with its document and page, so a developer can
go straight to it.  The last line is always

    quality: recall R, false alarms F, right page P, quotes verified Q; silence N/M

The standard library plus the project's own dependencies (PyYAML, pdfplumber) only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Must:
    case: str
    rule: str
    document: str
    pages: list[int]
    evidence: str
    who: str
    found: bool = False
    right_page: bool = False
    cited: list[str] = field(default_factory=list)


def scan(paths: list[Path], out: Path, jobs: int | None, cache_dir: str | None, extra: list[str]) -> dict:
    cmd = [sys.executable, "-m", "auditor", "scan", *map(str, paths), "--format", "json", "--output", str(out), "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if cache_dir:
        cmd += ["--cache-dir", cache_dir]
    cmd += extra
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode not in (0, 1, 3):
        sys.exit(f"quality: auditor scan failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", "", text).lower()


class PageText:
    """pdfplumber's text of a page (the independent extractor), memoised."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], str | None] = {}

    def get(self, pdf: Path, page: int) -> str | None:
        key = (str(pdf), page)
        if key not in self._cache:
            self._cache[key] = self._extract(pdf, page)
        return self._cache[key]

    @staticmethod
    def _extract(pdf: Path, page: int) -> str | None:
        import pdfplumber

        try:
            with pdfplumber.open(pdf) as doc:
                if not 1 <= page <= len(doc.pages):
                    # pdfminer's page tree lost pages this PDF has (a damaged tree: it sees
                    # 21 of 24): poppler, another independent extractor, reads the page
                    return _poppler_page(pdf, page)
                p = doc.pages[page - 1]
                try:
                    text = _norm(p.extract_text() or "")
                    # and in the content stream's own order: lines of two cells that overlap
                    # in height interleave in the layout order (a cell of a register is
                    # written as one run)
                    flow = _norm(p.extract_text(use_text_flow=True) or "")
                    return text if flow == text else text + "\x00" + flow
                finally:
                    p.close()
        except Exception:  # an unreadable file: the quote cannot be verified
            return None


def _poppler_page(pdf: Path, page: int) -> str | None:
    """poppler's ``pdftotext`` text of one page, normalised; None without poppler or
    past the document's last page."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        return None
    try:
        out = subprocess.run(["pdftotext", "-q", "-f", str(page), "-l", str(page), str(pdf), "-"],
                             capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = _norm(out.stdout)
    return text or None


def cells_on_page(text: str, cells: list[dict]) -> bool:
    """A register row's evidence: every cell value on the page, whitespace-normalised;
    a cell that wraps is interleaved with its neighbours' lines in the page text,
    so each of its lines must be there."""
    for cell in cells:
        value = cell["value"]
        if _norm(value) in text:
            continue
        lines = [_norm(line) for line in value.split("\n") if _norm(line)]
        if len(lines) < 2 or not all(line in text for line in lines):
            return False
    return bool(cells)


def quote_on_page(texts: PageText, root: Path, evidence: dict) -> bool:
    text = texts.get(root / evidence["document"], int(evidence["page"]))
    if not text:
        return False
    if evidence.get("cells"):
        return cells_on_page(text, evidence["cells"])
    quote = _norm(evidence["quote"].replace("…", " "))
    if quote in text:
        return True
    # a quote clipped with an ellipsis: every piece must be there
    pieces = [_norm(p) for p in re.split(r"…|\.\.\.", evidence["quote"]) if len(_norm(p)) >= 8]
    return bool(pieces) and all(p in text for p in pieces)


def load_labels(dirs: list[Path]) -> dict[str, tuple[Path, dict]]:
    cases: dict[str, tuple[Path, dict]] = {}
    for d in dirs:
        for exp in sorted(d.glob("*/expected.yaml")):
            label = yaml.safe_load(exp.read_text(encoding="utf-8")) or {}
            cases[exp.parent.name] = (d, label)
    return cases


def pct(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("labelled", nargs="*", type=Path, help="folders of labelled cases (sub-folders with expected.yaml)")
    ap.add_argument("--silence", type=Path, action="append", default=[], help="folder of documents where no rule should fire")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--cache-dir", default=None, help="auditor's cache directory (default: its own)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures and every miss as JSON")
    ap.add_argument("--quiet", action="store_true", help="only the summary tables and the last line")
    ap.add_argument("--scan-arg", action="append", default=[], metavar="ARG",
                    help="an extra option for auditor scan (repeatable: --scan-arg=--ocr --scan-arg=off)")
    args = ap.parse_args(argv)
    extra = args.scan_arg
    if not args.labelled and not args.silence:
        ap.error("give at least one LABELLED_DIR or --silence DIR")

    labels = load_labels(args.labelled)
    texts = PageText()
    musts: list[Must] = []
    false_alarms: list[tuple[str, str, list[str]]] = []
    must_not_total = 0
    quotes_total = quotes_ok = 0
    bad_quotes: list[str] = []
    per_rule: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_case_quotes: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # case -> [verified, all]

    with tempfile.TemporaryDirectory() as tmp:
        if args.labelled:
            report = {"cases": []}
            for i, d in enumerate(args.labelled):
                part = scan([d], Path(tmp) / f"labelled-{i}.json", args.jobs, args.cache_dir, extra)
                for c in part["cases"]:
                    c["_root"] = d
                report["cases"].extend(part["cases"])
            by_case = {c["id"]: c for c in report["cases"]}
            for name, (root, label) in sorted(labels.items()):
                case = by_case.get(name, {"findings": [], "_root": root})
                fired: dict[str, list[dict]] = defaultdict(list)
                for f in case["findings"]:
                    fired[f["rule_id"]].append(f)
                    for e in f["evidence"]:
                        quotes_total += 1
                        per_case_quotes[name][1] += 1
                        if quote_on_page(texts, root, e):
                            quotes_ok += 1
                            per_case_quotes[name][0] += 1
                        else:
                            bad_quotes.append(f"{name}: {f['rule_id']} {e['document']} p.{e['page']}: {e['quote'][:120]!r}")
                for m in label.get("must") or []:
                    pages = m["page"] if isinstance(m["page"], list) else [m["page"]]
                    item = Must(name, m["rule"], m["document"], pages, m.get("evidence", ""), m.get("who", "other"))
                    hits = fired.get(item.rule, [])
                    item.found = bool(hits)
                    cited = [(e["document"].rsplit("/", 1)[-1], e["page"]) for f in hits for e in f["evidence"]]
                    item.cited = [f"{d}:{p}" for d, p in cited]
                    item.right_page = any(p in pages for _, p in cited)
                    musts.append(item)
                    per_rule[item.rule]["must"] += 1
                    per_rule[item.rule]["found"] += item.found
                    per_rule[item.rule]["right_page"] += item.right_page
                for rule in label.get("must_not") or []:
                    must_not_total += 1
                    per_rule[rule]["must_not"] += 1
                    if rule in fired:
                        per_rule[rule]["false"] += 1
                        where = [f"{e['document'].rsplit('/', 1)[-1]}:{e['page']}" for f in fired[rule] for e in f["evidence"][:1]]
                        false_alarms.append((name, rule, where))

        silence_total = silence_hit = 0
        silence_rules: dict[str, int] = defaultdict(int)
        silence_list: list[str] = []
        for d in args.silence:
            part = scan([d], Path(tmp) / f"silence-{d.name}.json", args.jobs, args.cache_dir, extra)
            for c in part["cases"]:
                silence_total += 1
                if c["findings"]:
                    silence_hit += 1
                    rules = sorted({f["rule_id"] for f in c["findings"]})
                    for r in rules:
                        silence_rules[r] += 1
                    first = c["findings"][0]["evidence"][0]
                    silence_list.append(f"{c['id']}: {', '.join(rules)} — {first['document'].rsplit('/', 1)[-1]} p.{first['page']}: {first['quote'][:140]!r}")

    found = sum(m.found for m in musts)
    right = sum(m.right_page for m in musts if m.found)
    print("per rule (labelled):")
    print(f"  {'rule':32} {'recall':>10} {'right page':>11} {'false alarms':>13} {'silence':>8}")
    for rule in sorted(set(per_rule) | set(silence_rules)):
        r = per_rule[rule]
        print(f"  {rule:32} {r['found']:>3}/{r['must']:<3} {pct(r['found'], r['must']):>4} "
              f"{pct(r['right_page'], r['found']):>11} {r['false']:>5}/{r['must_not']:<3} {pct(r['false'], r['must_not']):>4}"
              f" {silence_rules.get(rule, 0):>8}")
    print("per case (labelled): recall, quotes verified")
    for name in sorted(labels):
        ms = [m for m in musts if m.case == name]
        ok, total = per_case_quotes.get(name, [0, 0])
        print(f"  {name:40} {sum(m.found for m in ms):>3}/{len(ms):<3} {ok:>4}/{total:<4} {pct(ok, total):>5}")
    by_who: dict[str, list[Must]] = defaultdict(list)
    for m in musts:
        by_who[m.who].append(m)
    print("recall by speaker: " + ", ".join(f"{w} {sum(x.found for x in ms)}/{len(ms)}" for w, ms in sorted(by_who.items())))
    if not args.quiet:
        misses = [m for m in musts if not m.found]
        if misses:
            print(f"\nmisses ({len(misses)}):")
            for m in misses:
                print(f"  {m.case}: {m.rule} ({m.who}) {m.document} p.{','.join(map(str, m.pages))}: {m.evidence[:110]!r}")
        wrong = [m for m in musts if m.found and not m.right_page]
        if wrong:
            print(f"\nfound on another page ({len(wrong)}):")
            for m in wrong:
                print(f"  {m.case}: {m.rule} labelled p.{','.join(map(str, m.pages))}, cited {', '.join(m.cited[:6])}")
        if false_alarms:
            print(f"\nfalse alarms ({len(false_alarms)}):")
            for case, rule, where in false_alarms:
                print(f"  {case}: {rule} at {', '.join(where[:4])}")
        if bad_quotes:
            print(f"\nquotes not verified ({len(bad_quotes)}):")
            for q in bad_quotes[:40]:
                print(f"  {q}")
        if silence_list:
            print(f"\nsilence broken ({len(silence_list)}):")
            for s in silence_list:
                print(f"  {s}")
    line = (f"quality: recall {pct(found, len(musts))}, false alarms {pct(len(false_alarms), must_not_total)}, "
            f"right page {pct(right, found)}, quotes verified {pct(quotes_ok, quotes_total)}; "
            f"silence {silence_hit}/{silence_total}")
    if args.json:
        args.json.write_text(json.dumps({
            "recall": [found, len(musts)], "false_alarms": [len(false_alarms), must_not_total],
            "right_page": [right, found], "quotes": [quotes_ok, quotes_total],
            "silence": [silence_hit, silence_total], "silence_rules": dict(silence_rules),
            "misses": [m.__dict__ for m in musts if not m.found],
            "false": [list(x) for x in false_alarms],
        }, indent=1, default=str), encoding="utf-8")
    print()
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
