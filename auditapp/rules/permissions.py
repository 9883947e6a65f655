"""Who may do what: the roles of local profiles, enforced by the services themselves.

The UI may hide what a role cannot do (:func:`permissions_of`), but hiding is only a
courtesy: every service that changes data calls :func:`require`, which raises
:class:`~auditapp.errors.PermissionDeniedError`.

| permission        | auditor | peer reviewer | moderator | practice lead |
|-------------------|---------|---------------|-----------|---------------|
| start audits      | own     | own           |           | anyone's      |
| edit drafts       | own     | own           |           | anyone's      |
| submit            | own     | own           |           | anyone's      |
| moderate          |         |               | others'   | others'       |
| close, reopen     |         |               |           | yes           |
| import templates  |         | yes           |           | yes           |
| import cases      |         |               |           | yes           |
| manage profiles   |         |               |           | yes           |
| change settings   |         |               |           | yes           |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from auditapp.errors import PermissionDeniedError
from auditapp.models.enums import Role


@dataclass(frozen=True)
class Actor:
    """Who is doing something: recorded in the history and checked against their role."""

    name: str
    role: Role


class Permission(StrEnum):
    """Something a role may be allowed to do."""

    START_AUDIT = "start audits"
    EDIT_DRAFT = "edit draft audits"
    SUBMIT = "submit audits"
    MODERATE = "moderate audits"
    CLOSE = "close audits"
    REOPEN = "reopen closed audits"
    IMPORT_TEMPLATES = "import checklist templates"
    IMPORT_CASES = "import case samples"
    MANAGE_USERS = "manage profiles"
    CHANGE_SETTINGS = "change settings"
    TRACK_ACTIONS = "mark actions done or cancelled"


_AUDITING = frozenset({Role.AUDITOR, Role.PEER_REVIEWER, Role.PRACTICE_LEAD})
_LEAD = frozenset({Role.PRACTICE_LEAD})
ROLES: dict[Permission, frozenset[Role]] = {
    Permission.START_AUDIT: _AUDITING,
    Permission.EDIT_DRAFT: _AUDITING,
    Permission.SUBMIT: _AUDITING,
    Permission.MODERATE: frozenset({Role.MODERATOR, Role.PRACTICE_LEAD}),
    Permission.CLOSE: _LEAD,
    Permission.REOPEN: _LEAD,
    Permission.IMPORT_TEMPLATES: frozenset({Role.PEER_REVIEWER, Role.PRACTICE_LEAD}),
    Permission.IMPORT_CASES: _LEAD,
    Permission.MANAGE_USERS: _LEAD,
    Permission.CHANGE_SETTINGS: _LEAD,
    Permission.TRACK_ACTIONS: frozenset({Role.AUDITOR, Role.MODERATOR, Role.PRACTICE_LEAD}),
}
#: Permissions limited to the actor's own audits, except for a practice lead.
OWN_ONLY = frozenset({Permission.START_AUDIT, Permission.EDIT_DRAFT, Permission.SUBMIT})
#: Permissions never used on the actor's own audits (a second pair of eyes).
OTHERS_ONLY = frozenset({Permission.MODERATE})


def permissions_of(role: Role) -> frozenset[Permission]:
    """Everything a role may do (on its own audits, where that matters)."""
    return frozenset(p for p, roles in ROLES.items() if role in roles)


def _refusal(actor: Actor, permission: Permission, owner: str | None) -> str | None:
    if actor.role not in ROLES[permission]:
        allowed = " or ".join(sorted(r.value for r in ROLES[permission]))
        return (f"{actor.name} ({actor.role.value}) may not {permission.value}: "
                f"only a {allowed} may.")
    if permission in OWN_ONLY and owner is not None and owner != actor.name \
            and actor.role != Role.PRACTICE_LEAD:
        return (f"{actor.name} ({actor.role.value}) may {permission.value} only for their own "
                f"audits; this one is {owner}'s.")
    if permission in OTHERS_ONLY and owner == actor.name:
        return f"{actor.name} may not moderate their own audit: it needs a second reader."
    return None


def allowed(actor: Actor, permission: Permission, owner: str | None = None) -> bool:
    """Whether ``actor`` may do ``permission`` to an audit belonging to ``owner``."""
    return _refusal(actor, permission, owner) is None


def require(actor: Actor, permission: Permission, owner: str | None = None) -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor`` may do ``permission``."""
    refusal = _refusal(actor, permission, owner)
    if refusal is not None:
        raise PermissionDeniedError(refusal)
