"""The words a registry listing uses for the API's enumeration codes, in English and French.

The record's own text (titles, summary, criteria, names) stays as registered; these are the
codes of ClinicalTrials.gov API v2 (``NOT_YET_RECRUITING``, ``SINGLE_GROUP``…). A code missing
here (the registry adds some) is shown as the code itself rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STATUS: Mapping[str, Promise] = {
    "NOT_YET_RECRUITING": _("Not yet recruiting"),
    "RECRUITING": _("Recruiting"),
    "ENROLLING_BY_INVITATION": _("Enrolling by invitation"),
    "ACTIVE_NOT_RECRUITING": _("Active, not recruiting"),
    "SUSPENDED": _("Suspended"),
    "TERMINATED": _("Terminated"),
    "COMPLETED": _("Completed"),
    "WITHDRAWN": _("Withdrawn"),
    "UNKNOWN": _("Unknown status"),
    "AVAILABLE": _("Available"),
    "NO_LONGER_AVAILABLE": _("No longer available"),
    "TEMPORARILY_NOT_AVAILABLE": _("Temporarily not available"),
    "APPROVED_FOR_MARKETING": _("Approved for marketing"),
    "WITHHELD": _("Withheld"),
}
STUDY_TYPE = {
    "INTERVENTIONAL": _("Interventional"),
    "OBSERVATIONAL": _("Observational"),
    "EXPANDED_ACCESS": _("Expanded access"),
}
PHASE = {
    "NA": _("Not applicable"),
    "EARLY_PHASE1": _("Early phase 1"),
    "PHASE1": _("Phase 1"),
    "PHASE2": _("Phase 2"),
    "PHASE3": _("Phase 3"),
    "PHASE4": _("Phase 4"),
}
ALLOCATION = {
    "RANDOMIZED": _("Randomized"),
    "NON_RANDOMIZED": _("Non-randomized"),
    "NA": _("N/A"),
}
INTERVENTION_MODEL = {
    "SINGLE_GROUP": _("Single group assignment"),
    "PARALLEL": _("Parallel assignment"),
    "CROSSOVER": _("Crossover assignment"),
    "FACTORIAL": _("Factorial assignment"),
    "SEQUENTIAL": _("Sequential assignment"),
}
OBSERVATIONAL_MODEL = {
    "COHORT": _("Cohort"),
    "CASE_CONTROL": _("Case-control"),
    "CASE_ONLY": _("Case-only"),
    "CASE_CROSSOVER": _("Case-crossover"),
    "ECOLOGIC_OR_COMMUNITY": _("Ecologic or community"),
    "FAMILY_BASED": _("Family-based"),
    "DEFINED_POPULATION": _("Defined population"),
    "NATURAL_HISTORY": _("Natural history"),
    "OTHER": _("Other"),
}
PRIMARY_PURPOSE = {
    "TREATMENT": _("Treatment"),
    "PREVENTION": _("Prevention"),
    "DIAGNOSTIC": _("Diagnostic"),
    "ECT": _("Educational/counseling/training"),
    "SUPPORTIVE_CARE": _("Supportive care"),
    "SCREENING": _("Screening"),
    "HEALTH_SERVICES_RESEARCH": _("Health services research"),
    "BASIC_SCIENCE": _("Basic science"),
    "DEVICE_FEASIBILITY": _("Device feasibility"),
    "OTHER": _("Other"),
}
MASKING = {
    "NONE": _("None (open label)"),
    "SINGLE": _("Single"),
    "DOUBLE": _("Double"),
    "TRIPLE": _("Triple"),
    "QUADRUPLE": _("Quadruple"),
}
ENROLLMENT_TYPE = {"ACTUAL": _("actual"), "ESTIMATED": _("estimated")}
SEX = {"ALL": _("All"), "FEMALE": _("Female"), "MALE": _("Male")}
INTERVENTION_TYPE = {
    "BEHAVIORAL": _("Behavioral"),
    "BIOLOGICAL": _("Biological"),
    "COMBINATION_PRODUCT": _("Combination product"),
    "DEVICE": _("Device"),
    "DIAGNOSTIC_TEST": _("Diagnostic test"),
    "DIETARY_SUPPLEMENT": _("Dietary supplement"),
    "DRUG": _("Drug"),
    "GENETIC": _("Genetic"),
    "PROCEDURE": _("Procedure"),
    "RADIATION": _("Radiation"),
    "OTHER": _("Other"),
}
ARM_TYPE = {
    "EXPERIMENTAL": _("Experimental"),
    "ACTIVE_COMPARATOR": _("Active comparator"),
    "PLACEBO_COMPARATOR": _("Placebo comparator"),
    "SHAM_COMPARATOR": _("Sham comparator"),
    "NO_INTERVENTION": _("No intervention"),
    "OTHER": _("Other"),
}
AGENCY_CLASS = {
    "NIH": _("NIH"),
    "FED": _("U.S. federal agency"),
    "OTHER_GOV": _("Other government agency"),
    "INDIV": _("Individual"),
    "INDUSTRY": _("Industry"),
    "NETWORK": _("Network"),
    "AMBIG": _("Ambiguous"),
    "OTHER": _("Other"),
    "UNKNOWN": _("Unknown"),
}
CONTACT_ROLE = {
    "CONTACT": _("Contact"),
    "PRINCIPAL_INVESTIGATOR": _("Principal investigator"),
    "SUB_INVESTIGATOR": _("Sub-investigator"),
    "STUDY_CHAIR": _("Study chair"),
    "STUDY_DIRECTOR": _("Study director"),
}
AGE_UNIT = {
    "Year": _("years"),
    "Month": _("months"),
    "Week": _("weeks"),
    "Day": _("days"),
    "Hour": _("hours"),
    "Minute": _("minutes"),
}


def label(table: Mapping[str, Promise], code: str | None) -> str:
    """The listing's word for ``code`` in the active language ('' for no code)."""
    if not code:
        return ""
    return str(table.get(code, code))
