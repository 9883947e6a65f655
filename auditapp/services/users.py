"""Local user profiles, and the actor on whose behalf a use case runs.

A profile is one person: audits, moderations, actions and the history point at its id.
Names are unique ignoring case and spacing (:func:`auditapp.rules.names.name_key`), so
``priya shah`` cannot be added beside ``Priya Shah``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp.errors import PermissionDeniedError, UserError
from auditapp.models import Role, User
from auditapp.rules.limits import NAME_CHARS, require_length
from auditapp.rules.names import clean_name, name_key
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.storage.engine import Database

#: What the command line's profile is called: the operating system login, then this.
COMMAND_LINE = " (command line)"


def as_actor(user: User) -> Actor:
    """A profile as the actor of a use case."""
    return Actor(user.name, user.role, user.id)


def list_users(db: Database) -> list[Actor]:
    """Every local profile, by name."""
    with db.transaction() as session:
        return [as_actor(u) for u in session.scalars(select(User).order_by(User.name))]


def checked_name(name: str) -> str:
    """A profile name, tidied (:func:`~auditapp.rules.names.clean_name`) and checked."""
    name = clean_name(name)
    if not name:
        raise UserError("A profile needs a name.")
    return require_length("A profile name", name, NAME_CHARS)


def find_profile(session: Session, name: str) -> User | None:
    """The profile with this name, ignoring case and spacing."""
    return session.scalar(select(User).where(User.name_key == name_key(name)))


def add_profile(session: Session, name: str, role: Role, uid: str | None = None) -> User:
    """A new profile in an open transaction (the caller has checked who may add it)."""
    name = checked_name(name)
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
    name = checked_name(name)
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
    name = checked_name(login[:NAME_CHARS - len(COMMAND_LINE)] + COMMAND_LINE)
    users = User.__table__
    with db.transaction() as session:
        # Every command comes here: the profile, once made, is read on the table (SQL Core),
        # as an ORM read would configure every mapper first (a tenth of a second here).
        found = session.execute(select(users.c.id, users.c.name, users.c.role)
                                .where(users.c.name_key == name_key(name))).first()
        if found is not None and found.role is Role.PRACTICE_LEAD:
            return Actor(found.name, found.role, found.id)
        user = find_profile(session, name) or add_profile(session, name, Role.PRACTICE_LEAD)
        user.role = Role.PRACTICE_LEAD
        session.flush()
        return as_actor(user)
