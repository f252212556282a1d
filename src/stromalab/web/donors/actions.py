"""Every change to donors, identity and consent (atomic, acting user by keyword, audited).

For later apps (manufacturing, quality):
:func:`assert_material_use_allowed` refuses any use of a withdrawn or voided donor's material.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.fr import nir as stdnum_nir

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind

from .models import Consent, Donor, DonorIdentity, InformationSheet, Study
from .permissions import INVESTIGATORS, REGISTRARS
from .queries import material_use_refusal


class DonorLocked(PermissionDenied):
    """Consent withdrawn or donor voided: no further data entry or use of material."""


def pseudonym_for(study: Study, sequence: int) -> str:
    return f"{study.id}-{sequence:03d}"


def assert_data_entry_allowed(donor: Donor) -> None:
    donor.refresh_from_db(fields=["withdrawn_at", "voided_at"])
    if donor.is_withdrawn:
        raise DonorLocked(f"{donor.pseudonym}: consent withdrawn, no further data entry")
    if donor.is_voided:
        raise DonorLocked(f"{donor.pseudonym}: record voided")


def assert_material_use_allowed(donor: Donor) -> None:
    """Raise :class:`DonorLocked` unless the donor's material may be used (signed consent,
    not withdrawn, not voided). Call it in every action that uses a donor's material; pages
    that only show the answer ask :func:`stromalab.web.donors.queries.material_use_refusal`."""
    donor.refresh_from_db(fields=["withdrawn_at", "voided_at"])
    refusal = material_use_refusal(donor)
    if refusal is not None:
        raise DonorLocked(refusal)


def clean_nir(value: str) -> str:
    """Validate a French NIR (social security number) with python-stdnum; returns it compact."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return str(stdnum_nir.validate(value))
    except Exception as e:  # stdnum raises ValidationError subclasses
        raise ValidationError({"nir": f"invalid social security number (NIR): {e}"}) from e


def registration_key(study_id: str, nir: str) -> str | None:
    """The value of :attr:`DonorIdentity.registration_key` for a donor who is not voided."""
    return f"{study_id}:{nir}" if nir else None


def _save_identity(identity: DonorIdentity) -> None:
    """Save ``identity`` in a savepoint: the same NIR already registered in the study (also by
    a simultaneous request, which the unique key serializes) is refused beside the field."""
    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError as e:
        key = identity.registration_key
        if key is None or not DonorIdentity.objects.filter(registration_key=key).exclude(pk=identity.pk).exists():
            raise
        raise ValidationError({"nir": _("a donor with this social security number is already registered "
                                        "in this study")}) from e


def _clean_identity(data: dict[str, Any]) -> dict[str, str]:
    unknown = set(data) - set(DonorIdentity.FIELDS)
    if unknown:
        raise ValidationError(f"unknown identity fields: {', '.join(sorted(unknown))}")
    out = {k: str(v or "").strip() for k, v in data.items()}
    if "nir" in out:
        out["nir"] = clean_nir(out["nir"])
    return out


def ensure_study(*, study_id: str, title: str, enrollment_target: int, protocol_version: str = "",
                 acting_user: Any) -> Study:
    """Create or update the study row from its protocol folder.

    A step of loading a protocol (web/bootstrap.py): runs in that transaction.
    """
    study = Study.objects.select_for_update().filter(pk=study_id).first()
    if study is None:
        study = Study.objects.create(id=study_id, title=title, enrollment_target=enrollment_target,
                                     protocol_version=protocol_version)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=study,
                     new={"title": title, "enrollment_target": enrollment_target,
                          "protocol_version": protocol_version})
        return study
    changes = {}
    for field, value in (("title", title), ("enrollment_target", enrollment_target),
                         ("protocol_version", protocol_version)):
        if getattr(study, field) != value:
            changes[field] = (getattr(study, field), value)
            setattr(study, field, value)
    if changes:
        study.save()
        record_changes(acting_user=acting_user, record=study, changes=changes,
                       reason="protocol folder changed", require_reason=False)
    return study


def add_information_sheet(*, study: Study, version: str, effective_date: dt.date, title: str = "",
                          acting_user: Any) -> InformationSheet:
    """A version of the information sheet; a step of loading a protocol (web/bootstrap.py)."""
    sheet = InformationSheet.objects.create(study=study, version=version,
                                            effective_date=effective_date, title=title)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=sheet,
                 new={"version": version, "effective_date": effective_date, "title": title})
    return sheet


@transaction.atomic(durable=True)
def register_donor(*, study: Study, identity: dict[str, Any], acting_user: Any) -> Donor:
    """Register a donor: allocate the next pseudonym and store the identity separately.

    The study row is locked (SELECT ... FOR UPDATE; on SQLite the transaction already holds the
    write lock), so concurrent registrations get consecutive, never reused numbers; the unique
    constraint on (study, sequence) is the last line of defence.
    """
    return register_donor_in_transaction(study=study, identity=identity, acting_user=acting_user)


