"""What an import changed in one audit, recorded in its history field by field.

An import writes an audit as a snapshot says (:mod:`auditapp.services.sync.snapshots`); here
the snapshot before and after are compared group by group (:func:`merge.to_groups`) and each
field that changed becomes a history entry, as the editor and the services write them
(answers by question key, section grades by section key, actions by their number here,
grades in words), each pointing at the import that made it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp.models import Action, Audit
from auditapp.rules.grades import grade_label
from auditapp.rules.permissions import Actor
from auditapp.services.history import record_change
from auditapp.services.sync import merge
from auditapp.services.sync.snapshots import Snapshot

_GRADES = {"overall_grade", "grade", "blind_grade"}


def _text(field: str, value: Any) -> str | None:
    if value is merge.MISSING or value is None or value == "":
        return None
    if field in _GRADES or field.endswith("grade"):
        try:
            return grade_label(int(value), "")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _where(group: str, field: str, actions: dict[str, int]) -> tuple[str, str, str]:
    """The entity, key and field a group's field is recorded under."""
    kind, _, key = group.partition(" ")
    if kind == "answer":
        return "answer", key.rpartition("/")[2], field
    if kind == "action":
        return "action", str(actions.get(key, key)), field
    if kind == "moderation" and field.startswith("section "):
        _, section, part = field.split(" ", 2)
        return "moderation", section, part.replace("_", " ")
    if kind == "moderation":
        return "moderation", "", field.replace("_", " ")
    return kind, key, field


def record_import_changes(session: Session, audit: Audit, before: Snapshot | None,
                          after: Snapshot, actor: Actor, import_id: int) -> int:
    """Record in the audit's history every field the import changed (before None: the
    audit is new here); returns how many entries were written."""
    old = merge.to_groups(before) if before is not None else {}
    new = merge.to_groups(after)
    actions: dict[str, int] = {uid: number for uid, number in session.execute(
        select(Action.uid, Action.id).where(Action.audit_id == audit.id))}
    written = 0
    for group in sorted(set(old) | set(new)):
        was, now = old.get(group, {}), new.get(group, {})
        if was == now:
            continue
        for field in sorted(set(was) | set(now)):
            first, last = _text(field, was.get(field)), _text(field, now.get(field))
            if first == last:
                continue
            entity, key, name = _where(group, field, actions)
            record_change(session, audit.id, actor, entity, key[:80], name[:40], first, last,
                          import_id=import_id)
            written += 1
    return written
