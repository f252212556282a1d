from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "stromalab.web.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from stromalab.web import nav
        from stromalab.web.accounts import roles
        from stromalab.web.stored_text import refuse_unstorable_text

        # every model, every engine: the same texts stored or refused (web/stored_text.py)
        pre_save.connect(refuse_unstorable_text, dispatch_uid="stromalab-stored-text")

        nav.register("audit:events", _("Audit trail"), roles=roles.AUDIT_READERS, order=80)
