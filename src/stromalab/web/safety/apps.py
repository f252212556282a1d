from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "stromalab.web.safety"
    label = "safety"
    verbose_name = "Donor safety"

    def ready(self) -> None:
        from stromalab.web import nav

        from .permissions import READERS

        nav.register("safety:donations", _("Donor safety"), roles=READERS, order=35)
