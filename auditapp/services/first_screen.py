"""The desktop app's first screen: the remembered profile and the first screenful of its
My work, read through any connection that runs SQL text (the read-only first look at the
file, :mod:`auditapp.storage.first_read`, before SQLAlchemy has loaded).

Like :mod:`auditapp.services.my_work`, which it reads through, this module imports no
SQLAlchemy and no mapped class: it is on the way to the first paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from auditapp.models.enums import Role
from auditapp.rules.permissions import Actor
from auditapp.services.my_work import MyWork, Run, read_my_work

#: The profile is remembered by its exact name, as :func:`auditapp.services.users.list_users`
#: lists it.
PROFILE_BY_NAME = "SELECT id, name, role FROM users WHERE name = :name"


@dataclass(frozen=True)
class FirstScreen:
    """Who is signed in, and what My work shows them first."""

    actor: Actor
    work: MyWork


def first_screen(run: Run, profile_name: str, today: date | None = None) -> FirstScreen | None:
    """The profile called ``profile_name`` and its My work, or None when there is no such
    profile (the app then asks who is using it)."""
    found = run(PROFILE_BY_NAME, {"name": profile_name})
    if not found:
        return None
    profile_id, name, role = found[0]
    actor = Actor(str(name), Role(role), int(profile_id))
    return FirstScreen(actor, read_my_work(run, actor, today))
