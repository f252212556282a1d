"""The code systems and codes the FHIR export uses, in one place, with why each was chosen.

Screening measurements (LOINC, the vital-signs codes FHIR's own profile names):

=============  =========  ===========================================================  ========
item           LOINC      LOINC long common name                                       unit
=============  =========  ===========================================================  ========
weight_kg      29463-7    Body weight                                                  kg
height_cm      8302-2     Body height                                                  cm
BMI (derived)  39156-5    Body mass index (BMI) [Ratio]                                kg/m2
systolic       8480-6     Systolic blood pressure                                      mm[Hg]
diastolic      8462-4     Diastolic blood pressure                                     mm[Hg]
=============  =========  ===========================================================  ========

Serology (the ten tests of the screening form, ``screening.models.SEROLOGY_TESTS``): the
qualitative ("[Presence]") LOINC term of each, since the form records negative / positive /
equivocal, never a titre. Donor-specific terms where LOINC has one (syphilis):

===============  =========  ====================================================================
form test        LOINC      LOINC long common name
===============  =========  ====================================================================
HBsAg            5196-1     Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay
anti-HBc         13952-7    Hepatitis B virus core Ab [Presence] in Serum or Plasma by Immunoassay
anti-HCV         13955-0    Hepatitis C virus Ab [Presence] in Serum or Plasma by Immunoassay
HIV              56888-1    HIV 1+2 Ab+HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay
HEV              14211-7    Hepatitis E virus IgG Ab [Presence] in Serum
syphilis         46206-9    Treponema pallidum Ab [Presence] in Serum from Donor
HTLV             29901-6    HTLV I+II Ab [Presence] in Serum
toxoplasma-IgM   40678-5    Toxoplasma gondii IgM Ab [Presence] in Serum or Plasma by Immunoassay
EBV-IgM          24115-8    Epstein Barr virus capsid IgM Ab [Presence] in Serum
CMV-IgM          24119-0    Cytomegalovirus IgM Ab [Presence] in Serum
===============  =========  ====================================================================

Results are SNOMED CT qualifier values (negative 260385009, positive 10828004, equivocal
42425007). Products carry ISBT 128 (HL7's OID for ISBT 128, 2.16.840.1.113883.6.18): the DIN
as identifier, the product description code as product code. Pseudonyms and container
identifiers are this system's own identifiers, under a ``urn:stromalab:`` namespace per study.
"""

from __future__ import annotations

from typing import NamedTuple

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
ISBT128 = "urn:oid:2.16.840.1.113883.6.18"
CLINICALTRIALS = "https://clinicaltrials.gov"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"


class Measure(NamedTuple):
    loinc: str
    display: str
    unit: str


#: screening field -> its LOINC code and UCUM unit (BMI is derived from weight and height)
MEASUREMENTS: dict[str, Measure] = {
    "weight_kg": Measure("29463-7", "Body weight", "kg"),
    "height_cm": Measure("8302-2", "Body height", "cm"),
    "bmi": Measure("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2"),
    "systolic": Measure("8480-6", "Systolic blood pressure", "mm[Hg]"),
    "diastolic": Measure("8462-4", "Diastolic blood pressure", "mm[Hg]"),
}

#: serology test of the screening form -> (LOINC, long common name)
SEROLOGY: dict[str, tuple[str, str]] = {
    "HBsAg": ("5196-1", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay"),
    "anti-HBc": ("13952-7", "Hepatitis B virus core Ab [Presence] in Serum or Plasma by Immunoassay"),
    "anti-HCV": ("13955-0", "Hepatitis C virus Ab [Presence] in Serum or Plasma by Immunoassay"),
    "HIV": ("56888-1", "HIV 1+2 Ab+HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay"),
    "HEV": ("14211-7", "Hepatitis E virus IgG Ab [Presence] in Serum"),
    "syphilis": ("46206-9", "Treponema pallidum Ab [Presence] in Serum from Donor"),
    "HTLV": ("29901-6", "HTLV I+II Ab [Presence] in Serum"),
    "toxoplasma-IgM": ("40678-5", "Toxoplasma gondii IgM Ab [Presence] in Serum or Plasma by Immunoassay"),
    "EBV-IgM": ("24115-8", "Epstein Barr virus capsid IgM Ab [Presence] in Serum"),
    "CMV-IgM": ("24119-0", "Cytomegalovirus IgM Ab [Presence] in Serum"),
}

#: serology result of the form -> SNOMED CT qualifier value
RESULTS: dict[str, tuple[str, str]] = {
    "negative": ("260385009", "Negative"),
    "positive": ("10828004", "Positive"),
    "equivocal": ("42425007", "Equivocal"),
}


def local_system(study_id: str, kind: str) -> str:
    """This system's identifiers of one kind (``pseudonym``, ``container``) in one study."""
    return f"urn:stromalab:{study_id}:{kind}"
