"""Local user profiles, and the actor on whose behalf a use case runs."""

from __future__ import annotations

from sqlalchemy import select

from auditapp.errors import PermissionDeniedError, UserError
from auditapp.models import Role, User
from auditapp.rules.limits import NAME_CHARS, require_length
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.storage.engine import Database


def list_users(db: Database) -> list[Actor]:
    """Every local profile, by name."""
    with db.transaction() as session:
        return [Actor(u.name, u.role) for u in session.scalars(select(User).order_by(User.name))]


def save_user(db: Database, name: str, role: Role, actor: Actor | None) -> Actor:
    """Create a profile, or change the role of the one with this name.

    Only a practice lead may, except for the very first profile on a new database, which
    anyone may create (``actor`` None): that is how a laptop gets its first lead.
    """
    name = " ".join(name.split())
    if not name:
        raise UserError("A profile needs a name.")
    require_length("A profile name", name, NAME_CHARS)
    with db.transaction() as session:
        if session.scalar(select(User.id).limit(1)) is not None:
            if actor is None:
                raise PermissionDeniedError("Only a practice lead may add or change profiles.")
            require(actor, Permission.MANAGE_USERS)
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            session.add(User(name=name, role=role))
        else:
            user.role = role
    return Actor(name, role)
