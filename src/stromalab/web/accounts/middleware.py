"""Force a password change at first login (one-time passwords)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith(("/i18n/", "/static/", "/api/")):
                return redirect("accounts:password_change")
        return self.get_response(request)
