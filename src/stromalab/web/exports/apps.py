from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "stromalab.web.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        from stromalab.web import nav

        from .access import EXPORTERS

        nav.register("exports:index", _("Exports"), roles=EXPORTERS, order=85)
