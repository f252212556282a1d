"""What ``stromalab prescreen`` writes: the per-person table and the attrition table."""

from __future__ import annotations

import json
from collections.abc import Iterator

from stromalab.core.warehouse.screening import Prescreening

CANDIDATE, EXCLUDED = "candidate", "excluded"


def csv_lines(result: Prescreening) -> Iterator[str]:
    """``person_id,verdict,failed,unknown`` sorted by person (ids joined by ``;``)."""
    yield "person_id,verdict,failed,unknown\n"
    for person, failed, unknown in zip(result.person_ids, result.failed, result.unknown, strict=True):
        yield f"{person},{EXCLUDED if failed else CANDIDATE},{failed},{unknown}\n"


def json_lines(result: Prescreening) -> Iterator[str]:
    """One JSON object per person, ``failed`` and ``unknown`` as arrays; when the run was
    explained, ``criteria``: per criterion its status, reason and values (prescreen.md)."""
    for i, (person, failed, unknown) in enumerate(zip(result.person_ids, result.failed, result.unknown, strict=True)):
        line: dict[str, object] = {
            "person_id": person,
            "verdict": EXCLUDED if failed else CANDIDATE,
            "failed": failed.split(";") if failed else [],
            "unknown": unknown.split(";") if unknown else [],
        }
        if result.explainer is not None:
            line["criteria"] = result.explained(i)
        yield json.dumps(line) + "\n"


def attrition_csv(result: Prescreening) -> str:
    lines = ["criterion,fails,remaining"]
    lines += [f"{a.criterion},{a.fails},{a.remaining}" for a in result.attrition]
    return "\n".join(lines) + "\n"


def attrition_table(result: Prescreening) -> str:
    """A table for people: population first, then each criterion in protocol order."""
    lines = [f"population {len(result.person_ids)}", f"{'criterion':<10} {'fails':>9} {'remaining':>10}"]
    lines += [f"{a.criterion:<10} {a.fails:>9} {a.remaining:>10}" for a in result.attrition]
    return "\n".join(lines) + "\n"
