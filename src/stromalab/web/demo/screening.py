"""The demo study's donors, one at each stage from registration to enrollment.

Site staff do it as at the site: the coordinator registers each donor and enters the case
report form, the investigator records consent and signs the eligibility decision (password
re-asked) and enrolls, the data manager raises data queries and closes them once answered.
Every donor gives abdominal fat during a liposuction under general anaesthesia scheduled at
screening; that surgery date is the day the operator records the harvest.

| donor | stage |
|-------|-------|
| 1-3   | enrolled; surgery past (their batches follow, web/demo/manufacturing.py) |
| 4     | enrolled; surgery next week |
| 5     | eligible, decision signed, not yet enrolled |
| 6     | screen failure: current smoker (criterion I3), decision signed |
| 7     | screening in progress (serology awaited), a data query open |
| 8     | enrolled, then withdrew consent before surgery |
| 9     | refused consent |
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from stromalab.web.accounts import roles
from stromalab.web.donors import actions as donors
from stromalab.web.donors.models import Consent, Donor, Study
from stromalab.web.screening import actions as screening
from stromalab.web.screening.models import SEROLOGY_TESTS

from .clock import Clock
from .people import Staff

#: criteria answered at the screening interview (E1-E22: "no" means the exclusion is absent)
ANSWERED = tuple(f"E{i}" for i in range(1, 23))


@dataclass(frozen=True)
class Profile:
    """A fictitious donor: identity, body and habits as the screening visit records them."""

    first_name: str
    last_name: str
    sex: str
    birth_date: dt.date
    smoking: str = "never"


@dataclass(frozen=True)
class Harvestable:
    """An enrolled donor and the day of the liposuction scheduled at her screening."""

    donor: Donor
    surgery_on: dt.date


PROFILES = (
    Profile("Camille", "Rousseau", "female", dt.date(1988, 3, 14)),
    Profile("Julie", "Lambert", "female", dt.date(1979, 11, 2)),
    Profile("Isabelle", "Fournier", "female", dt.date(1983, 6, 27)),
    Profile("Nathalie", "Girard", "female", dt.date(1975, 1, 9)),
    Profile("Thomas", "Mercier", "male", dt.date(1990, 8, 21)),
    Profile("Céline", "Dupont", "female", dt.date(1986, 4, 30), smoking="current"),
    Profile("Sarah", "Chevalier", "female", dt.date(1994, 9, 12)),
    Profile("Émilie", "Faure", "female", dt.date(1981, 12, 5)),
    Profile("Laura", "Blanc", "female", dt.date(1992, 2, 18)),
)


def crf(profile: Profile, rng: random.Random, *, as_of: dt.date, surgery_on: dt.date,
        serology: bool = True) -> dict[str, Any]:
    """The case report form of a screening visit on ``as_of``; without ``serology`` the
    laboratory results are still awaited (the screening stays incomplete)."""
    data: dict[str, Any] = {
        "as_of": as_of.isoformat(), "sex": profile.sex, "birth_date": profile.birth_date.isoformat(),
        "weight_kg": f"{rng.uniform(58, 74):.1f}", "height_cm": f"{rng.uniform(162, 180):.1f}",  # BMI < 30
        "systolic": rng.randint(108, 132), "diastolic": rng.randint(66, 84),
        "smoking": profile.smoking, "social_security": True,
        "surgery_procedure": "liposuction", "surgery_site": "abdominal wall",
        "surgery_anesthesia": "general", "surgery_date": surgery_on.isoformat(),
        "answers": dict.fromkeys(ANSWERED, "no"),
    }
    if serology:
        data["serology"] = dict.fromkeys(SEROLOGY_TESTS, "negative")
        if profile.sex == "female":
            data["pregnancy_result"], data["pregnancy_date"] = "negative", as_of.isoformat()
    return data


class Site:
    """The site staff working through the donors of the demo study."""

    def __init__(self, study: Study, staff: Staff, clock: Clock, rng: random.Random) -> None:
        self.study, self.staff, self.clock, self.rng = study, staff, clock, rng
        self.sheet = study.information_sheets.latest("effective_date")
        self.coordinator = staff[roles.COORDINATOR]
        self.investigator = staff[roles.INVESTIGATOR]
        self.data_manager = staff[roles.DATA_MANAGER]

    def register(self, profile: Profile, *, consent_on: int, status: str = Consent.SIGNED) -> Donor:
        donor = donors.register_donor(study=self.study, acting_user=self.coordinator, identity={
            "last_name": profile.last_name, "first_name": profile.first_name,
            "email": f"{profile.first_name.lower()}.{profile.last_name.lower()}@example.invalid"})
        donors.record_consent(donor=donor, sheet=self.sheet, status=status, date=self.clock.day(consent_on),
                              acting_user=self.investigator)
        return donor

    def screen(self, donor: Donor, profile: Profile, *, as_of: int, surgery_on: int, serology: bool = True) -> None:
        data = crf(profile, self.rng, as_of=self.clock.day(as_of), surgery_on=self.clock.day(surgery_on),
                   serology=serology)
        screening.save_screening(donor=donor, data=data, acting_user=self.coordinator)

    def decide(self, donor: Donor) -> None:
        screening.sign_decision(donor=donor, password=self.staff.password(self.investigator),
                                acting_user=self.investigator)

    def enroll(self, donor: Donor) -> None:
        screening.enroll(donor=donor, acting_user=self.investigator)

    def query(self, donor: Donor, field: str, text: str, *, answer: str = "") -> None:
        """The data manager raises a query on a field; with ``answer`` the coordinator answers it
        and the data manager closes it."""
        query = screening.open_query(donor=donor, field=field, text=text, acting_user=self.data_manager)
        if answer:
            screening.answer_query(query=query, text=answer, acting_user=self.coordinator)
            screening.close_query(query=query, text="Source document checked: closed.",
                                  acting_user=self.data_manager)


def recruit(site: Site) -> tuple[Harvestable, ...]:
    """Every donor of the demo study at its stage (module docstring); returns the donors whose
    surgery, and so whose harvest, is past."""
    harvestable = []
    for profile, consent_on, surgery_on in zip(PROFILES[:3], (-100, -80, -60), (-90, -70, -50), strict=True):
        donor = site.register(profile, consent_on=consent_on)
        site.screen(donor, profile, as_of=consent_on + 2, surgery_on=surgery_on)
        site.decide(donor)
        site.enroll(donor)
        harvestable.append(Harvestable(donor, site.clock.day(surgery_on)))
    site.query(harvestable[1].donor, "weight_kg", "Weight differs from the anaesthesia record: please check "
               "the source document.", answer="Checked against the nurse's chart: the CRF value is right.")

    waiting = site.register(PROFILES[3], consent_on=-12)
    site.screen(waiting, PROFILES[3], as_of=-10, surgery_on=9)
    site.decide(waiting)
    site.enroll(waiting)

    eligible = site.register(PROFILES[4], consent_on=-6)
    site.screen(eligible, PROFILES[4], as_of=-5, surgery_on=20)
    site.decide(eligible)

    smoker = site.register(PROFILES[5], consent_on=-20)
    site.screen(smoker, PROFILES[5], as_of=-19, surgery_on=5)
    site.decide(smoker)

    in_progress = site.register(PROFILES[6], consent_on=-2)
    site.screen(in_progress, PROFILES[6], as_of=-1, surgery_on=25, serology=False)
    site.query(in_progress, "serology", "Serology results not entered: please enter them when the "
               "laboratory report arrives.")

    withdrawn = site.register(PROFILES[7], consent_on=-30)
    site.screen(withdrawn, PROFILES[7], as_of=-28, surgery_on=3)
    site.decide(withdrawn)
    site.enroll(withdrawn)
    donors.record_consent(donor=withdrawn, sheet=site.sheet, status=Consent.WITHDRAWN, date=site.clock.day(-3),
                          acting_user=site.investigator, reason="The donor no longer wishes to take part; "
                          "her surgery goes ahead outside the study.")

    site.register(PROFILES[8], consent_on=-4, status=Consent.REFUSED)
    return tuple(harvestable)
