"""``protocols/NCT05947682/study.json`` carries what the registry listing shows, verbatim, and
nothing it does not show: every field of the record is checked against
``registry-listing.txt`` (the source document), and every field the record has is listed here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from stromalab.core.registry import read_record
from stromalab.core.registry.criteria import split_criteria

FOLDER = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"
LISTING = (FOLDER / "registry-listing.txt").read_text(encoding="utf-8")
RECORD = json.loads((FOLDER / "study.json").read_text(encoding="utf-8"))


def leaves(node: Any, path: str = "") -> dict[str, Any]:
    if isinstance(node, dict):
        return {k: v for key, child in node.items() for k, v in leaves(child, f"{path}.{key}".lstrip(".")).items()}
    if isinstance(node, list):
        return {k: v for i, child in enumerate(node) for k, v in leaves(child, f"{path}[{i}]").items()}
    return {path: node}


def section(heading: str, following: str) -> str:
    """The listing's text between a heading line and the next one."""
    match = re.search(rf"\n{re.escape(heading)}\n\n(.*?)\n\n{re.escape(following)}\n", LISTING, re.S)
    assert match, heading
    return match.group(1)


P = "protocolSection."
#: every field of study.json -> the text of the listing that shows it (enumerations as rendered)
SHOWN: dict[str, str] = {
    P + "identificationModule.nctId": section("Identifiers", "Details and patient eligibility").splitlines()[0],
    P + "identificationModule.orgStudyIdInfo.id": section("Identifiers", "Details and patient eligibility").splitlines()[1],
    P + "identificationModule.organization.fullName": "Assistance Publique - Hôpitaux de Paris",
    P + "identificationModule.organization.class": "Funder types\n\nOther",
    P + "identificationModule.briefTitle": LISTING.split("\n\n")[2].rsplit(" (", 1)[0],
    P + "identificationModule.acronym": "(" + LISTING.split("\n\n")[2].rsplit(" (", 1)[1],
    P + "statusModule.overallStatus": "Status\n\nNot yet enrolling",
    P + "sponsorCollaboratorsModule.leadSponsor.name": "A\n\nAssistance Publique - Hôpitaux de Paris",
    P + "sponsorCollaboratorsModule.leadSponsor.class": "Funder types\n\nOther",
    P + "descriptionModule.briefSummary": section("About", "Enrollment"),
    P + "conditionsModule.conditions[0]": section("Conditions", "Treatments").splitlines()[0],
    P + "conditionsModule.conditions[1]": section("Conditions", "Treatments").splitlines()[1],
    P + "designModule.studyType": "Study type\n\nInterventional",
    P + "designModule.designInfo.allocation": "Allocation\n\nN/A",
    P + "designModule.designInfo.interventionModel": "Interventional model\n\nSingle Group Assignment",
    P + "designModule.designInfo.primaryPurpose": "Primary purpose\n\nOther",
    P + "designModule.designInfo.maskingInfo.masking": "Masking\n\nNone (Open label)",
    P + "designModule.enrollmentInfo.count": "Enrollment\n\n6 estimated patients",
    P + "designModule.enrollmentInfo.type": "6 estimated patients",
    P + "armsInterventionsModule.armGroups[0].label": "1 patient group\n\nAdults who are planned to undergo plastic surgery\n",
    P + "armsInterventionsModule.armGroups[0].type": "\nOther group\n",
    P + "armsInterventionsModule.armGroups[0].description": "Description:\n" + section("6 participants in 1 patient group", "Trial contacts and locations").split("Description:\n")[1].split("\nTreatment:")[0],
    P + "armsInterventionsModule.armGroups[0].interventionNames[0]": "Treatment:\nOther: Adipose tissue harvesting",
    P + "armsInterventionsModule.interventions[0].type": "Treatments\n\nOther: ",
    P + "armsInterventionsModule.interventions[0].name": "Other: Adipose tissue harvesting",
    P + "armsInterventionsModule.interventions[0].armGroupLabels[0]": "Adults who are planned to undergo plastic surgery\nOther group",
    P + "eligibilityModule.eligibilityCriteria": "Inclusion criteria",  # bullet by bullet below
    P + "eligibilityModule.healthyVolunteers": "Volunteers\n\nAccepts Healthy Volunteers",
    P + "eligibilityModule.sex": "Sex\n\nAll",
    P + "eligibilityModule.minimumAge": "Ages\n\n18 to 55 years old",
    P + "eligibilityModule.maximumAge": "Ages\n\n18 to 55 years old",
    P + "contactsLocationsModule.centralContacts[0].name": "Central trial contact\n\nDominique Farge, Pr; ",
    P + "contactsLocationsModule.centralContacts[0].role": "Central trial contact",
    P + "contactsLocationsModule.centralContacts[1].name": "; Jérôme Lambert, Dr",
    P + "contactsLocationsModule.centralContacts[1].role": "Central trial contact",
}

#: the enumerations' codes and the words the listing renders them with
RENDERED = {"NOT_YET_RECRUITING": "Not yet enrolling", "OTHER": "Other", "INTERVENTIONAL": "Interventional",
            "NA": "N/A", "SINGLE_GROUP": "Single Group Assignment", "NONE": "None (Open label)",
            "ESTIMATED": "estimated", "ALL": "All", "CONTACT": "contact"}


def test_every_field_of_the_record_is_shown_by_the_listing() -> None:
    assert set(leaves(RECORD)) == set(SHOWN)  # nothing the listing does not show
    for path, shown in SHOWN.items():
        assert shown in LISTING, path


def test_each_value_is_the_listing_s_own() -> None:
    for path, value in leaves(RECORD).items():
        if path.endswith("eligibilityCriteria"):
            continue
        shown = SHOWN[path]
        if isinstance(value, bool):
            assert value is True and "Accepts Healthy Volunteers" in shown
        elif isinstance(value, int):
            assert f"{value} " in shown, path
        elif value in RENDERED:
            assert RENDERED[value] in shown, path
        elif path.endswith("Age"):  # "18 Years" and "55 Years": the listing writes "18 to 55 years old"
            assert value.split()[0] in shown.split() and value.split()[1] == "Years", path
        else:
            assert value in shown, path
    record = read_record(RECORD)
    assert (record.minimum_age and record.minimum_age.years, record.maximum_age and record.maximum_age.years) == (18, 55)


def test_the_summary_is_the_listing_s_five_paragraphs_verbatim() -> None:
    summary = RECORD["protocolSection"]["descriptionModule"]["briefSummary"]
    assert summary == section("About", "Enrollment")
    assert len(summary.split("\n\n")) == 5


def test_the_criteria_are_the_listing_s_bullets() -> None:
    """Bullet for bullet, sub-bullets under their parent, in the listing's order."""
    block = LISTING.split("\nInclusion criteria\n", 1)[1].split("\nTrial design\n", 1)[0]
    inclusion, exclusion = block.split("\nExclusion criteria\n")
    listed = []
    for kind, part in (("inclusion", inclusion), ("exclusion", exclusion)):
        for line in part.splitlines():
            if line.startswith("  • "):
                listed.append((kind, line[4:]))
            elif line.startswith("    • "):
                listed[-1] = (kind, f"{listed[-1][1]}\n• {line[6:]}")
            else:
                assert not line.strip(), line
    text = RECORD["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    assert [(c.kind, c.text) for c in split_criteria(text)] == listed
    assert [line for line in text.splitlines() if line and not line.lstrip().startswith("* ")] == \
        ["Inclusion Criteria:", "Exclusion Criteria:"]
