"""JSON Lines: one finding per line, for ``jq``, log pipelines and databases.

Each line is the finding's object of the JSON report (``finding_dict``) with,
first, ``case`` (the case id) and ``document`` and ``page`` (those of its first
evidence item), so that a line stands on its own.  Lines are in the JSON
report's order; a scan without findings prints nothing.  Keys are as in the JSON
report (schema version 1), plus ``schema_version`` on every line.
"""

from __future__ import annotations

import json

from auditor.models import AuditResult
from auditor.report import RenderOptions
from auditor.report.json_ import SCHEMA_VERSION, finding_dict, finding_key


def render(result: AuditResult, options: RenderOptions | None = None) -> str:
    lines = []
    for f in sorted(result.iter_findings(), key=finding_key):
        first = f.evidence[0] if f.evidence else None
        row = {"schema_version": SCHEMA_VERSION, "case": f.case_id,
               "document": first.document if first else None, "page": first.page if first else None}
        row.update(finding_dict(f))
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    return "".join(line + "\n" for line in lines)
