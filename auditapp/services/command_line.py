"""The command line's own profile, ``<login> (command line)``: the practice lead that the
history names for changes made from the command line.

Found by SQL text on a plain connection, so that a command that only reads (``stats``,
``templates list``) loads no ORM; made through :mod:`auditapp.services.users` the first
time (:func:`auditapp.services.users.command_line_profile`).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from auditapp.models.enums import Role
from auditapp.rules.limits import NAME_CHARS
from auditapp.rules.names import checked_profile_name, name_key
from auditapp.rules.permissions import Actor

#: What the command line's profile is called: the operating system login, then this.
COMMAND_LINE = " (command line)"
_PROFILE_BY_KEY = text("SELECT id, name, role FROM users WHERE name_key = :key")


def command_line_name(login: str) -> str:
    """The command line's profile name for ``login``."""
    return checked_profile_name(login[:NAME_CHARS - len(COMMAND_LINE)] + COMMAND_LINE)


def find_command_line_profile(connection: Connection, login: str) -> Actor | None:
    """The command line's profile for ``login`` if it exists and is a practice lead (else it
    is to be made, or made a lead again)."""
    found = connection.execute(_PROFILE_BY_KEY,
                               {"key": name_key(command_line_name(login))}).first()
    if found is None or found.role != Role.PRACTICE_LEAD.value:
        return None
    return Actor(found.name, Role.PRACTICE_LEAD, found.id)
