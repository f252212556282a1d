"""Donors through the API: same actions and permissions as the pages."""


import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import api_op

from . import actions
from .models import Donor, InformationSheet
from .permissions import EDITORS, INVESTIGATORS
from .views import current_study

router = Router(tags=["donors"])


class DonorOut(Schema):
    pseudonym: str
    study: str
    status: str
    withdrawn: bool
    voided: bool
    consent: str | None = None


def _donor_out(d: Donor, with_consent: bool = False) -> dict[str, Any]:
    out = {"pseudonym": d.pseudonym, "study": d.study_id, "status": d.status,
           "withdrawn": d.is_withdrawn, "voided": d.is_voided}
    if with_consent:
        c = d.current_consent()
        out["consent"] = c.status if c else None
    return out


class IdentityIn(Schema):
    last_name: str
    first_name: str
    birth_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    nir: str = ""


class IdentityOut(IdentityIn):
    pass


class IdentityPatch(Schema):
    changes: dict[str, str]
    reason: str


class ConsentIn(Schema):
    sheet_version: str
    status: str
    date: dt.date
    reason: str = ""


class ReasonIn(Schema):
    reason: str


@api_op(router, "GET", "/donors", roles.CLINICAL_READERS, response=list[DonorOut])
@paginate(PageNumberPagination, page_size=50)
def list_donors(request: Any, q: str = "") -> Any:
    qs = Donor.objects.order_by("sequence")
    if q:
        qs = qs.filter(pseudonym__icontains=q)
    return [_donor_out(d) for d in qs]


@api_op(router, "POST", "/donors", EDITORS, response={201: DonorOut})
def register_donor(request: Any, payload: IdentityIn) -> Any:
    donor = actions.register_donor(study=current_study(), identity=payload.dict(), acting_user=request.auth)
    return 201, _donor_out(donor, True)


@api_op(router, "GET", "/donors/{pseudonym}", roles.CLINICAL_READERS, response=DonorOut)
def get_donor(request: Any, pseudonym: str) -> Any:
    return _donor_out(get_object_or_404(Donor, pseudonym=pseudonym), True)


@api_op(router, "GET", "/donors/{pseudonym}/identity", roles.IDENTITY_READERS, response=IdentityOut)
def get_identity(request: Any, pseudonym: str, purpose: str = "") -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    return actions.read_identity(donor=donor, acting_user=request.auth, purpose=purpose)


@api_op(router, "PATCH", "/donors/{pseudonym}/identity", roles.IDENTITY_READERS, response=DonorOut)
def patch_identity(request: Any, pseudonym: str, payload: IdentityPatch) -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    actions.update_identity(donor=donor, changes=payload.changes, reason=payload.reason, acting_user=request.auth)
    return _donor_out(donor, True)


@api_op(router, "POST", "/donors/{pseudonym}/consents", INVESTIGATORS, response={201: DonorOut})
def record_consent(request: Any, pseudonym: str, payload: ConsentIn) -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    sheet = get_object_or_404(InformationSheet, study_id=donor.study_id, version=payload.sheet_version)
    actions.record_consent(donor=donor, sheet=sheet, status=payload.status, date=payload.date,
                           reason=payload.reason, acting_user=request.auth)
    donor.refresh_from_db()
    return 201, _donor_out(donor, True)


@api_op(router, "POST", "/donors/{pseudonym}/void", INVESTIGATORS, response=DonorOut)
def void_donor(request: Any, pseudonym: str, payload: ReasonIn) -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    actions.void_donor(donor=donor, reason=payload.reason, acting_user=request.auth)
    donor.refresh_from_db()
    return _donor_out(donor, True)
