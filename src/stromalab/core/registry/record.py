"""A ClinicalTrials.gov API v2 study record, read into the fields a registry listing shows.

The record is taken as the API returns it (``GET /api/v2/studies/NCT…``): any module may be
missing, and fields this module does not read are left alone. What it reads it checks, and a
value of the wrong shape raises :class:`RecordError` naming its JSON path (for example
``protocolSection.eligibilityModule.minimumAge``), because the importer writes a folder named
after the NCT id and drafts rules from the ages and the sex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NCT_ID = re.compile(r"NCT[0-9]{8}")
_AGE = re.compile(r"([0-9]{1,3}) (Year|Month|Week|Day|Hour|Minute)s?")
SEXES = ("ALL", "FEMALE", "MALE")


class RecordError(ValueError):
    """A record that is not a usable API v2 study record; ``path`` is the JSON path at fault."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path or "(the record)"
        self.message = message
        super().__init__(f"{self.path}: {message}")


@dataclass(frozen=True)
class Intervention:
    type: str | None
    name: str
    description: str | None


@dataclass(frozen=True)
class Arm:
    label: str
    type: str | None
    description: str | None
    interventions: tuple[str, ...]


@dataclass(frozen=True)
class Contact:
    name: str
    role: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class Location:
    facility: str | None
    city: str | None
    state: str | None
    zip: str | None
    country: str | None
    status: str | None


@dataclass(frozen=True)
class Age:
    """``minimumAge``/``maximumAge`` as written (``18 Years``): a number and its unit."""

    text: str  # as registered
    number: int
    unit: str  # Year, Month, Week, Day, Hour, Minute

    @property
    def years(self) -> int | None:
        """Whole years when the registry states the age in years, else None."""
        return self.number if self.unit == "Year" else None


@dataclass(frozen=True)
class Registration:
    """What a registry listing shows of a study, each field as registered (enumerations as the
    API's codes, e.g. ``NOT_YET_RECRUITING``; the pages translate them)."""

    nct_id: str
    brief_title: str
    official_title: str | None
    acronym: str | None
    organization: str | None
    org_study_id: str | None
    secondary_ids: tuple[str, ...]
    overall_status: str | None
    lead_sponsor: str | None
    sponsor_class: str | None
    brief_summary: str | None
    detailed_description: str | None
    conditions: tuple[str, ...]
    keywords: tuple[str, ...]
    study_type: str | None
    phases: tuple[str, ...]
    allocation: str | None
    intervention_model: str | None
    observational_model: str | None
    primary_purpose: str | None
    masking: str | None
    enrollment_count: int | None
    enrollment_type: str | None
    interventions: tuple[Intervention, ...]
    arms: tuple[Arm, ...]
    eligibility_criteria: str | None
    sex: str | None
    minimum_age: Age | None
    maximum_age: Age | None
    healthy_volunteers: bool | None
    central_contacts: tuple[Contact, ...]
    locations: tuple[Location, ...]
    has_results: bool


