"""Local user profiles, and the actor on whose behalf a use case runs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from auditapp.errors import UserError
from auditapp.models import Database, Role, User


@dataclass(frozen=True)
class Actor:
    """Who is doing something: recorded in the history and checked against their role."""

    name: str
    role: Role


def list_users(db: Database) -> list[Actor]:
    """Every local profile, by name."""
    with db.transaction() as session:
        return [Actor(u.name, u.role) for u in session.scalars(select(User).order_by(User.name))]


def save_user(db: Database, name: str, role: Role) -> Actor:
    """Create a profile, or change the role of the one with this name."""
    name = " ".join(name.split())
    if not name:
        raise UserError("A profile needs a name.")
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            session.add(User(name=name, role=role))
        else:
            user.role = role
    return Actor(name, role)
