"""Local user profiles, and the actor on whose behalf a use case runs.

A profile is one person: audits, moderations, actions and the history point at its id.
Names are unique ignoring case and spacing (:func:`auditapp.rules.names.name_key`), so
``priya shah`` cannot be added beside ``Priya Shah``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp.errors import PermissionDeniedError
from auditapp.models import Role, User
from auditapp.rules.names import checked_profile_name, name_key
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.command_line import command_line_name, find_command_line_profile
from auditapp.storage.engine import Database


def as_actor(user: User) -> Actor:
    """A profile as the actor of a use case."""
    return Actor(user.name, user.role, user.id)


def list_users(db: Database) -> list[Actor]:
    """Every local profile, by name."""
    with db.transaction() as session:
        return [as_actor(u) for u in session.scalars(select(User).order_by(User.name))]


def find_profile(session: Session, name: str) -> User | None:
    """The profile with this name, ignoring case and spacing."""
    return session.scalar(select(User).where(User.name_key == name_key(name)))


def add_profile(session: Session, name: str, role: Role, uid: str | None = None) -> User:
    """A new profile in an open transaction (the caller has checked who may add it)."""
    name = checked_profile_name(name)
    user = User(name=name, name_key=name_key(name), role=role)
    if uid is not None:
        user.uid = uid
    session.add(user)
    session.flush()
    return user


def save_user(db: Database, name: str, role: Role, actor: Actor | None) -> Actor:
    """Create a profile, or change the role of the one with this name (ignoring case and
    spacing: a name that differs only in those is the same person).

    Only a practice lead may, except for the very first profile on a new database, which
    anyone may create (``actor`` None): that is how a laptop gets its first lead.
    """
    name = checked_profile_name(name)
    with db.transaction() as session:
        if session.scalar(select(User.id).limit(1)) is not None:
            if actor is None:
                raise PermissionDeniedError("Only a practice lead may add or change profiles.")
            require(actor, Permission.MANAGE_USERS)
        user = find_profile(session, name)
        if user is None:
            user = add_profile(session, name, role)
        else:
            user.role = role
        session.flush()
        return as_actor(user)


def command_line_profile(db: Database, login: str) -> Actor:
    """The profile the command line acts as: ``<login> (command line)``, a practice lead
    (made on first use; the command line has always acted as a lead, and anyone who can run
    it on the database file can open the file anyway)."""
    name = command_line_name(login)
    with db.transaction() as session:
        found = find_command_line_profile(session.connection(), login)
        if found is not None:
            return found
        user = find_profile(session, name) or add_profile(session, name, Role.PRACTICE_LEAD)
        user.role = Role.PRACTICE_LEAD
        session.flush()
        return as_actor(user)