class _At:
    """A JSON object at a path: typed getters that raise RecordError with the full path."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise RecordError(path, f"must be an object, got {_kind(value)}")
        self.value = value
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def obj(self, key: str, *, required: bool = False) -> _At:
        node = self.value.get(key)
        if node is None:
            if required:
                raise RecordError(self.at(key), "missing")
            return _At({}, self.at(key))
        return _At(node, self.at(key))

    def text(self, key: str, *, required: bool = False) -> str | None:
        node = self.value.get(key)
        if node is None:
            if required:
                raise RecordError(self.at(key), "missing")
            return None
        if not isinstance(node, str):
            raise RecordError(self.at(key), f"must be text, got {_kind(node)}")
        if required and not node.strip():
            raise RecordError(self.at(key), "must not be empty")
        return node

    def texts(self, key: str) -> tuple[str, ...]:
        node = self.value.get(key)
        if node is None:
            return ()
        if not isinstance(node, list):
            raise RecordError(self.at(key), f"must be a list of text, got {_kind(node)}")
        for i, item in enumerate(node):
            if not isinstance(item, str):
                raise RecordError(f"{self.at(key)}[{i}]", f"must be text, got {_kind(item)}")
        return tuple(node)

    def objects(self, key: str) -> list[_At]:
        node = self.value.get(key)
        if node is None:
            return []
        if not isinstance(node, list):
            raise RecordError(self.at(key), f"must be a list of objects, got {_kind(node)}")
        return [_At(item, f"{self.at(key)}[{i}]") for i, item in enumerate(node)]

    def integer(self, key: str) -> int | None:
        node = self.value.get(key)
        if node is None:
            return None
        if isinstance(node, bool) or not isinstance(node, int) or node < 0:
            raise RecordError(self.at(key), f"must be a whole number ≥ 0, got {node!r}")
        return node

    def boolean(self, key: str) -> bool | None:
        node = self.value.get(key)
        if node is None:
            return None
        if not isinstance(node, bool):
            raise RecordError(self.at(key), f"must be true or false, got {node!r}")
        return node

    def age(self, key: str) -> Age | None:
        text = self.text(key)
        if text is None:
            return None
        match = _AGE.fullmatch(text.strip())
        if match is None:
            raise RecordError(self.at(key), f"must be a number and a unit such as '18 Years', got {text!r}")
        return Age(text, int(match.group(1)), match.group(2))


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def read_record(data: Any) -> Registration:
    """The listing's fields of a decoded API v2 study record; RecordError names what is wrong."""
    root = _At(data, "")
    section = root.obj("protocolSection", required=True)
    ident = section.obj("identificationModule", required=True)
    nct_id = ident.text("nctId", required=True) or ""
    if not _NCT_ID.fullmatch(nct_id):
        raise RecordError(ident.at("nctId"), f"must be NCT followed by 8 digits, got {nct_id!r}")
    status = section.obj("statusModule")
    sponsor = section.obj("sponsorCollaboratorsModule").obj("leadSponsor")
    description = section.obj("descriptionModule")
    conditions = section.obj("conditionsModule")
    design = section.obj("designModule")
    design_info = design.obj("designInfo")
    enrollment = design.obj("enrollmentInfo")
    arms = section.obj("armsInterventionsModule")
    eligibility = section.obj("eligibilityModule")
    sex = eligibility.text("sex")
    if sex is not None and sex not in SEXES:
        raise RecordError(eligibility.at("sex"), f"must be one of {', '.join(SEXES)}, got {sex!r}")
    contacts = section.obj("contactsLocationsModule")
    has_results = root.boolean("hasResults")
    return Registration(
        nct_id=nct_id,
        brief_title=ident.text("briefTitle", required=True) or "",
        official_title=ident.text("officialTitle"),
        acronym=ident.text("acronym"),
        organization=ident.obj("organization").text("fullName"),
        org_study_id=ident.obj("orgStudyIdInfo").text("id"),
        secondary_ids=tuple(str(s.text("id", required=True)) for s in ident.objects("secondaryIdInfos")),
        overall_status=status.text("overallStatus"),
        lead_sponsor=sponsor.text("name"),
        sponsor_class=sponsor.text("class"),
        brief_summary=description.text("briefSummary"),
        detailed_description=description.text("detailedDescription"),
        conditions=conditions.texts("conditions"),
        keywords=conditions.texts("keywords"),
        study_type=design.text("studyType"),
        phases=design.texts("phases"),
        allocation=design_info.text("allocation"),
        intervention_model=design_info.text("interventionModel"),
        observational_model=design_info.text("observationalModel"),
        primary_purpose=design_info.text("primaryPurpose"),
        masking=design_info.obj("maskingInfo").text("masking"),
        enrollment_count=enrollment.integer("count"),
        enrollment_type=enrollment.text("type"),
        interventions=tuple(
            Intervention(i.text("type"), i.text("name", required=True) or "", i.text("description"))
            for i in arms.objects("interventions")
        ),
        arms=tuple(
            Arm(a.text("label", required=True) or "", a.text("type"), a.text("description"),
                a.texts("interventionNames"))
            for a in arms.objects("armGroups")
        ),
        eligibility_criteria=eligibility.text("eligibilityCriteria"),
        sex=sex,
        minimum_age=eligibility.age("minimumAge"),
        maximum_age=eligibility.age("maximumAge"),
        healthy_volunteers=eligibility.boolean("healthyVolunteers"),
        central_contacts=tuple(
            Contact(c.text("name", required=True) or "", c.text("role"), c.text("phone"), c.text("email"))
            for c in contacts.objects("centralContacts")
        ),
        locations=tuple(
            Location(loc.text("facility"), loc.text("city"), loc.text("state"), loc.text("zip"),
                     loc.text("country"), loc.text("status"))
            for loc in contacts.objects("locations")
        ),
        has_results=bool(has_results),
    )
