"""ICD-10 and ATC code lists with labels, shipped per protocol in ``codes/icd10.csv`` and
``codes/atc.csv`` (columns ``code,label``), for the case report form's code search and for
checking what a person types.

The shipped lists label and suggest codes; what a person may enter is any well-formed code of
the chosen system (:func:`normalize_entry`), since a donor's history is not limited to the codes
the criteria name.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from stromalab.core.eligibility import codes as core_codes

SYSTEMS = {"ICD10": "icd10.csv", "ATC": "atc.csv"}
#: the code system of each kind of coded entry
KIND_SYSTEMS = {"condition": "ICD10", "medication": "ATC"}


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


def normalize_entry(system: str, text: str) -> str | None:
    """The stored form ``SYSTEM:CODE`` of a code typed with or without its system prefix, in
    any letter case, with blanks around (``c50.9 `` and ``C509`` give ``ICD10:C50.9``); None
    when malformed or prefixed with another system."""
    text = text.strip().upper()
    prefix, sep, rest = text.partition(":")
    if sep:
        if prefix.strip() != system:
            return None
        text = rest.strip()
    comparable = core_codes.normalize(system, text)
    if comparable is None:
        return None
    if system == core_codes.ICD10 and len(comparable) > 3:
        comparable = f"{comparable[:3]}.{comparable[3:]}"
    return f"{system}:{comparable}"


def comparable_forms(entry: str) -> tuple[str, ...]:
    """The spellings under which an entry in :func:`normalize_entry` form may already be stored
    (ICD-10 codes were stored with or without their dot before entries were normalised)."""
    return (entry, entry.replace(".", "")) if "." in entry else (entry,)
