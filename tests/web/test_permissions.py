"""The permission matrix: every URL of the URLconf and every API operation, against every role.

The URL list is derived from the URLconf and the API routers, so a new view or operation is
checked automatically; one without ``require_role``/``public`` (views) or ``api_role``
(operations) fails ``test_every_view_declares_its_roles``. Each new path converter name needs
a sample value in ``SAMPLES``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from stromalab.web.accounts import roles
from stromalab.web.api import api
from tests.web.quality.conftest import make_batch  # noqa: F401  (a fixture, used by name)

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("api/"):
                continue  # API operations are checked below, operation by operation
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


VIEWS = sorted(set(walk(get_resolver().url_patterns)), key=lambda x: x[0])


def api_operations() -> Iterator[tuple[str, str, Any]]:
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    yield method, "/api" + (prefix.rstrip("/") + path).replace("//", "/"), op.view_func


OPERATIONS = sorted(api_operations(), key=lambda x: (x[1], x[0]))


@pytest.fixture()
def world(eligible_donor: Any, make_user: Any, make_batch: Any) -> dict[str, str]:  # noqa: F811
    from stromalab.web.screening import actions
    from stromalab.web.screening import models as m

    donor = eligible_donor()
    entry = actions.add_coded_entry(donor=donor, kind="condition", code="ICD10:J45.9", start="2004-06-01",
                                    acting_user=eligible_donor.coordinator)
    query = actions.open_query(donor=donor, criterion_id="E5", text="check BP",
                               acting_user=make_user("data_manager"))
    # the audit trail of a subject: a batch, which every role that reads a trail may read
    batch = make_batch()
    return {"pseudonym": donor.pseudonym, "subject": batch.code, "user_id": str(donor.created_by_id),
            "query_id": str(query.pk), "kind": "condition", "entry_id": str(entry.pk), "step": "answer",
            "_screening": str(m.Screening.objects.get(donor=donor).pk),
            "nct_id": "NCT05947682",  # registry: the public study page
            "key": "donors_to_screen",  # dashboard: a work queue (404 for the roles it is not theirs)
            "din": "G123499000001", "event_id": "1",  # safety (repeat tests, adverse events): 404 here
            "run_id": "1", "person_id": "2",  # warehouse: no run here (404); tests/web/warehouse has real ones
            "code": "G123499000001", "container_id": "1", "box_id": "1", "step_id": "1", "deviation_id": "1",  # manufacturing: 404 here; tests/web/manufacturing walks a real batch
            "qc_batch": "G123499000001", "qc_result_id": "1", "oos_id": "1", "fcs_panel_id": "1", "histogram_index": "0",  # quality: 404 here; tests/web/quality walks a real batch
            "shipment_id": "1",  # shipping: 404 here; tests/web/shipping walks a real shipment
            "lot_id": "1", "instrument_id": "1", "capa_id": "1"}  # materials: 404 here; tests/web/materials has real ones


def concrete(route: str, world: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in world, f"add a sample value for path parameter {name!r} in test_permissions.world"
        return world[name]

    path = re.sub(r"<(?:\w+:)?(\w+)>", sub, route)  # Django converters
    path = re.sub(r"\{(?:\w+:)?(\w+)\}", sub, path)  # ninja path parameters
    return path if path.startswith("/") else "/" + path


def test_every_view_declares_its_roles() -> None:
    missing = [route for route, view in VIEWS if not hasattr(view, "allowed_roles")]
    assert not missing, f"views without require_role/public: {missing}"
    assert len(VIEWS) >= 15


def test_every_api_operation_declares_its_roles() -> None:
    missing = [(m, p) for m, p, f in OPERATIONS if not getattr(f, "allowed_roles", None)]
    assert not missing, f"API operations without api_role: {missing}"
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize("role", [*roles.ALL, ANONYMOUS])
def test_view_matrix(role: str, world: dict[str, str], client_as: Any) -> None:
    client = Client() if role == ANONYMOUS else client_as(role)
    problems = []
    for route, view in VIEWS:
        url = concrete(route, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            code = response.status_code
            if getattr(view, "public", False):
                ok = code != 403 and code < 500
            elif role == ANONYMOUS:
                ok = code == 302 and "/accounts/login/" in response["Location"]
            else:
                allowed = view.allowed_roles if method == "get" else view.write_roles
                ok = (code != 403 and code < 500) if role in allowed else code == 403
            if not ok:
                problems.append(f"{method.upper()} {url} -> {code}")
            if role != ANONYMOUS and url.endswith("/logout/") and method == "post":
                client.force_login(client.user)
    assert not problems, f"{role}: {problems}"


@pytest.mark.parametrize("role", [*roles.ALL, ANONYMOUS])
def test_api_matrix(role: str, world: dict[str, str], client_as: Any) -> None:
    client = Client() if role == ANONYMOUS else client_as(role)
    problems = [problem for method, route, func in OPERATIONS
                if (problem := api_problem(client, role, method, concrete(route, world), func))]
    assert not problems, f"{role}: {problems}"


def api_problem(client: Client, role: str, method: str, url: str, func: Any) -> str | None:
    """What is wrong with an empty call of an operation by ``role`` (None when nothing is):
    anonymous must get 401, a role the operation allows neither 401/403 nor a server error,
    any other role 403."""
    response = client.generic(method, url, data="{}", content_type="application/json")
    code = response.status_code
    if role == ANONYMOUS:
        ok = code == 401
    elif role in func.allowed_roles:
        ok = code not in (401, 403) and code < 500
    else:
        ok = code == 403
    return None if ok else f"{method} {url} -> {code} {response.content[:200]!r}"


def test_identity_is_never_shown_to_other_roles(world: dict[str, str], client_as: Any) -> None:
    for role in roles.ALL:
        body = client_as(role).get(f"/donors/{world['pseudonym']}/").content.decode()
        assert "Martin" not in body  # the donor page never carries the identity
