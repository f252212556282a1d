"""The FHIR bundle: every resource valid for its model, references resolving inside the bundle,
the codes the issue names, one product per container, and no identity anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from stromalab.web.exports import codes
from stromalab.web.exports.fhir import build_bundle

from .conftest import identity_strings


def _bundle(study: Any) -> tuple[bytes, dict[str, Any]]:
    content, _records = build_bundle(study)
    return content, json.loads(content)


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_every_resource_validates_with_its_model(populated: dict[str, Any], stored_batch: Any) -> None:
    _content, bundle = _bundle(populated["study"])
    assert bundle["type"] == "collection"
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == {"ResearchStudy", "Patient", "ResearchSubject", "Consent", "Observation",
                     "BiologicallyDerivedProduct"}


def test_every_resource_validates_before_any_batch(populated: dict[str, Any]) -> None:
    _content, bundle = _bundle(populated["study"])
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])


def test_every_reference_points_to_an_entry_of_the_bundle(populated: dict[str, Any], stored_batch: Any) -> None:
    _content, bundle = _bundle(populated["study"])
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(urls) == len(set(urls))
    references = list(_references(bundle))
    assert references and set(references) <= set(urls)


def test_no_identity_anywhere(populated: dict[str, Any]) -> None:
    content, bundle = _bundle(populated["study"])
    text = content.decode()
    for needle in identity_strings():
        assert needle.lower() not in text.lower(), needle
    for patient in _resources(bundle, "Patient"):
        assert set(patient) == {"resourceType", "id", "identifier", "active"}
    pseudonyms = {p["identifier"][0]["value"] for p in _resources(bundle, "Patient")}
    assert populated["identified"].pseudonym in pseudonyms


def test_subjects_carry_their_status(populated: dict[str, Any]) -> None:
    _content, bundle = _bundle(populated["study"])
    status = {s["identifier"][0]["value"]: s["status"] for s in _resources(bundle, "ResearchSubject")}
    assert status[populated["enrolled"].pseudonym] == "on-study"
    assert status[populated["withdrawn"].pseudonym] == "withdrawn"
    assert status[populated["identified"].pseudonym] == "screening"  # consented, screened, not decided


def test_observations_use_the_loinc_codes(populated: dict[str, Any]) -> None:
    _content, bundle = _bundle(populated["study"])
    subject = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
                   and e["resource"]["identifier"][0]["value"] == populated["identified"].pseudonym)
    mine = [o for o in _resources(bundle, "Observation") if o["subject"]["reference"] == subject]
    by_code = {o["code"]["coding"][0]["code"]: o for o in mine}
    assert by_code["29463-7"]["valueQuantity"] == {"value": 63.5, "unit": "kg", "system": codes.UCUM, "code": "kg"}
    assert by_code["8302-2"]["valueQuantity"]["value"] == 168.0
    assert by_code["39156-5"]["valueQuantity"]["value"] == 22.5  # 63.5 / 1.68²
    assert by_code["8480-6"]["valueQuantity"]["value"] == 128
    assert by_code["8462-4"]["valueQuantity"]["value"] == 82
    for loinc, _display in codes.SEROLOGY.values():
        assert by_code[loinc]["valueCodeableConcept"]["coding"][0]["code"] == "260385009"  # negative


def test_one_product_per_container_with_its_din(populated: dict[str, Any], stored_batch: Any) -> None:
    _content, bundle = _bundle(populated["study"])
    products = _resources(bundle, "BiologicallyDerivedProduct")
    batch = stored_batch
    assert len(products) == batch.containers.count() == 4
    for product in products:
        assert product["identifier"][0] == {"system": codes.ISBT128, "value": batch.din}
        assert product["productCode"]["coding"][0]["code"] == batch.product_code
        assert product["collection"]["collectedDateTime"]
        assert [p["description"].split(" (")[0] for p in product["processing"]][:2] == ["receipt", "SVF isolation"]
        assert product["storage"][0]["description"].startswith("Tank 1")
