"""The URLconf. Each app's URLs live in ``<app>/urls.py`` with ``app_name`` set; later apps
append one line to ``APP_URLS``. Every view must be decorated with
:func:`stromalab.web.accounts.permissions.require_role` (or ``public``): the permission-matrix
test walks this URLconf."""

from __future__ import annotations

from django.urls import include, path
from django.views.i18n import set_language

from .accounts.permissions import public
from .api import api
from .health import healthz

APP_URLS = [
    ("accounts/", "stromalab.web.accounts.urls"),
    ("audit/", "stromalab.web.audit.urls"),
    ("donors/", "stromalab.web.donors.urls"),
    ("screening/", "stromalab.web.screening.urls"),
    ("warehouse/", "stromalab.web.warehouse.urls"),
    ("manufacturing/", "stromalab.web.manufacturing.urls"),
    ("quality/", "stromalab.web.quality.urls"),
    ("materials/", "stromalab.web.materials.urls"),
    ("shipping/", "stromalab.web.shipping.urls"),
    ("safety/", "stromalab.web.safety.urls"),
    ("studies/", "stromalab.web.registry.urls"),
    ("exports/", "stromalab.web.exports.urls"),
    ("", "stromalab.web.dashboard.urls"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("api/", api.urls),
    *[path(prefix, include(module)) for prefix, module in APP_URLS],
]
