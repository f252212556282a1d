"""OMOP standard concept sets for a protocol's code lists (``warehouse.yaml``).

The protocol file names ICD-10 and ATC codes, which AP-HP's warehouse keeps in the
``*_source_value`` columns. Synthea-style warehouses carry only standard concepts (SNOMED,
RxNorm) in ``condition_concept_id`` / ``drug_concept_id``; this optional file maps each code
list to concept ids, matched with their descendants through CONCEPT_ANCESTOR when the table
exists. It extends the protocol language without touching ``eligibility.yaml``: a protocol
folder without the file pre-screens on codes only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stromalab.core.yamlsource import Located, SourceError, load_yaml

WAREHOUSE_FORMAT = "stromalab-warehouse/1"
FILE_NAME = "warehouse.yaml"

ConceptSets = Mapping[str, tuple[int, ...]]


def load_concept_sets(folder: Path, protocol_id: str, codelists: Mapping[str, object]) -> ConceptSets:
    """Concept ids per code list name; empty when the protocol folder has no warehouse.yaml.

    Raises :class:`SourceError` naming file, line and key, like the protocol loader.
    """
    path = folder / FILE_NAME
    if not path.exists():
        return {}
    source = load_yaml(path)
    return _build(source, protocol_id, codelists)


def _build(source: Located, protocol_id: str, codelists: Mapping[str, object]) -> ConceptSets:
    doc: Any = source.value
    if not isinstance(doc, dict):
        raise source.error("", "the file must be a mapping")
    allowed = {"format", "protocol", "codelists"}
    for key in doc:
        if key not in allowed:
            raise source.error(key, f"unknown key (allowed: {', '.join(sorted(allowed))})")
    if doc.get("format") != WAREHOUSE_FORMAT:
        raise source.error("format", f"expected {WAREHOUSE_FORMAT!r}, got {doc.get('format')!r}")
    if doc.get("protocol") != protocol_id:
        raise source.error("protocol", f"{doc.get('protocol')!r} does not match the protocol {protocol_id!r}")
    node = doc.get("codelists", {})
    if not isinstance(node, dict):
        raise source.error("codelists", "must be a mapping of code list name to concept set")
    result: dict[str, tuple[int, ...]] = {}
    for name, body in node.items():
        key = f"codelists.{name}"
        if name not in codelists:
            raise source.error(key, f"unknown code list (defined in eligibility.yaml: {', '.join(sorted(codelists))})")
        if not isinstance(body, dict):
            raise source.error(key, "must be a mapping with omop_concepts")
        for field in body:
            if field not in ("omop_concepts", "note"):
                raise source.error(f"{key}.{field}", "unknown key (allowed: note, omop_concepts)")
        ids = body.get("omop_concepts")
        if not isinstance(ids, list) or not ids:
            raise source.error(f"{key}.omop_concepts", "must be a non-empty list of concept ids")
        for i, value in enumerate(ids):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise source.error(f"{key}.omop_concepts[{i}]", f"must be a positive whole number, got {value!r}")
        result[name] = tuple(ids)
    return result


__all__ = ["FILE_NAME", "WAREHOUSE_FORMAT", "ConceptSets", "SourceError", "load_concept_sets"]
