from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonorsConfig(AppConfig):
    name = "stromalab.web.donors"
    label = "donors"
    verbose_name = "Donors"

    def ready(self) -> None:
        from stromalab.web import nav
        from stromalab.web.accounts import roles

        nav.register("donors:list", _("Donors"), roles=roles.CLINICAL_READERS, order=20)
