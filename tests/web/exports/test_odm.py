"""The ODM document: valid against the ODM 1.3.2 schema, every OID reference resolving, the
metadata read back by odmlib unchanged, audit records and signatures in place, no identity."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from odmlib import loader, odm_loader
from odmlib.oid_generator import create_oid_checker

from stromalab.core.protocol import load_protocol
from stromalab.web.exports.odm import NAMESPACE, build_odm, schema
from stromalab.web.exports.odm_metadata import Metadata

from .conftest import identity_strings

NS = {"odm": NAMESPACE}
#: reference attribute -> the element whose OID it names
REFERENCES = {"StudyOID": "Study", "MetaDataVersionOID": "MetaDataVersion", "StudyEventOID": "StudyEventDef",
              "FormOID": "FormDef", "ItemGroupOID": "ItemGroupDef", "ItemOID": "ItemDef",
              "CodeListOID": "CodeList", "MeasurementUnitOID": "MeasurementUnit", "UserOID": "User",
              "LocationOID": "Location", "SignatureOID": "SignatureDef"}


def _tree(study: Any) -> tuple[bytes, ET.Element]:
    content, _records = build_odm(study)
    return content, ET.fromstring(content)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_valid_against_the_odm_1_3_2_schema(populated: dict[str, Any]) -> None:
    content, root = _tree(populated["study"])
    assert schema().is_valid(content.decode())
    assert root.get("ODMVersion") == "1.3.2"
    assert schema().is_valid(content.decode().replace('Repeating="No"', 'Repeating="Maybe"', 1)) is False


def test_every_oid_reference_resolves(populated: dict[str, Any], stored_batch: Any) -> None:
    _content, root = _tree(populated["study"])
    defined: dict[str, set[str]] = {}
    for element in root.iter():
        if "OID" in element.attrib:
            defined.setdefault(_local(element.tag), set()).add(element.attrib["OID"])
    checked = 0
    for element in root.iter():
        for attribute, target in REFERENCES.items():
            if attribute in element.attrib and _local(element.tag) != target:
                assert element.attrib[attribute] in defined.get(target, set()), (element.tag, attribute)
                checked += 1
    assert checked > 100
    document = loader.ODMLoader(odm_loader.XMLODMLoader(model_package="odm_1_3_2", ns_uri=NAMESPACE))
    document.load_odm_string(_content.decode())
    assert document.root().verify_oids(create_oid_checker("odm_1_3_2"))


def test_odmlib_reads_the_metadata_back_unchanged(populated: dict[str, Any]) -> None:
    content, _root = _tree(populated["study"])
    document = loader.ODMLoader(odm_loader.XMLODMLoader(model_package="odm_1_3_2", ns_uri=NAMESPACE))
    document.load_odm_string(content.decode())
    read = document.MetaDataVersion()
    expected = Metadata(load_protocol(populated["study"].id)).metadata_version(read.OID)
    assert read.to_dict() == expected.to_dict()
    items = {i.OID for i in read.ItemDef}
    assert {"I.WEIGHT_KG", "I.SEROLOGY_HIV", "I.ANSWER_E1", "I.AGE"} <= items
    assert "I.BIRTH_DATE" not in items
    labels = {t.lang: t._content for t in read.find("ItemDef", "OID", "I.WEIGHT_KG").Question.TranslatedText}
    assert labels == {"en": "Weight (kg)", "fr": "Poids (kg)"}


def test_clinical_data_with_audit_records_and_signatures(populated: dict[str, Any]) -> None:
    content, root = _tree(populated["study"])
    subjects = {s.get("SubjectKey"): s for s in root.iterfind(".//odm:SubjectData", NS)}
    assert set(subjects) == {d.pseudonym for d in (populated["enrolled"], populated["identified"], populated["withdrawn"])}
    identified = subjects[populated["identified"].pseudonym]
    weight = identified.find(".//odm:ItemData[@ItemOID='I.WEIGHT_KG']", NS)
    assert weight is not None and weight.get("Value") == "63.5"
    audit = weight.find("odm:AuditRecord", NS)
    assert audit.find("odm:ReasonForChange", NS).text == "scale re-read"
    assert audit.find("odm:UserRef", NS).get("UserOID") == f"USR.{populated['coordinator'].pk}"
    assert audit.find("odm:SourceID", NS).text.startswith("audit event ")
    assert identified.find(".//odm:ItemData[@ItemOID='I.AGE']", NS).get("Value").isdigit()
    enrolled = subjects[populated["enrolled"].pseudonym]
    signature = enrolled.find(".//odm:FormData[@FormOID='F.ELIGIBILITY']/odm:Signature", NS)
    assert signature.find("odm:SignatureRef", NS).get("SignatureOID") == "SD.APPROVED"
    text = content.decode().lower()
    for needle in identity_strings():
        assert needle.lower() not in text, needle


def test_the_donation_and_its_batch(populated: dict[str, Any], stored_batch: Any) -> None:
    _content, root = _tree(populated["study"])
    subject = root.find(f".//odm:SubjectData[@SubjectKey='{populated['enrolled'].pseudonym}']", NS)
    donation = subject.find("odm:StudyEventData[@StudyEventOID='SE.DONATION']", NS)
    values = {i.get("ItemOID"): i.get("Value") for i in donation.iterfind(".//odm:ItemData", NS)}
    assert values["I.DIN"] == stored_batch.din
    assert values["I.CONTAINERS"] == "4"
    assert values["I.BATCH_STATUS"] == stored_batch.status
