"""Cardinal's output shape (``ocdscardinal indicators --no-meta``), for OCDS input:
``{"OCID": {ocid: {"R003": 1.0}}, "Buyer": {...}, "ProcuringEntity": {...}, "Tenderer": {...}}``.
A group with no result is left out and an id without a flag is absent, as Cardinal
does.  Only ``AuditResult.indicators`` is shown: the auditor's own findings have
their place in the other formats."""

from __future__ import annotations

import json

from auditor.models import AuditResult
from auditor.report import RenderOptions


def render(result: AuditResult, options: RenderOptions) -> str:
    from auditor.ocds.cardinal import as_cardinal

    flags = {(g, i, c): v for g, i, c, v in result.indicators}
    return json.dumps(as_cardinal(flags), ensure_ascii=False, separators=(",", ":")) + "\n"
