"""Authentication with lockout after repeated failures (compliance.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User


class LockoutBackend(ModelBackend):
    """ModelBackend that refuses locked accounts and counts failed passwords.

    After ``settings.STROMALAB_LOCKOUT_THRESHOLD`` consecutive failures the account is locked
    until an administrator unlocks it (or resets its password). Each failure, the lock and each
    success are audited.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     channel: str = "web", **kwargs: Any) -> User | None:
        from . import actions

        if username is None or password is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None or user.is_locked or not user.is_active:
            # the same work as a real check, so that timing tells nothing of whether the account
            # exists or is locked; the password of a locked account is never tested
            User().set_password(password)
            return None
        if not user.check_password(password):
            actions.record_login_failure(user=user, channel=channel)
            return None
        actions.record_login_success(user=user, channel=channel)
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False)) and not getattr(user, "is_locked", False)

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
