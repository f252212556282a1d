"""Shared fixtures for the web application's tests (pytest-django).

- Django settings: ``stromalab.web.settings`` (``STROMALAB_DATABASE_URL`` picks the engine;
  tools/test.sh runs this directory on SQLite, then on PostgreSQL).
- ``study``: the NCT05947682 protocol loaded (study row, information sheet 1.0, 6 slots).
- ``make_user(role, username=None, password=PASSWORD)``: an active user whose password needs no change.
- ``client_as(role)``: a logged-in ``django.test.Client``.
- ``eligible_data()``: screening data that makes every criterion pass (with signed consent).
- Transactional tests (``django_db(transaction=True)``, ``live_server``): the audit table's
  append-only triggers are dropped just before pytest-django flushes the tables and
  re-created at the start of the next test (see ``_django_db_helper`` below).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stromalab.web.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API + live_server

import django

django.setup()  # test modules import models at collection time

from tests.web import gunicorn_server  # noqa: E402  (needs the settings module chosen above)

PASSWORD = "correct horse battery staple 42"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # Everything under tests/web touches the database through fixtures; mark it so that the
    # PostgreSQL half of tools/test.sh (-m "django_db or postgres") selects it.
    for item in items:
        if "tests/web" in str(item.fspath).replace(os.sep, "/") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 still, with test-sized cost (the production parameters take ~0.1 s per hash)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    monkeypatch.setattr(Argon2PasswordHasher, "memory_cost", 256)
    monkeypatch.setattr(Argon2PasswordHasher, "time_cost", 1)
    monkeypatch.setattr(Argon2PasswordHasher, "parallelism", 1)


@pytest.fixture(autouse=True)
def _pages_reported_to_the_test_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Django's test client learns a page's templates and context (``response.context``) from
    the ``template_rendered`` signal, which Django's test set-up makes its own engine send; the
    pages' Jinja2 templates (web/templating.py) send it the same way, after rendering, with the
    whole context they rendered (the request and the context processors' values included).
    The form renderer's own Jinja2 engine (a form's fields) is not reported, as before."""
    from django.template import engines
    from django.template.backends.jinja2 import Template
    from django.test.signals import template_rendered

    render = Template.render

    def reported(self: Any, context: dict[str, Any] | None = None, request: Any = None) -> str:
        context = {} if context is None else context
        html = render(self, context, request)
        if self.backend is engines["jinja2"]:
            template_rendered.send(sender=self, template=self.template, context=context)
        return html

    monkeypatch.setattr(Template, "render", reported)


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Each test starts in the site's language: a test (or a request it makes) that activates
    French must not make the next test's messages French."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: figures cached by audit version (dashboard/freshness.py)
    must not carry over from another test's database, where the same version meant other data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _audit_checkpoints(settings: Any, tmp_path: Any) -> None:
    """Each test's checkpoints of the audit chain in its own file, not in the working tree."""
    settings.STROMALAB_AUDIT_CHECKPOINTS = tmp_path / "audit-checkpoints.jsonl"


@pytest.fixture()
def _django_db_helper(_django_db_helper: None, request: pytest.FixtureRequest) -> Iterator[None]:
    """Wrap pytest-django's helper: for transactional tests, re-create the append-only triggers
    before the test and drop them after it, so that the flush between tests is allowed."""
    from django.db import connection

    from stromalab.web.audit import triggers

    if connection.in_atomic_block:  # TestCase-style: rolled back, triggers stay in place
        yield
        return
    triggers.create_triggers(connection)
    yield
    triggers.drop_triggers(connection)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[Any]:
    """A browser journey's own database connection is closed when the journey ends.

    Playwright's synchronous API switches greenlets, and a test that holds its ``browser``
    fixture runs in another context than its fixtures: Django's connection in the test is a
    second one, which the fixtures' teardown never sees. On PostgreSQL it stayed open, and the
    test database could not be dropped after the last test ("being accessed by other users")."""
    try:
        return (yield)
    finally:
        if "browser" in pyfuncitem.fixturenames:
            from django.db import connections

            connections.close_all()


if gunicorn_server.WANTED:

    @pytest.fixture()
    def live_server(transactional_db: None, settings: Any) -> Iterator[Any]:
        """The production server on the test database (see tests/web/gunicorn_server.py)."""
        from django.db import connection

        yield from gunicorn_server.serve(connection.settings_dict)


@pytest.fixture()
def study(db: None) -> Any:
    from stromalab.web.bootstrap import load_study

    return load_study("NCT05947682")


@pytest.fixture()
def make_user(db: None) -> Callable[..., Any]:
    from stromalab.web.accounts.models import User

    counter = {"n": 0}

    def make(role: str, username: str | None = None, password: str = PASSWORD, **extra: Any) -> Any:
        counter["n"] += 1
        user = User(username=username or f"{role}{counter['n']}", role=role,
                    first_name=extra.pop("first_name", role.title()),
                    last_name=extra.pop("last_name", f"Tester{counter['n']}"), **extra)
        user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture()
def client_as(make_user: Callable[..., Any]) -> Callable[..., Any]:
    from django.test import Client

    def make(role: str, user: Any = None) -> Any:
        client = Client()
        client.user = user or make_user(role)  # type: ignore[attr-defined]
        client.force_login(client.user)  # type: ignore[attr-defined]
        return client

    return make


def eligible_data(as_of: dt.date | None = None) -> dict[str, Any]:
    as_of = as_of or dt.date.today()
    return {
        "as_of": as_of.isoformat(), "sex": "female", "birth_date": "1990-05-14",
        "weight_kg": "62.0", "height_cm": "168.0", "systolic": 128, "diastolic": 82,
        "smoking": "never", "social_security": True,
        "surgery_procedure": "liposuction", "surgery_site": "abdominal wall",
        "surgery_anesthesia": "general", "surgery_date": (as_of + dt.timedelta(days=14)).isoformat(),
        "serology": {t: "negative" for t in ("HBsAg", "anti-HBc", "anti-HCV", "HIV", "HEV", "syphilis",
                                             "HTLV", "toxoplasma-IgM", "EBV-IgM", "CMV-IgM")},
        "pregnancy_result": "negative", "pregnancy_date": as_of.isoformat(),
        "answers": {f"E{i}": "no" for i in range(1, 23)},
    }


@pytest.fixture()
def screening_data() -> Callable[..., dict[str, Any]]:
    return eligible_data


@pytest.fixture()
def eligible_donor(study: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: a registered donor with signed consent and a complete, eligible screening.
    ``sign=True`` also signs the decision (by ``investigator``)."""
    from stromalab.web.donors import actions as donor_actions
    from stromalab.web.screening import actions

    coordinator = make_user("coordinator")
    investigator = make_user("investigator")

    def make(sign: bool = False, investigator_user: Any = None) -> Any:
        inv = investigator_user or investigator
        donor = donor_actions.register_donor(
            study=study, identity={"last_name": "Martin", "first_name": "Claire"}, acting_user=coordinator)
        donor_actions.record_consent(donor=donor, sheet=study.information_sheets.get(), status="signed",
                                     date=dt.date.today(), acting_user=inv)
        actions.save_screening(donor=donor, data=eligible_data(), acting_user=coordinator)
        if sign:
            actions.sign_decision(donor=donor, password=PASSWORD, acting_user=inv)
        donor.refresh_from_db()
        return donor

    make.investigator = investigator  # type: ignore[attr-defined]
    make.coordinator = coordinator  # type: ignore[attr-defined]
    return make
