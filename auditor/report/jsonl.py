"""JSON Lines: one finding per line, for ``jq``, log pipelines and databases.

Each line is the finding's object of the JSON report (``finding_dict``) with,
first, ``case`` (the case id) and ``document`` and ``page`` (those of its first
evidence item), so that a line stands on its own.  Lines are in the JSON
report's order; a scan without findings prints nothing.  Keys are as in the JSON
report (schema version 1), plus ``schema_version`` on every line.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import Iterator

from auditor.models import AuditResult
from auditor.report import RenderOptions
from auditor.report.json_ import CHUNK_CHARS, SCHEMA_VERSION, finding_dict, finding_key


def render(result: AuditResult, options: RenderOptions | None = None) -> str:
    return "".join(stream(result, options))


def stream(result: AuditResult, options: RenderOptions | None = None) -> Iterator[str]:
    """The lines in pieces, case by case.  A scan's cases come in id order (a
    ``CaseList``, perhaps read back from the spool), so sorting each case's findings
    (cases of one id together) gives the order of sorting them all at once;
    other sequences of cases are sorted whole."""
    from auditor.spool import CaseList

    if isinstance(result.cases, CaseList):
        groups = (tuple(f for c in same for f in c.findings) for _, same in groupby(result.cases, key=lambda c: c.id))
    else:
        groups = iter((tuple(result.iter_findings()),))
    parts: list[str] = []
    size = 0
    for findings in groups:
        for f in sorted(findings, key=finding_key):
            first = f.evidence[0] if f.evidence else None
            row = {"schema_version": SCHEMA_VERSION, "case": f.case_id,
                   "document": first.document if first else None, "page": first.page if first else None}
            row.update(finding_dict(f))
            line = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
            parts.append(line)
            size += len(line)
            if size >= CHUNK_CHARS:
                yield "".join(parts)
                parts, size = [], 0
    if parts:
        yield "".join(parts)
