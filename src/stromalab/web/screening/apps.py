from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "stromalab.web.screening"
    label = "screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from stromalab.web import nav
        from stromalab.web.accounts import roles

        nav.register("screening:queries", _("Data queries"), roles=roles.CLINICAL_READERS, order=30)
