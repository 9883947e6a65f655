"""Who may do what: the roles of local profiles, enforced by the services themselves.

The UI may hide what a role cannot do (:func:`permissions_of`), but hiding is only a
courtesy: every service that changes data calls :func:`require`, which raises
:class:`~auditapp.errors.PermissionDeniedError`. ``tests/services/test_every_writer.py``
calls every public service that writes as each role without the permission and expects
a refusal.

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
| track actions     | yes     |               | yes       | yes           |
| export bundles    | own     | own           | own       | anyone's      |
| import bundles    |         | yes           |           | yes           |
| load demo data    |         |               |           | yes           |
| board reports     |         |               |           | yes           |
| plan audits       |         |               |           | yes           |

People are told apart by their profile's id, never by their name: "own" compares ids.
A moderator's "own" bundle is of the audits they moderated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from auditapp.errors import PermissionDeniedError
from auditapp.models.enums import AuditStatus, Role


@dataclass(frozen=True)
class Actor:
    """Who is doing something: a local profile, recorded in the history by its id and checked
    against its role."""

    name: str
    role: Role
    id: int


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
    EXPORT_BUNDLES = "export audits to a bundle"
    IMPORT_BUNDLES = "import bundles"
    LOAD_DEMO = "load demo data"
    RELEASE_REPORTS = "release board packs for publication"
    PREPARE_REPORTS = "prepare board reports"
    PLAN_AUDITS = "change the audit programme"


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
    Permission.EXPORT_BUNDLES: frozenset(Role),
    Permission.IMPORT_BUNDLES: frozenset({Role.PEER_REVIEWER, Role.PRACTICE_LEAD}),
    Permission.LOAD_DEMO: _LEAD,
    Permission.RELEASE_REPORTS: _LEAD,
    Permission.PREPARE_REPORTS: _LEAD,
    Permission.PLAN_AUDITS: _LEAD,
}
#: Permissions limited to the actor's own audits, except for a practice lead.
OWN_ONLY = frozenset({Permission.START_AUDIT, Permission.EDIT_DRAFT, Permission.SUBMIT,
                      Permission.EXPORT_BUNDLES})
#: Permissions never used on the actor's own audits (a second pair of eyes).
OTHERS_ONLY = frozenset({Permission.MODERATE})


def permissions_of(role: Role) -> frozenset[Permission]:
    """Everything a role may do (on its own audits, where that matters)."""
    return frozenset(p for p, roles in ROLES.items() if role in roles)


def refusal(actor: Actor, permission: Permission, owner_id: int | None = None,
            owner_name: str = "") -> str | None:
    """Why ``actor`` may not do ``permission`` (to an audit of the profile ``owner_id``,
    named ``owner_name``), or None if they may. Whose audit it is goes by profile id."""
    if actor.role not in ROLES[permission]:
        allowed_roles = " or ".join(sorted(r.value for r in ROLES[permission]))
        return (f"{actor.name} ({actor.role.value}) may not {permission.value}: "
                f"only a {allowed_roles} may.")
    whose = f"{owner_name}'s" if owner_name else "someone else's"
    if permission in OWN_ONLY and owner_id is not None and owner_id != actor.id \
            and actor.role != Role.PRACTICE_LEAD:
        return (f"{actor.name} ({actor.role.value}) may {permission.value} only for their own "
                f"audits; this one is {whose}.")
    if permission in OTHERS_ONLY and owner_id == actor.id:
        return f"{actor.name} may not moderate their own audit: it needs a second reader."
    return None


def allowed(actor: Actor, permission: Permission, owner_id: int | None = None) -> bool:
    """Whether ``actor`` may do ``permission`` to an audit of the profile ``owner_id``."""
    return refusal(actor, permission, owner_id) is None


def require(actor: Actor, permission: Permission, owner_id: int | None = None,
            owner_name: str = "") -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor`` may do ``permission``."""
    reason = refusal(actor, permission, owner_id, owner_name)
    if reason is not None:
        raise PermissionDeniedError(reason)


def grades_withheld(reader: Actor, status: str, auditor_id: int, blind_recorded: bool
                    ) -> bool:
    """Whether an audit's grades, grade comments and rationale are withheld from ``reader``.

    Moderation is blind: a moderator grades a submitted audit from its answers and evidence
    alone, so until blind grades are recorded for it (by them or another moderator) every
    read path withholds the auditor's judgements from a moderator, whatever window or export
    they use. A practice lead, who answers for every figure, is not kept blind; nor is the
    auditor from their own audit. ``services.visibility`` holds this rule's SQL twin.
    """
    return (reader.role == Role.MODERATOR and status == AuditStatus.SUBMITTED
            and not blind_recorded and auditor_id != reader.id)
