from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "stromalab.web.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from stromalab.web import nav
        from stromalab.web.accounts import roles

        nav.register("dashboard:home", _("Dashboard"), roles=roles.ALL, order=10)

        from django.core.signals import request_finished

        from stromalab.web.audit.signals import events_committed

        from . import precount

        events_committed.connect(precount.note_change, dispatch_uid="dashboard-precount-note")
        request_finished.connect(precount.count_after_response, dispatch_uid="dashboard-precount-count")
