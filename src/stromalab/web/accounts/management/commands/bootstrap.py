"""``stromalab manage bootstrap``: everything a fresh machine needs before ``runserver``.

Compile the message catalogues (:mod:`stromalab.web.catalogues`), migrate, load the protocol, and on an empty user
table create the administrator and print its one-time password (to be changed at first login).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "migrate, load the protocol, create the first administrator"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument("--protocol", default=settings.STROMALAB_PROTOCOL)

    def handle(self, *args: Any, **options: Any) -> None:
        from stromalab.web.catalogues import WEB_DIR, compile_all

        for mo in compile_all():
            self.stdout.write(f"compiled {mo.relative_to(WEB_DIR)}")
        call_command("migrate", interactive=False, verbosity=0)
        from stromalab.web.accounts import actions, roles
        from stromalab.web.accounts.models import User
        from stromalab.web.bootstrap import load_study

        study = load_study(options["protocol"])
        self.stdout.write(f"study {study.id}: enrollment target {study.enrollment_target}")
        if not User.objects.exists():
            user, password = actions.create_user(username=options["admin_username"],
                                                 role=roles.ADMINISTRATOR, acting_user=None)
            self.stdout.write(self.style.WARNING(
                "\nFirst administrator created.\n"
                f"  username: {user.username}\n"
                f"  one-time password: {password}\n"
                "You will be asked to choose a new password at first login.\n"))
