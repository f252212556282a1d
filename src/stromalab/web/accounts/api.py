"""Accounts through the API: who am I, and (administrator) account management."""


from dataclasses import dataclass
from typing import Any

from ninja import Field, Router, Schema, Status

from . import actions, roles
from .models import User
from .permissions import api_op

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    role: str
    printed_name: str


class UserOut(Schema):
    id: int
    username: str
    role: str
    is_active: bool
    locked: bool

    @staticmethod
    def resolve_locked(user: User) -> bool:
        return user.is_locked


class UserIn(Schema):
    username: str
    role: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class _Created:
    """A new account and its one-time password, shown this once and never stored in clear."""

    user: User
    one_time_password: str


class UserCreatedOut(Schema):
    id: int = Field(alias="user.pk")
    username: str = Field(alias="user.username")
    one_time_password: str


@api_op(router, "GET", "/me", roles.ALL, response=MeOut)
def me(request: Any) -> Any:
    return request.auth


@api_op(router, "GET", "/users", roles.ADMINISTRATOR, response=list[UserOut])
def list_users(request: Any) -> Any:
    return list(User.objects.order_by("username"))


@api_op(router, "POST", "/users", roles.ADMINISTRATOR, response={201: UserCreatedOut})
def create_user(request: Any, payload: UserIn) -> Any:
    user, password = actions.create_user(acting_user=request.auth, **payload.dict())
    return Status(201, _Created(user, password))
