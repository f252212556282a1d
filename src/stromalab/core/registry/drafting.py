"""Draft a computable rule for a criterion whose wording is recognisable.

Only the rule kinds the eligibility engine evaluates are drafted (docs/criteria-language.md),
as the plain mappings ``eligibility.yaml`` holds: a ``value`` threshold (age, BMI, weight,
height), a ``choice`` on sex, pregnancy and breastfeeding on the pregnancy test and the
criterion's own answer, and common history terms as ICD-10 ``history`` backed by the answer.
Anything else gets ``review``: unknown until a person writes its rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stromalab.core.registry.criteria import Criterion
from stromalab.core.registry.history_terms import Term, match_history
from stromalab.core.registry.thresholds import parse_threshold

REVIEW_NOTE = "no rule drafted from its wording"
PREGNANCY_TEST_DAYS = 7  # a pregnancy test counts when dated in the 7 days before as_of

_SEX = re.compile(
    r"(?:(?:only\s+)?(female|male|women|men)(?:\s+(?:only|participants?|patients?|subjects?|volunteers?))?"
    r"|sex\s*:\s*(female|male))\.?"
)
_SEX_VALUE = {"female": "female", "women": "female", "male": "male", "men": "male"}
_PREGNANCY = {"pregnant", "pregnancy", "pregnancies"}
_LACTATION = {"breastfeeding", "breast-feeding", "lactating", "lactation", "nursing"}
_PREGNANCY_FILLER = {"women", "woman", "female", "females", "who", "are", "is", "or", "and", "currently",
                     "patients", "participants", "subjects", "mothers", "/", "current"}


@dataclass(frozen=True)
class Draft:
    """The rule for ``eligibility.yaml`` and the code lists it names (name -> term)."""

    rule: dict[str, Any]
    codelists: dict[str, Term] = field(default_factory=dict)

    @property
    def drafted(self) -> bool:
        return "review" not in self.rule


def review(note: str = REVIEW_NOTE) -> Draft:
    return Draft({"review": note})


def draft_rule(criterion: Criterion) -> Draft:
    """The drafted rule of one criterion (``review`` when its wording is not recognised)."""
    threshold = parse_threshold(criterion.text)
    if threshold is not None:
        quantity, limits = threshold
        return Draft({"value": {"of": quantity, **dict(limits)}})
    sex = _SEX.fullmatch(criterion.text.strip().lower())
    if sex is not None:
        return sex_rule(_SEX_VALUE[sex.group(1) or sex.group(2)])
    if criterion.kind != "exclusion":
        return review()  # the remaining drafts rest on the exclusion's own yes/no answer
    pregnancy = _pregnancy(criterion)
    if pregnancy is not None:
        return pregnancy
    history = match_history(criterion.text)
    if history is not None:
        term, when = history
        shown_by = [{"history": {"in": "conditions", "codelist": term.name, "when": when}}]
        return Draft({"reported": {"answer": criterion.id, "shown_by": shown_by}}, {term.name: term})
    return review()


def sex_rule(sex: str) -> Draft:
    """True for the one sex the criterion names, false for the other."""
    other = "male" if sex == "female" else "female"
    return Draft({"choice": {"field": "sex", "true": [sex], "false": [other]}})


def age_rule(minimum: int | None, maximum: int | None) -> Draft:
    """The registry's age limits in completed years (both inclusive, as the registry means)."""
    limits: dict[str, Decimal] = {}
    if minimum is not None:
        limits["at_least"] = Decimal(minimum)
    if maximum is not None:
        limits["at_most"] = Decimal(maximum)
    return Draft({"value": {"of": "age_years", **limits}})


def _pregnancy(criterion: Criterion) -> Draft | None:
    if "\n" in criterion.text:
        return None
    words = [w for w in re.split(r"[\s,.;:()]+|(/)", criterion.text.lower()) if w]
    if not words or any(w not in _PREGNANCY | _LACTATION | _PREGNANCY_FILLER for w in words):
        return None
    pregnant, lactating = bool(_PREGNANCY & set(words)), bool(_LACTATION & set(words))
    test = {"test": {"field": "pregnancy_test", "within_days": PREGNANCY_TEST_DAYS}}
    if pregnant:
        # a dated negative test clears pregnancy, but not breastfeeding
        female: dict[str, Any] = {"reported": {"answer": criterion.id, "shown_by": [test],
                                               **({} if lactating else {"cleared_by": [test]})}}
    elif lactating:
        female = {"answer": criterion.id}
    else:
        return None
    return Draft({"sex": {"male": False, "female": female}})
