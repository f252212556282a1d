"""Donors through the API: same actions and permissions as the pages."""


import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import api_op

from . import actions
from .models import Consent, Donor, InformationSheet
from .permissions import EDITORS, INVESTIGATORS
from .views import current_study

router = Router(tags=["donors"])


# A donor; ``consent`` is the current consent's status where the donor was read with
# _with_consent() (one donor), null in the list, which does not read consents.
# (A comment, not a docstring: a docstring would become the OpenAPI description.)
class DonorOut(Schema):
    pseudonym: str
    study: str = Field(alias="study_id")
    status: str
    withdrawn: bool = Field(alias="is_withdrawn")
    voided: bool = Field(alias="is_voided")
    consent: str | None = None


def _with_consent() -> QuerySet[Donor]:
    """Donors annotated with ``consent``, the status of :meth:`Donor.current_consent`, in the
    same query."""
    current = Consent.objects.filter(donor=OuterRef("pk"), voided_at__isnull=True).order_by("-date", "-id")
    return Donor.objects.annotate(consent=Subquery(current.values("status")[:1]))


def _donor_with_consent(pseudonym: str) -> Donor:
    return get_object_or_404(_with_consent(), pseudonym=pseudonym)


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
    return qs


@api_op(router, "POST", "/donors", EDITORS, response={201: DonorOut})
def register_donor(request: Any, payload: IdentityIn) -> Any:
    donor = actions.register_donor(study=current_study(), identity=payload.dict(), acting_user=request.auth)
    return Status(201, _donor_with_consent(donor.pseudonym))


@api_op(router, "GET", "/donors/{pseudonym}", roles.CLINICAL_READERS, response=DonorOut)
def get_donor(request: Any, pseudonym: str) -> Any:
    return _donor_with_consent(pseudonym)


@api_op(router, "GET", "/donors/{pseudonym}/identity", roles.IDENTITY_READERS, response=IdentityOut)
def get_identity(request: Any, pseudonym: str, purpose: str = "") -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    return actions.read_identity(donor=donor, acting_user=request.auth, purpose=purpose)


@api_op(router, "PATCH", "/donors/{pseudonym}/identity", roles.IDENTITY_READERS, response=DonorOut)
def patch_identity(request: Any, pseudonym: str, payload: IdentityPatch) -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    actions.update_identity(donor=donor, changes=payload.changes, reason=payload.reason, acting_user=request.auth)
    return _donor_with_consent(pseudonym)


@api_op(router, "POST", "/donors/{pseudonym}/consents", INVESTIGATORS, response={201: DonorOut})
def record_consent(request: Any, pseudonym: str, payload: ConsentIn) -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    sheet = get_object_or_404(InformationSheet, study_id=donor.study_id, version=payload.sheet_version)
    actions.record_consent(donor=donor, sheet=sheet, status=payload.status, date=payload.date,
                           reason=payload.reason, acting_user=request.auth)
    return Status(201, _donor_with_consent(pseudonym))


@api_op(router, "POST", "/donors/{pseudonym}/void", INVESTIGATORS, response=DonorOut)
def void_donor(request: Any, pseudonym: str, payload: ReasonIn) -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    actions.void_donor(donor=donor, reason=payload.reason, acting_user=request.auth)
    return _donor_with_consent(pseudonym)
