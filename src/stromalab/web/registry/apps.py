from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "stromalab.web.registry"
    label = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from stromalab.web import nav
        from stromalab.web.accounts import roles

        nav.register("registry:studies", _("Studies"), roles=roles.ALL, order=95)
