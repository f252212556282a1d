"""Common history terms of eligibility criteria and the ICD-10 codes that record them.

A criterion is drafted as a history only when, once its qualifiers ("known", "history of",
"active or any past", …) are taken away, what remains is one of these terms exactly: the code
lists are the usual ICD-10 categories for the term, written into ``eligibility.yaml`` where the
reviewer sees and edits them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    name: str  # the code list's name in eligibility.yaml
    title: str
    pattern: str  # a regular expression the whole remaining text must match
    codes: tuple[str, ...]


TERMS: tuple[Term, ...] = (
    Term("haematological_malignancy", "Haematological malignancies",
         r"ha?ematologic(?:al)? malignanc(?:y|ies)", ("C81-C96", "D45-D47")),
    Term("cancer", "Malignant and in situ neoplasms",
         r"cancers?|malignanc(?:y|ies)|malignant (?:neoplasms?|tumou?rs?|disease)", ("C00-C97", "D00-D09")),
    Term("type_1_diabetes", "Type 1 diabetes mellitus",
         r"(?:type 1|type i|insulin[- ]dependent) diabetes(?: mellitus)?", ("E10",)),
    Term("diabetes", "Diabetes mellitus", r"diabetes(?: mellitus)?", ("E10-E14",)),
    Term("heart_failure", "Heart failure", r"(?:congestive )?heart failure", ("I50",)),
    Term("myocardial_infarction", "Myocardial infarction",
         r"myocardial infarctions?", ("I21", "I22", "I25.2")),
    Term("stroke", "Stroke", r"strokes?|cerebrovascular accidents?", ("I60-I64",)),
    Term("epilepsy", "Epilepsy", r"epilepsy|seizure disorders?", ("G40", "G41")),
    Term("multiple_sclerosis", "Multiple sclerosis", r"multiple sclerosis", ("G35",)),
    Term("dementia", "Dementia", r"dementia", ("F00-F03", "G30")),
    Term("asthma", "Asthma", r"asthma", ("J45", "J46")),
    Term("copd", "Chronic obstructive pulmonary disease",
         r"copd|chronic obstructive pulmonary disease", ("J44",)),
    Term("cirrhosis", "Cirrhosis of the liver", r"(?:liver |hepatic )?cirrhosis", ("K70.3", "K74")),
    Term("chronic_kidney_disease", "Chronic kidney disease",
         r"chronic (?:kidney|renal) (?:disease|failure|insufficiency)", ("N18",)),
    Term("hiv", "HIV disease", r"hiv(?: infection)?|human immunodeficiency virus(?: infection)?",
         ("B20-B24", "Z21")),
    Term("hepatitis_b", "Chronic or acute hepatitis B", r"hepatitis b(?: infection)?", ("B16", "B18.0", "B18.1")),
    Term("hepatitis_c", "Chronic or acute hepatitis C", r"hepatitis c(?: infection)?", ("B17.1", "B18.2")),
    Term("tuberculosis", "Tuberculosis", r"tuberculosis", ("A15-A19",)),
    Term("haemophilia", "Haemophilia and related factor deficiencies",
         r"ha?emophilia", ("D66", "D67", "D68.1")),
    Term("lupus", "Systemic lupus erythematosus", r"(?:systemic )?lupus(?: erythematosus)?", ("M32",)),
    Term("rheumatoid_arthritis", "Rheumatoid arthritis", r"rheumatoid arthritis", ("M05", "M06")),
    Term("crohn_disease", "Crohn's disease", r"crohn'?s disease", ("K50",)),
    Term("ulcerative_colitis", "Ulcerative colitis", r"ulcerative colitis", ("K51",)),
    Term("psoriasis", "Psoriasis", r"psoriasis", ("L40",)),
    Term("icterus", "Unspecified jaundice", r"icterus|jaundice", ("R17",)),
)

_QUALIFIERS = {"history", "of", "known", "active", "or", "any", "past", "prior", "previous", "personal",
               "current", "a", "diagnosed", "diagnosis", "documented", "existing", "presence", "with"}
_PAST = {"history", "past", "prior", "previous"}


def match_history(text: str) -> tuple[Term, str] | None:
    """(term, ``ever`` or ``active``) when the criterion is a qualified history term, else None.

    ``active`` only when the wording says active or current and speaks of no history (past,
    prior, previous); ``ever`` otherwise, the safer side for an exclusion: a donor whose record
    shows the disease at any time is excluded unless a reviewer narrows it.
    """
    if "\n" in text:
        return None
    words = text.lower().strip().rstrip(".").split()
    qualifiers: set[str] = set()
    while words and words[0] in _QUALIFIERS:
        qualifiers.add(words.pop(0))
    remainder = " ".join(words)
    for term in TERMS:
        if re.fullmatch(term.pattern, remainder):
            current = qualifiers & {"active", "current"} and not qualifiers & _PAST
            return term, "active" if current else "ever"
    return None
