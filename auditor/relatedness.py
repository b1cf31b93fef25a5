"""Whether the documents of one case look like they belong together.

A case's facts are evaluated together, so a folder that mixes unrelated
documents (a judgment, an IMF report and a notice from another country) gives
one risk score to things that have nothing to do with each other.  Nothing here
changes a finding: the case gets a warning, with the facts behind it, and the
user decides (split the folder, a ``case.yaml`` ``documents`` list, or
``--case-per-file``).

Two facts the extractor already produces are used, and both must point the same
way before the warning is given:

- **years**: the documents' own years (``DocumentInfo.year``) span more than
  ``MAX_YEAR_SPREAD`` years;
- **parties**: of the documents that name organisations, no two name the same
  one (compared by the organisation's ``core`` name).  At least two such
  documents are needed, otherwise the signal is unknown and no warning is given.
"""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

from auditor.models import DocumentResult

MAX_YEAR_SPREAD = 5  # a procurement's papers (plan, notice, award, contract, judgment) rarely span more
MIN_DOCUMENTS = 2


def unrelated_warning(case_id: str, results: Sequence[DocumentResult]) -> str | None:
    """A one-line warning when the case's documents look unrelated, else None."""
    readable = [r for r in results if r.info.error is None]
    if len(readable) < MIN_DOCUMENTS:
        return None
    years = sorted({r.info.year for r in readable if r.info.year})
    if len(years) < 2 or years[-1] - years[0] <= MAX_YEAR_SPREAD:
        return None
    parties: list[set[str]] = []
    for r in readable:
        names = {str(dict(f.attrs).get("core") or "").lower() for f in r.facts if f.kind == "organisation"}
        names.discard("")
        if names:
            parties.append(names)
    if len(parties) < 2:
        return None
    if any(a & b for a, b in combinations(parties, 2)):
        return None
    return (f"case '{case_id}': its {len(readable)} documents look unrelated (their years run from {years[0]} "
            f"to {years[-1]}, and no two of the {len(parties)} documents that name organisations name the same one); "
            "its facts are evaluated together and it has one score — split the folder, list the documents that "
            "belong together in a case.yaml, or scan with --case-per-file")
