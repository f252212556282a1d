"""A rule without a SQL translation is reported, never dropped; warehouse.yaml errors are located."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from stromalab.core.eligibility.record import ScreeningRecord
from stromalab.core.eligibility.rules import Outcome
from stromalab.core.protocol import Protocol
from stromalab.core.warehouse.compiler import compile_protocol
from stromalab.core.warehouse.concepts import load_concept_sets
from stromalab.core.warehouse.engines import open_warehouse
from stromalab.core.warehouse.errors import NotCompilable
from stromalab.core.yamlsource import SourceError


@dataclass(frozen=True)
class Oracle:
    """A rule kind the compiler has never heard of."""

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        return None, "", False


def test_unknown_rule_kind_is_named(planted_db: Path, protocol: Protocol) -> None:
    criteria = tuple(replace(c, rule=Oracle()) if c.id in ("I3", "E9") else c for c in protocol.criteria)
    changed = replace(protocol, criteria=criteria)
    with open_warehouse(str(planted_db)) as warehouse, pytest.raises(NotCompilable) as caught:
        compile_protocol(changed, warehouse, date(2022, 5, 31), {}, schedule=False)
    assert [cid for cid, _ in caught.value.problems] == ["I3", "E9"]
    assert "Oracle" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("codelists:\n  cancer:\n    omop_concepts: [443392, -1]\n", ":6: codelists.cancer.omop_concepts[1]"),
        ("codelists:\n  tumours:\n    omop_concepts: [443392]\n", ":6: codelists.tumours"),
        ("codelists:\n  cancer:\n    concepts: [1]\n", ":6: codelists.cancer.concepts"),
    ],
)
def test_warehouse_yaml_errors_name_line_and_key(tmp_path: Path, protocol: Protocol, body: str, where: str) -> None:
    (tmp_path / "warehouse.yaml").write_text(
        "# test\nformat: stromalab-warehouse/1\nprotocol: NCT05947682\n" + body, encoding="utf-8"
    )
    with pytest.raises(SourceError) as caught:
        load_concept_sets(tmp_path, protocol.id, protocol.codelists)
    assert where in str(caught.value)


def test_shipped_warehouse_yaml_loads(protocol: Protocol) -> None:
    sets = load_concept_sets(protocol.folder, protocol.id, protocol.codelists)
    assert sets["cancer"] == (443392,)
    assert load_concept_sets(Path("/nonexistent"), protocol.id, protocol.codelists) == {}


def test_a_criterion_awaiting_review_is_unknown_with_the_note(planted_db: Path, protocol: Protocol) -> None:
    """An imported protocol's criteria left to a reviewer pre-screen as unknown, as they screen."""
    from stromalab.core.eligibility.rules import Review
    from stromalab.core.warehouse.screening import prescreen
    from stromalab.core.warehouse.synthetic import AS_OF_MAY

    criteria = tuple(replace(c, rule=Review("decide what counts as freedom")) if c.id == "E22" else c
                     for c in protocol.criteria)
    with open_warehouse(str(planted_db)) as warehouse:
        result = prescreen(warehouse, replace(protocol, criteria=criteria), AS_OF_MAY, {}, explain=True)
    assert result.person_ids and all("E22" in u.split(";") for u in result.unknown)
    e22 = next(c for c in result.explained(0) if c["id"] == "E22")
    assert (e22["status"], e22["reason"]) == ("unknown", "awaiting review: decide what counts as freedom")
