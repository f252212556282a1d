"""Fixtures for the export tests: a study with donors at several stages, one of them with a
stored batch, built through the actions (the manufacturing tests' fixtures), and a donor whose
identity holds every kind of identifying text, to look for in the exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from stdnum.fr import nir

from tests.web.conftest import eligible_data
from tests.web.manufacturing import conftest as manufacturing

# the manufacturing tests' fixtures, offered here too
enrolled_donor = manufacturing.enrolled_donor
operator = manufacturing.operator
run_batch = manufacturing.run_batch

NIR_BODY = "2950599350123"
IDENTITY = {"last_name": "Zyxwvutski", "first_name": "Quentaline", "birth_name": "Brumoiselle",
            "address": "17 rue des Exportations, Paris", "phone": "0612345678",
            "email": "quentaline@example.org", "nir": NIR_BODY + nir.calc_check_digits(NIR_BODY)}
BIRTH_DATE = "1987-03-29"


@pytest.fixture()
def populated(study: Any, make_user: Callable[..., Any], enrolled_donor: Callable[[], Any]) -> dict[str, Any]:
    """An enrolled donor, a screened donor whose identity holds every identifying field, and a
    withdrawn donor; the people who did it."""
    from stromalab.web.donors import actions as donors
    from stromalab.web.screening import actions as screening

    coordinator, investigator = make_user("coordinator"), make_user("investigator")
    enrolled = enrolled_donor()
    identified = donors.register_donor(study=study, identity=dict(IDENTITY), acting_user=coordinator)
    donors.record_consent(donor=identified, sheet=study.information_sheets.get(), status="signed",
                          date=dt.date.today(), acting_user=investigator)
    data = eligible_data()
    data["birth_date"] = BIRTH_DATE
    screening.save_screening(donor=identified, data=data, acting_user=coordinator)
    data["weight_kg"] = "63.5"
    screening.save_screening(donor=identified, data=data, acting_user=coordinator, reason="scale re-read")
    withdrawn = donors.register_donor(study=study, identity={"last_name": "W", "first_name": "W"},
                                      acting_user=coordinator)
    donors.record_consent(donor=withdrawn, sheet=study.information_sheets.get(), status="signed",
                          date=dt.date.today(), acting_user=investigator)
    donors.record_consent(donor=withdrawn, sheet=study.information_sheets.get(), status="withdrawn",
                          date=dt.date.today(), acting_user=investigator)
    for donor in (enrolled, identified, withdrawn):
        donor.refresh_from_db()
    return {"study": study, "enrolled": enrolled, "identified": identified, "withdrawn": withdrawn,
            "coordinator": coordinator}


@pytest.fixture()
def stored_batch(populated: dict[str, Any], run_batch: Callable[..., Any]) -> Any:
    """The enrolled donor's batch, through storage, in 4 vials."""
    return run_batch(populated["enrolled"], vials=4)


def identity_strings() -> list[str]:
    """Every identifying text of :data:`IDENTITY` and the birth date, as they could appear."""
    return [*IDENTITY.values(), IDENTITY["nir"][:13], BIRTH_DATE, BIRTH_DATE.replace("-", ""), "29/03/1987"]
