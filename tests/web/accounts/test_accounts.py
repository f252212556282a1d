"""Login, lockout, first-login password change, sessions, Argon2, createuser, bootstrap."""

from __future__ import annotations

import argparse
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from stromalab.commands import createuser
from stromalab.web.accounts.models import User
from stromalab.web.audit.models import AuditEvent

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_logout_and_argon2(make_user: Any) -> None:
    user = make_user("coordinator")
    assert user.password.startswith("argon2$")
    client = Client()
    assert client.get("/donors/").status_code == 302
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/donors/").status_code == 200
    assert 0 < client.session.get_expiry_age() <= 1800
    client.post("/accounts/logout/")
    assert client.get("/donors/").status_code == 302
    assert list(AuditEvent.objects.filter(username=user.username).values_list("action", flat=True)) == [
        "login", "logout"]


def test_lockout_after_five_failures(make_user: Any) -> None:
    user = make_user("investigator")
    client = Client()
    for _ in range(5):
        assert _login(client, user.username, "wrong password").status_code == 200
    user.refresh_from_db()
    assert user.is_locked and user.failed_logins == 5
    response = _login(client, user.username, PASSWORD)  # the right password no longer opens it
    assert response.status_code == 200 and b"locked" in response.content
    assert AuditEvent.objects.filter(action="locked", record_id=str(user.pk)).exists()
    admin = make_user("administrator")
    admin_client = Client()
    admin_client.force_login(admin)
    admin_client.post(f"/accounts/users/{user.pk}/", {"operation": "unlock", "reason": "phoned"})
    user.refresh_from_db()
    assert not user.is_locked
    assert _login(Client(), user.username, PASSWORD).status_code == 302


def test_basic_auth_failures_count_too(make_user: Any) -> None:
    import base64

    user = make_user("monitor")
    bad = base64.b64encode(f"{user.username}:nope".encode()).decode()
    for _ in range(5):
        assert Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Basic {bad}").status_code == 401
    good = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    assert Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Basic {good}").status_code == 401
    user.refresh_from_db()
    assert user.is_locked


def test_one_time_password_must_be_changed(capsys: pytest.CaptureFixture[str]) -> None:
    code = createuser.run(argparse.Namespace(role="coordinator", username="claire", first_name="Claire",
                                             last_name="Dupont", email="", password_stdin=False))
    out = capsys.readouterr().out
    assert code == 0
    otp = out.split("one-time password: ")[1].split()[0]
    client = Client()
    assert _login(client, "claire", otp).status_code == 302
    response = client.get("/donors/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    new = "a much better secret 7"
    response = client.post("/accounts/password/", {"old_password": otp, "new_password": new,
                                                   "new_password2": new})
    assert response.status_code == 302
    assert client.get("/donors/").status_code == 200
    assert not User.objects.get(username="claire").must_change_password


def test_createuser_reads_password_from_stdin(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("from stdin, long enough 9\n"))
    code = createuser.run(argparse.Namespace(role="monitor", username="mona", first_name="", last_name="",
                                             email="", password_stdin=True))
    assert code == 0 and "one-time password" not in capsys.readouterr().out
    assert User.objects.get(username="mona").check_password("from stdin, long enough 9")
    code = createuser.run(argparse.Namespace(role="monitor", username="mona", first_name="", last_name="",
                                             email="", password_stdin=False))
    assert code == 1  # already exists


def test_bootstrap_creates_the_administrator_once(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    text = out.getvalue()
    assert "one-time password:" in text and "enrollment target 6" in text
    admin = User.objects.get(username="admin")
    assert admin.role == "administrator" and admin.must_change_password
    out2 = io.StringIO()
    call_command("bootstrap", stdout=out2)
    assert "one-time password" not in out2.getvalue() and User.objects.count() == 1


def test_api_token(client_as: Any) -> None:
    client = client_as("data_manager")
    response = client.post("/accounts/tokens/", {"label": "script"})
    token = response.context["new_key"]
    ok = Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200 and ok.json()["role"] == "data_manager"
    assert Client().get("/api/accounts/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    from stromalab.web.accounts.models import ApiToken

    client.post("/accounts/tokens/", {"revoke": ApiToken.objects.get().pk})
    assert Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_locked_account_answers_like_a_wrong_password(make_user: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Same message and the same password-hashing work for a locked account, an unknown one and a
    wrong password: neither the page nor its timing tells an attacker that an account is locked."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    work: list[str] = []
    encode, verify = Argon2PasswordHasher.encode, Argon2PasswordHasher.verify
    monkeypatch.setattr(Argon2PasswordHasher, "encode",
                        lambda self, *a, **k: work.append("hash") or encode(self, *a, **k))
    monkeypatch.setattr(Argon2PasswordHasher, "verify",
                        lambda self, *a, **k: work.append("hash") or verify(self, *a, **k))
    locked = make_user("investigator")
    locked.locked_at = locked.date_joined
    locked.save(update_fields=["locked_at"])
    other = make_user("investigator")
    pages = []
    for username, password in ((locked.username, PASSWORD), ("nobody", PASSWORD), (other.username, "wrong")):
        work.clear()
        pages.append(_login(Client(), username, password).content.decode())
        assert work == ["hash"], username
    messages = [page[page.index('class="errorlist') : page.index("</ul>", page.index('class="errorlist'))]
                for page in pages]
    assert messages[0] == messages[1] == messages[2]


def test_a_recent_password_cannot_come_back(make_user: Any) -> None:
    from django.core.exceptions import ValidationError

    from stromalab.web.accounts.actions import change_password

    user = make_user("monitor")
    second, third = "second passphrase 2026", "third passphrase 2027"
    change_password(user=user, old_password=PASSWORD, new_password=second, acting_user=user)
    with pytest.raises(ValidationError, match="last 5 passwords"):
        change_password(user=user, old_password=second, new_password=PASSWORD, acting_user=user)
    change_password(user=user, old_password=second, new_password=third, acting_user=user)
    user.refresh_from_db()
    assert user.check_password(third) and user.password_history.count() == 2
    assert not any(h.password.endswith(third) for h in user.password_history.all())
