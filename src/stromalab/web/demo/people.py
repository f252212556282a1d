"""The demo study's staff: one account per role, each with a documented demo password.

Accounts are made the way a site makes them: the administrator creates each one with a
one-time password (``create_user``, audited) and the person then chooses their own at first
login (``change_password``, audited), so nobody is asked to change it when trying the demo.
The demo passwords are public (README, printed by ``stromalab demo``): a database filled by
the demo is for trying the product, never for study data.
"""

from __future__ import annotations

from dataclasses import dataclass

from stromalab.web.accounts import actions, roles
from stromalab.web.accounts.models import User

#: the demo password of an account: this prefix and the username
PASSWORD_PREFIX = "stromalab-demo-"


@dataclass(frozen=True)
class Person:
    """Who holds a role in the demo study (fictitious people)."""

    username: str
    role: str
    first_name: str
    last_name: str

    @property
    def password(self) -> str:
        return PASSWORD_PREFIX + self.username


#: the administrator first: it creates the others
PEOPLE = (
    Person("administrator", roles.ADMINISTRATOR, "Alain", "Leroy"),
    Person("investigator", roles.INVESTIGATOR, "Hélène", "Moreau"),
    Person("coordinator", roles.COORDINATOR, "Lucie", "Bernard"),
    Person("operator", roles.OPERATOR, "Olivier", "Garnier"),
    Person("qc-analyst", roles.QC_ANALYST, "Amina", "Diallo"),
    Person("qualified-person", roles.QUALIFIED_PERSON, "Paul", "Lefèvre"),
    Person("data-manager", roles.DATA_MANAGER, "Sophie", "Marchand"),
    Person("monitor", roles.MONITOR, "Marc", "Fontaine"),
    Person("warehouse-analyst", roles.WAREHOUSE_ANALYST, "Nadia", "Benali"),
)
USERNAMES = tuple(person.username for person in PEOPLE)


@dataclass(frozen=True)
class Staff:
    """The demo accounts by role, and the password each signs with."""

    users: dict[str, User]

    def __getitem__(self, role: str) -> User:
        return self.users[role]

    def password(self, user: User) -> str:
        return PASSWORD_PREFIX + user.username


def create_staff() -> Staff:
    """Create every demo account (the administrator by no one, as ``stromalab createuser``
    does) and let each person set their demo password."""
    users: dict[str, User] = {}
    administrator: User | None = None
    for person in PEOPLE:
        user, one_time = actions.create_user(
            username=person.username, role=person.role, first_name=person.first_name,
            last_name=person.last_name, acting_user=administrator)
        actions.change_password(user=user, old_password=one_time, new_password=person.password, acting_user=user)
        administrator = administrator or user
        users[person.role] = user
    return Staff(users)
