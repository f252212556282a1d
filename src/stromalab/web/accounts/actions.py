"""Every change of account state and every electronic signature.

Each function is atomic, takes the acting user by keyword and writes its audit event in the
same transaction (see :mod:`stromalab.web.audit.actions`). Passwords never reach the audit trail.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind

from . import roles
from .models import ApiToken, PasswordHistory, Signature, User


def generate_password() -> str:
    """A one-time password: 16 URL-safe characters (~96 bits)."""
    return secrets.token_urlsafe(12)


@transaction.atomic(durable=True)
def create_user(
    *,
    username: str,
    role: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    acting_user: User | None,
    validate: bool = True,
) -> tuple[User, str]:
    """Create an account; returns ``(user, password)``.

    Without ``password`` a one-time password is generated. The user must change it at first
    login (``must_change_password``) in both cases. ``acting_user`` is None only for the
    bootstrap administrator and the ``stromalab createuser`` command.
    """
    if role not in roles.ALL:
        raise ValidationError({"role": f"unknown role {role!r}; one of {', '.join(roles.ALL)}"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"user {username!r} already exists"})
    if password is None:
        password = generate_password()
    user = User(username=username, role=role, first_name=first_name, last_name=last_name,
                email=email, must_change_password=True)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=user,
                 new={"username": username, "role": role, "first_name": first_name,
                      "last_name": last_name, "email": email})
    return user, password


@transaction.atomic(durable=True)
def change_password(*, user: User, old_password: str, new_password: str, acting_user: User) -> None:
    """The user changes their own password (clears ``must_change_password``)."""
    if acting_user.pk != user.pk:
        raise PermissionDenied("only the user can change their own password")
    if not user.check_password(old_password):
        raise ValidationError({"old_password": "the current password is wrong"})
    if old_password == new_password:
        raise ValidationError({"new_password": "the new password must differ from the current one"})
    recent = PasswordHistory.objects.filter(user=user)[: PasswordHistory.REMEMBERED - 1]
    if any(check_password(new_password, earlier.password) for earlier in recent):
        raise ValidationError({"new_password": f"the new password must differ from your last "
                                               f"{PasswordHistory.REMEMBERED} passwords"})
    try:
        validate_password(new_password, user)
    except ValidationError as e:
        raise ValidationError({"new_password": e.error_list}) from e
    PasswordHistory.objects.create(user=user, password=user.password, replaced_at=timezone.now())
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record_event(acting_user=acting_user, action=EventKind.PASSWORD_CHANGE, record=user)


@transaction.atomic(durable=True)
def reset_password(*, user: User, acting_user: User, reason: str) -> str:
    """Administrator: issue a new one-time password (also unlocks the account)."""
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_at = None
    user.save(update_fields=["password", "must_change_password", "failed_logins", "locked_at"])
    record_event(acting_user=acting_user, action=EventKind.PASSWORD_RESET, record=user, reason=reason)
    return password


@transaction.atomic(durable=True)
def set_role(*, user: User, role: str, acting_user: User, reason: str) -> None:
    """Change an account's role, for a stated reason (audited).

    Separation of duties (compliance.md: nobody grants themselves rights): nobody changes their
    own role, and an administrator account never becomes a study account: administrators manage
    accounts and see no study data, so one who also works on the study does so under a separate
    account, created (and audited) like any other. A user keeps one role, so an account that is
    made administrator leaves its study role."""
    if role not in roles.ALL:
        raise ValidationError({"role": f"unknown role {role!r}"})
    if user.pk == acting_user.pk:
        raise ValidationError({"role": "nobody may change their own role; another administrator must"})
    if user.role == roles.ADMINISTRATOR and role != roles.ADMINISTRATOR:
        raise ValidationError({"role": "an administrator account cannot hold a study role; create a "
                                       "separate account for the person's study work"})
    _change_field(user, "role", role, acting_user=acting_user, reason=reason)


@transaction.atomic(durable=True)
def set_active(*, user: User, active: bool, acting_user: User, reason: str) -> None:
    """Deactivate (never delete) or reactivate an account."""
    _change_field(user, "is_active", active, acting_user=acting_user, reason=reason)


def _change_field(user: User, field: str, new: object, *, acting_user: User, reason: str) -> None:
    """Change one field of an account, for a stated reason, audited as an update."""
    if not reason.strip():
        raise ValidationError({"reason": "a reason is required"})
    old = getattr(user, field)
    setattr(user, field, new)
    user.save(update_fields=[field])
    record_event(acting_user=acting_user, action=EventKind.UPDATE, record=user, field=field,
                 old=old, new=new, reason=reason)


@transaction.atomic(durable=True)
def unlock(*, user: User, acting_user: User, reason: str) -> None:
    user.failed_logins = 0
    user.locked_at = None
    user.save(update_fields=["failed_logins", "locked_at"])
    record_event(acting_user=acting_user, action=EventKind.UNLOCK, record=user, reason=reason)


@transaction.atomic(durable=True)
def record_login_failure(*, user: User, channel: str = "web") -> bool:
    """Count a failed password check; lock at the threshold. Returns True when now locked."""
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins", "locked_at"])
    record_event(acting_user=user, action=EventKind.LOGIN_FAILED, record=user, new={"channel": channel,
                 "failed_logins": user.failed_logins})
    if user.locked_at is None and user.failed_logins >= settings.STROMALAB_LOCKOUT_THRESHOLD:
        user.locked_at = timezone.now()
        user.save(update_fields=["locked_at"])
        record_event(acting_user=user, action=EventKind.LOCKED, record=user,
                     reason=f"{user.failed_logins} consecutive failed logins")
        return True
    return user.locked_at is not None


@transaction.atomic(durable=True)
def record_login_success(*, user: User, channel: str = "web") -> None:
    if user.failed_logins:
        User.objects.filter(pk=user.pk).update(failed_logins=0)
        user.failed_logins = 0
    if channel == "web":
        record_event(acting_user=user, action=EventKind.LOGIN, record=user)


@transaction.atomic(durable=True)
def record_logout(*, acting_user: User) -> None:
    record_event(acting_user=acting_user, action=EventKind.LOGOUT, record=acting_user)


@transaction.atomic(durable=True)
def create_api_token(*, acting_user: User, label: str = "") -> str:
    """Create a bearer token for the acting user; returns the token (shown once)."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=acting_user, key_hash=ApiToken.hash_key(key), label=label)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=token, new={"label": label})
    return key


