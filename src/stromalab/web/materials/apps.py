from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "stromalab.web.materials"
    label = "materials"
    verbose_name = "Materials, instruments and CAPA"

    def ready(self) -> None:
        from stromalab.web import nav

        from .permissions import READERS

        nav.register("materials:lots", _("Materials"), roles=READERS, order=45)
        nav.register("materials:instruments", _("Instruments"), roles=READERS, order=46)
        nav.register("materials:capas", _("CAPA"), roles=READERS, order=52)
