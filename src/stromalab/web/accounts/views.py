"""Login, logout, password change, API tokens and (administrator) account management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stromalab.web.feedback import report_refusal

from . import actions, roles
from .forms import LoginForm, PasswordChangeForm, TokenForm, UserAdminForm, UserCreateForm
from .models import ApiToken, User
from .permissions import login_only, public, require_role


@public
@require_http_methods(["GET", "POST"])
def login_view(request: Any) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is not None:
            login(request, user)
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = ""
            return redirect(next_url or "dashboard:home")
        # one answer whatever the reason (wrong password, unknown, locked or inactive account),
        # so that the page tells an attacker nothing about an account
        form.add_error(None, _("Wrong username or password. After repeated failed attempts an "
                               "account is locked: an administrator can unlock it."))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@login_only
@require_POST
def logout_view(request: Any) -> HttpResponse:
    actions.record_logout(acting_user=request.user)
    logout(request)
    return redirect("accounts:login")


@login_only
@require_http_methods(["GET", "POST"])
def password_change(request: Any) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(user=request.user, old_password=form.cleaned_data["old_password"],
                                    new_password=form.cleaned_data["new_password"],
                                    acting_user=request.user)
        except ValidationError as e:
            report_refusal(request, e, form=form)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Password changed."))
            return redirect("dashboard:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_only
@require_http_methods(["GET", "POST"])
def tokens(request: Any) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST":
        revoke = request.POST.get("revoke")
        if revoke:
            token = get_object_or_404(ApiToken, pk=revoke, user=request.user)
            actions.revoke_api_token(token=token, acting_user=request.user)
            return redirect("accounts:tokens")
        if form.is_valid():
            new_key = actions.create_api_token(acting_user=request.user, label=form.cleaned_data["label"])
    items = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": items, "new_key": new_key})


@require_role(roles.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def user_list(request: Any) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            user, password = actions.create_user(acting_user=request.user, **form.cleaned_data)
        except ValidationError as e:
            report_refusal(request, e, form=form)
        else:
            created = (user, password)
            form = UserCreateForm()
    users = User.objects.order_by("username")
    return render(request, "accounts/user_list.html", {"form": form, "users": users, "created": created})


@require_role(roles.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def user_detail(request: Any, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    form = UserAdminForm(request.POST or None)
    new_password = None
    if request.method == "POST" and form.is_valid():
        op, reason = form.cleaned_data["operation"], form.cleaned_data["reason"]
        try:
            if op == "reset_password":
                new_password = actions.reset_password(user=target, acting_user=request.user, reason=reason)
            elif op == "unlock":
                actions.unlock(user=target, acting_user=request.user, reason=reason)
            elif op == "set_role":
                actions.set_role(user=target, role=form.cleaned_data["role"], acting_user=request.user,
                                 reason=reason)
            else:
                actions.set_active(user=target, active=(op == "activate"), acting_user=request.user,
                                   reason=reason)
        except ValidationError as e:
            report_refusal(request, e, form=form)
        else:
            messages.success(request, _("Done."))
    from stromalab.web.audit.formatting import readable, zone_name
    from stromalab.web.audit.models import AuditEvent

    events = AuditEvent.objects.filter(record_type="accounts.User", record_id=str(target.pk)).order_by("-id")[:100]
    return render(request, "accounts/user_detail.html",
                  {"target": target, "form": form, "new_password": new_password,
                   "rows": readable(request.user, events), "zone": zone_name()})
