"""Settings kept in the database: how long the app may sit idle before it locks, and the
council's name for the board reports."""

from __future__ import annotations

from auditapp.errors import UserError
from auditapp.models import Setting
from auditapp.rules.limits import TITLE_CHARS, require_length
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.storage.engine import Database

IDLE_LOCK_SETTING = "idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 10
MIN_IDLE_LOCK_MINUTES, MAX_IDLE_LOCK_MINUTES = 1, 240


def idle_lock_minutes(db: Database) -> int:
    """Minutes without keyboard or mouse input after which the app locks (default 10)."""
    with db.transaction() as session:
        setting = session.get(Setting, IDLE_LOCK_SETTING)
        value = setting.value if setting is not None else None
    if isinstance(value, int) and MIN_IDLE_LOCK_MINUTES <= value <= MAX_IDLE_LOCK_MINUTES:
        return value
    return DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(db: Database, minutes: int, actor: Actor) -> int:
    """Change the idle time before the app locks. Practice leads only."""
    require(actor, Permission.CHANGE_SETTINGS)
    if not MIN_IDLE_LOCK_MINUTES <= minutes <= MAX_IDLE_LOCK_MINUTES:
        raise UserError(f"The idle lock must be between {MIN_IDLE_LOCK_MINUTES} and "
                        f"{MAX_IDLE_LOCK_MINUTES} minutes, not {minutes}.")
    with db.transaction() as session:
        session.merge(Setting(key=IDLE_LOCK_SETTING, value=minutes))
    return minutes


COUNCIL_SETTING = "council_name"


def council_name(db: Database) -> str:
    """The council's name, printed on the board pack's cover and the Word edition's front
    sheet ("" until a practice lead sets it)."""
    with db.transaction() as session:
        setting = session.get(Setting, COUNCIL_SETTING)
        value = setting.value if setting is not None else None
    return value if isinstance(value, str) else ""


def set_council_name(db: Database, name: str, actor: Actor) -> str:
    """Set the council's name (one line, at most :data:`TITLE_CHARS`; empty clears it).
    Practice leads only."""
    require(actor, Permission.CHANGE_SETTINGS)
    name = " ".join(name.split())
    require_length("The council's name", name, TITLE_CHARS)
    if any(not character.isprintable() for character in name):
        raise UserError("The council's name may not hold control characters.")
    with db.transaction() as session:
        session.merge(Setting(key=COUNCIL_SETTING, value=name))
    return name
