"""Three-way comparison of two snapshots of one audit against the state they last shared.

A snapshot is cut into groups (the audit's own fields, the case, each answer, each section
judgement, each action, the moderation), and each group into fields. A field changed on one
side only takes that side's value; a field changed on both sides to different values is a
:class:`FieldConflict`, for a person to settle. An action or a moderation that one side
removed and the other changed is one conflict about the whole of it. Nothing here is
settled by whoever wrote last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditapp.services.sync.snapshots import Snapshot


class _Missing:
    """The value of a group or field that is not there (an action removed, say)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Side(StrEnum):
    """Whose value settles a conflict: this database's, or the other one's (the bundle's)."""

    LOCAL = "local"
    REMOTE = "remote"


Groups = dict[str, Any]  # group name -> {field: value}, or MISSING


@dataclass(frozen=True)
class FieldConflict:
    """One field (or a whole action or moderation, ``field`` "") changed on both sides."""

    group: str  # "audit", "case", "answer S1/A.1", "judgement S1", "action <uid>", "moderation"
    field: str
    base: Any
    local: Any
    remote: Any

    @property
    def key(self) -> str:
        """Names the conflict within its audit."""
        return f"{self.group}|{self.field}" if self.field else self.group


@dataclass
class MergePlan:
    """The merged audit, with the conflicts still to be settled (each holds the local value
    until then)."""

    groups: Groups
    conflicts: list[FieldConflict] = field(default_factory=list)


def to_groups(snapshot: Snapshot) -> Groups:
    """Cut a snapshot into groups of fields."""
    groups: Groups = {"audit": dict(snapshot["audit"]),
                      "case": {k: v for k, v in snapshot["case"].items() if k != "reference"}}
    groups.update({f"answer {k}": dict(v) for k, v in snapshot["answers"].items()})
    groups.update({f"judgement {k}": dict(v) for k, v in snapshot["judgements"].items()})
    groups.update({f"action {k}": dict(v) for k, v in snapshot["actions"].items()})
    moderation = snapshot["moderation"]
    if moderation is not None:
        flat = {k: v for k, v in moderation.items() if k != "sections"}
        for key, values in moderation["sections"].items():
            flat.update({f"section {key} {name}": value for name, value in values.items()})
        groups["moderation"] = flat
    return groups


def _moderation_sections(flat: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        if name.startswith("section "):
            _, key, part = name.split(" ", 2)
            sections.setdefault(key, {})[part] = value
    return {key: {"blind_grade": v.get("blind_grade"), "grade": v.get("grade"),
                  "reason": v.get("reason") or ""}
            for key, v in sections.items()
            if v.get("blind_grade") is not None or v.get("grade") is not None}


def from_groups(groups: Groups, like: Snapshot) -> Snapshot:
    """Put groups back together as a snapshot (identity taken from ``like``)."""
    def prefixed(prefix: str) -> dict[str, Any]:
        return {name[len(prefix):]: value for name, value in groups.items()
                if name.startswith(prefix) and value is not MISSING}

    moderation = groups.get("moderation", MISSING)
    if moderation is not MISSING:
        moderation = {**{k: v for k, v in moderation.items() if not k.startswith("section ")},
                      "sections": _moderation_sections(moderation)}
    return {"uid": like["uid"], "template": like["template"],
            "case": {"reference": like["case"]["reference"], **groups["case"]},
            "audit": groups["audit"], "answers": prefixed("answer "),
            "judgements": prefixed("judgement "), "actions": prefixed("action "),
            "moderation": None if moderation is MISSING else moderation}


def _merge_fields(name: str, base: Any, local: dict[str, Any], remote: dict[str, Any],
                  plan: MergePlan) -> dict[str, Any]:
    merged = dict(local)
    for key in sorted(set(local) | set(remote)):
        mine, theirs = local.get(key, MISSING), remote.get(key, MISSING)
        if mine == theirs:
            continue
        was = base.get(key, MISSING) if isinstance(base, dict) else MISSING
        if base is not None and was == mine:
            merged[key] = theirs
        elif base is None or was != theirs:
            plan.conflicts.append(FieldConflict(name, key, was, mine, theirs))
    return {k: v for k, v in merged.items() if v is not MISSING}


def _merge_group(name: str, base: Any, local: Any, remote: Any, plan: MergePlan) -> Any:
    if local == remote:
        return local
    if local is not MISSING and remote is not MISSING:
        return _merge_fields(name, base, local, remote, plan)
    if base is not None and base == local:  # only the other side added or removed it
        return remote
    if base is not None and base == remote:
        return local
    plan.conflicts.append(FieldConflict(name, "", base, local, remote))
    return local


def three_way(base: Snapshot | None, local: Snapshot, remote: Snapshot) -> MergePlan:
    """Merge ``remote`` into ``local`` against ``base``, the newest state both sides knew
    (None when there is none: then every difference is a conflict)."""
    base_groups = to_groups(base) if base is not None else None
    local_groups, remote_groups = to_groups(local), to_groups(remote)
    plan = MergePlan({})
    for name in sorted(set(local_groups) | set(remote_groups)):
        was = base_groups.get(name, MISSING) if base_groups is not None else None
        merged = _merge_group(name, was, local_groups.get(name, MISSING),
                              remote_groups.get(name, MISSING), plan)
        if merged is not MISSING:
            plan.groups[name] = merged
    return plan


def resolve(plan: MergePlan, choices: Mapping[str, str]) -> Groups:
    """The merged groups once every conflict has a choice (a :class:`Side`, or its word, by
    :attr:`FieldConflict.key`)."""
    groups = {name: dict(value) if isinstance(value, dict) else value
              for name, value in plan.groups.items()}
    for conflict in plan.conflicts:
        choice = choices[conflict.key]
        if choice not in tuple(Side):
            raise ValueError(f"a conflict is settled with {Side.LOCAL.value!r} or "
                             f"{Side.REMOTE.value!r}, not {choice!r}")
        value = conflict.local if choice == Side.LOCAL else conflict.remote
        if conflict.field:
            if value is MISSING:
                groups[conflict.group].pop(conflict.field, None)
            else:
                groups[conflict.group][conflict.field] = value
        elif value is MISSING:
            groups.pop(conflict.group, None)
        else:
            groups[conflict.group] = value
    return groups