def register_donor_in_transaction(*, study: Study, identity: dict[str, Any], acting_user: Any) -> Donor:
    """:func:`register_donor` inside the caller's transaction (web/warehouse registers a
    candidate and carries its facts in one transaction)."""
    check_role(acting_user, REGISTRARS)
    ident = _clean_identity(identity)
    if not ident.get("last_name") or not ident.get("first_name"):
        raise ValidationError("last name and first name are required")
    locked = Study.objects.select_for_update().get(pk=study.pk)
    sequence = locked.next_sequence
    Study.objects.filter(pk=study.pk).update(next_sequence=sequence + 1)
    try:
        with transaction.atomic():
            donor = Donor.objects.create(study=locked, sequence=sequence,
                                         pseudonym=pseudonym_for(locked, sequence), created_by=acting_user)
    except IntegrityError as e:  # pragma: no cover - only if the lock was bypassed
        raise ValidationError("pseudonym allocation conflict, retry") from e
    _save_identity(DonorIdentity(donor=donor, registration_key=registration_key(locked.id, ident.get("nir", "")),
                                 **ident))
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=donor,
                 new={"pseudonym": donor.pseudonym, "study": locked.id})
    # Identity values are not copied into the trail (GDPR): the trail says which fields were set.
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=donor.identity,
                 new=sorted(k for k, v in ident.items() if v))
    return donor


@transaction.atomic(durable=True)
def read_identity(*, donor: Donor, acting_user: Any, purpose: str = "") -> DonorIdentity:
    """Return the donor's identity; only identity readers; the read itself is audited."""
    check_role(acting_user, roles.IDENTITY_READERS)
    identity = DonorIdentity.objects.get(donor=donor)
    record_event(acting_user=acting_user, action=EventKind.READ, record=identity, reason=purpose)
    return identity


@transaction.atomic(durable=True)
def update_identity(*, donor: Donor, changes: dict[str, Any], reason: str, acting_user: Any) -> DonorIdentity:
    check_role(acting_user, roles.IDENTITY_READERS)
    assert_data_entry_allowed(donor)
    new = _clean_identity(changes)
    identity = DonorIdentity.objects.select_for_update().get(donor=donor)
    diff = {}
    for field, value in new.items():
        old = getattr(identity, field)
        if old != value:
            diff[field] = (old, value)
            setattr(identity, field, value)
    if diff:
        if not reason.strip():
            raise ValidationError({"reason": "a reason is required to change identity data"})
        identity.registration_key = registration_key(donor.study_id, identity.nir)  # not voided: checked above
        _save_identity(identity)
        # Which fields changed and why, not the values themselves (kept out of the trail).
        record_changes(acting_user=acting_user, record=identity, reason=reason,
                       changes={f: ("(set)" if o else None, "(changed)") for f, (o, _n) in diff.items()})
    return identity


@transaction.atomic(durable=True)
def record_consent(*, donor: Donor, sheet: InformationSheet, status: str, date: dt.date,
                   acting_user: Any, reason: str = "") -> Consent:
    """Record a consent decision (signed, refused) or a withdrawal.

    Withdrawal marks the donor withdrawn: no further data entry, no further use of material
    (:func:`assert_material_use_allowed`), and what was recorded is kept.
    """
    check_role(acting_user, INVESTIGATORS)
    if status not in dict(Consent.STATUSES):
        raise ValidationError({"status": f"unknown consent status {status!r}"})
    if sheet.study_id != donor.study_id:
        raise ValidationError({"sheet": "information sheet of another study"})
    if date > timezone.localdate():
        raise ValidationError({"date": "consent date in the future"})
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    if donor.is_voided:
        raise DonorLocked(f"{donor.pseudonym}: record voided")
    if donor.is_withdrawn:
        raise DonorLocked(f"{donor.pseudonym}: consent already withdrawn")
    previous = donor.current_consent()
    if status == Consent.WITHDRAWN and (previous is None or previous.status != Consent.SIGNED):
        raise ValidationError({"status": "only a signed consent can be withdrawn"})
    consent = Consent.objects.create(donor=donor, sheet=sheet, status=status, date=date,
                                     recorded_by=acting_user)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=consent,
                 new={"status": status, "date": date, "sheet_version": sheet.version}, reason=reason)
    if status == Consent.WITHDRAWN:
        donor.withdrawn_at = timezone.now()
        donor.save(update_fields=["withdrawn_at"])
        record_event(acting_user=acting_user, action=EventKind.WITHDRAW, record=donor, field="withdrawn_at",
                     new=donor.withdrawn_at, reason=reason or "consent withdrawn")
    return consent


@transaction.atomic(durable=True)
def void_donor(*, donor: Donor, reason: str, acting_user: Any) -> None:
    """Void a donor registered in error (never deleted; the pseudonym is not reused)."""
    check_role(acting_user, INVESTIGATORS)
    if not reason.strip():
        raise ValidationError({"reason": "a reason is required"})
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    if donor.is_voided:
        return
    if donor.status == Donor.ENROLLED:
        raise ValidationError("an enrolled donor cannot be voided; record a withdrawal instead")
    donor.voided_at = timezone.now()
    donor.void_reason = reason
    donor.save(update_fields=["voided_at", "void_reason"])
    # the person may be registered again, correctly (the voided record keeps its identity)
    DonorIdentity.objects.filter(donor=donor).update(registration_key=None)
    record_event(acting_user=acting_user, action=EventKind.VOID, record=donor, field="voided_at",
                 new=donor.voided_at, reason=reason)


def set_donor_status(*, donor: Donor, status: str, acting_user: Any, reason: str = "") -> None:
    """A step of the screening actions (eligibility decision, enrollment): runs in their
    transaction and audits the status change."""
    old = donor.status
    if old == status:
        return
    donor.status = status
    Donor.objects.filter(pk=donor.pk).update(status=status)
    record_event(acting_user=acting_user, action=EventKind.UPDATE, record=donor, field="status",
                 old=old, new=status, reason=reason)
