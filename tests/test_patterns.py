"""The built-in pack's fact patterns: their cheap pre-checks never hide a match
(every match a trigger's regex finds in the fixture documents, the rule
self-tests and the phrasing tests contains one of the trigger's keys), and a
broken pattern file is reported like a broken rule file: every problem at once,
each with file:line:col."""

from __future__ import annotations

from pathlib import Path

import yaml

from auditor.extract import patterns

FAMILIES = patterns.load().families

ROOT = Path(__file__).resolve().parents[1]


def _corpus() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "fixtures" / "texts").rglob("*.txt")]
    for path in (ROOT / "rules").glob("*.test.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in (data.get("fire") or []) + (data.get("silent") or []):
            texts += [case["text"]] if "text" in case else [d["text"] for d in case["documents"]]
    texts.append((ROOT / "tests" / "test_phrasings.py").read_text(encoding="utf-8"))
    texts.append((ROOT / "tests" / "test_scope.py").read_text(encoding="utf-8"))
    return [" ".join(t.split()) for t in texts]


def test_every_match_contains_a_key() -> None:
    corpus = _corpus()
    checked = 0
    for fam in FAMILIES:
        for trig in fam.triggers:
            if not trig.keys:
                continue
            for text in corpus:
                for m in trig.regex.finditer(text):
                    window = text[max(0, m.start() - 1) : m.end() + 1].lower()
                    assert any(k in window for k in trig.keys), (trig.name, m.group())
                    checked += 1
    assert checked > 200
