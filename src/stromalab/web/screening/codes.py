"""ICD-10 and ATC code lists with labels, shipped per protocol in ``codes/icd10.csv`` and
``codes/atc.csv`` (columns ``code,label``), for the case report form's code search."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

SYSTEMS = {"ICD10": "icd10.csv", "ATC": "atc.csv"}


@lru_cache(maxsize=8)
def code_list(protocol_folder: str, system: str) -> tuple[tuple[str, str], ...]:
    path = Path(protocol_folder) / "codes" / SYSTEMS[system]
    with path.open(newline="", encoding="utf-8") as fh:
        return tuple((row["code"].strip(), row["label"].strip()) for row in csv.DictReader(fh))


def search(protocol_folder: str, system: str, query: str, limit: int = 20) -> list[dict[str, str]]:
    """Codes whose code starts with, or label contains, ``query`` (case-insensitive)."""
    q = query.strip().lower()
    out = []
    for code, label in code_list(protocol_folder, system):
        if not q or code.lower().startswith(q) or q in label.lower():
            out.append({"code": f"{system}:{code}", "label": label})
            if len(out) >= limit:
                break
    return out

