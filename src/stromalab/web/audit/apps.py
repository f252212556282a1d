from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "stromalab.web.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from stromalab.web import nav
        from stromalab.web.accounts import roles

        nav.register("audit:events", _("Audit trail"), roles=roles.AUDIT_READERS, order=80)