@transaction.atomic(durable=True)
def revoke_api_token(*, token: ApiToken, acting_user: User) -> None:
    if token.user_id != acting_user.pk and acting_user.role != roles.ADMINISTRATOR:
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(acting_user=acting_user, action=EventKind.REVOKE, record=token)


class SignatureError(ValidationError):
    pass


def sign(
    *,
    acting_user: User,
    password: str,
    meaning: str,
    record_type: str,
    record_id: str,
    content: Any,
    subject: str = "",
) -> Signature:
    """Apply an electronic signature (21 CFR 11.50/11.200) to ``content``.

    Re-checks the signer's password (a wrong one counts toward the lockout), binds the
    signature to ``sha256_hex(content)`` and audits it. ``meaning`` is one of
    ``Signature.AUTHORED/REVIEWED/APPROVED/RELEASED``. Later, ``signature.matches(current)``
    tells whether the current content is still the one signed.

    A step of the signing action (eligibility decision, release, closure...): it runs in that
    action's transaction, so the signature and what it signs commit or roll back together.
    """
    from stromalab.web.audit.canonical import sha256_hex

    if not connection.in_atomic_block:
        raise RuntimeError("sign() runs inside the signing action's transaction")
    if meaning not in dict(Signature.MEANINGS):
        raise SignatureError(f"unknown meaning {meaning!r}")
    user = User.objects.get(pk=acting_user.pk)
    if not user.is_active or user.is_locked:
        raise PermissionDenied("account inactive or locked")
    if not password or not user.check_password(password):
        # The caller's transaction rolls back; views and the API then call
        # record_login_failure(user=..., channel="signature") so the failure counts.
        raise SignatureError("password incorrect: signature not applied")
    signature = Signature.objects.create(
        signer=user, printed_name=user.printed_name, meaning=meaning, signed_at=timezone.now(),
        record_type=record_type, record_id=str(record_id), content_hash=sha256_hex(content),
        subject=subject,
    )
    record_event(acting_user=user, action=EventKind.SIGN, record=signature,
                 new={"meaning": meaning, "record": f"{record_type}:{record_id}",
                      "content_hash": signature.content_hash, "printed_name": signature.printed_name})
    return signature
