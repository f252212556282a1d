from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "stromalab.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from stromalab.web import nav
        from stromalab.web.accounts import roles

        nav.register("accounts:users", _("Users"), roles=(roles.ADMINISTRATOR,), order=90)
