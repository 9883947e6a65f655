"""The shapes of a bundle's JSON parts (the README's "The bundle file" describes them).

``manifest.json`` says what the bundle holds; ``audits.json`` holds each audit's snapshot
(:mod:`auditapp.services.sync.snapshots`) with the states it has been in;
``templates.json`` the template versions the audits use; ``cases.json`` each case reference's
uid; ``history.json`` the audits' change history.

The TypedDicts below are both the types the code is checked against and, through pydantic's
``TypeAdapter``, the check every part of a bundle passes before anything reads it
(:func:`check_parts`): the right kinds of value, text no longer than its column, dates that
are dates from 1900 to 2100, statuses and categories that exist. Whether the values make
sense together (an answer on its question's scale, who may import what) is for the import.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, NotRequired

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from typing_extensions import TypedDict

from auditapp.models import ActionPriority, ActionStatus, AuditStatus, CareLeaverCategory
from auditapp.rules import limits
from auditapp.rules.grades import Grade
from auditapp.services.sync.snapshots import Snapshot


def _within_dates(value: str, parse: Callable[[str], date | datetime]) -> str:
    try:
        parsed = parse(value)
    except ValueError:
        raise ValueError(f"'{value[:40]}' is not an ISO date") from None
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    problem = limits.date_problem("the date", day)
    if problem:
        raise ValueError(problem)
    return value


def _one_of(kind: type[StrEnum]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in {member.value for member in kind}:
            raise ValueError(f"'{value[:40]}' is not one of {', '.join(m.value for m in kind)}")
        return value
    return check


def _text(max_length: int) -> Any:
    return StringConstraints(max_length=max_length)


Uid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,32}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Name = Annotated[str, _text(limits.NAME_CHARS)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=limits.REFERENCE_CHARS)]
LongText = Annotated[str, _text(limits.LONG_TEXT_CHARS)]
Code = Annotated[str, _text(limits.ANSWER_CODE_CHARS)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=2 * limits.ITEM_ID_CHARS + 1)]
IsoDate = Annotated[str, AfterValidator(lambda v: _within_dates(v, date.fromisoformat))]
IsoTime = Annotated[str, AfterValidator(lambda v: _within_dates(v, datetime.fromisoformat))]
GradeNumber = Annotated[int, Field(ge=min(Grade), le=max(Grade))]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]


# --- an audit's snapshot ------------------------------------------------------------------------


class SnapshotTemplate(TypedDict):
    """The template version an audit is on."""

    key: Annotated[str, StringConstraints(min_length=1, max_length=limits.TEMPLATE_ID_CHARS)]
    content_hash: Sha256


class SnapshotCase(TypedDict):
    """The case an audit is of."""

    reference: Reference
    category: Annotated[str, AfterValidator(_one_of(CareLeaverCategory))]
    uasc: bool
    age_at_audit: Annotated[int, Field(ge=0, le=150)] | None
    team: Name
    worker: Name


class SnapshotAudit(TypedDict):
    """An audit's own fields."""

    auditor: Name
    audit_date: IsoDate
    status: Annotated[str, AfterValidator(_one_of(AuditStatus))]
    created_at: IsoTime
    submitted_at: IsoTime | None
    overall_grade: GradeNumber | None
    grade_rationale: LongText
    strengths: LongText
    areas_for_development: LongText
    young_person_voice: LongText
    returned_comment: LongText


class SnapshotAnswer(TypedDict):
    """One question's answer."""

    response: Code | None
    evidence: LongText


class SnapshotJudgement(TypedDict):
    """One section's grade."""

    grade: GradeNumber | None
    comment: LongText


class SnapshotAction(TypedDict):
    """One action raised by the audit."""

    question: Key | None
    text: LongText
    owner: Name
    due_date: IsoDate | None
    priority: Annotated[str, AfterValidator(_one_of(ActionPriority))]
    status: Annotated[str, AfterValidator(_one_of(ActionStatus))]
    completed_on: IsoDate | None
    status_note: LongText
    created_at: IsoTime
    raised_by: NotRequired[Name | None]  # absent from bundles before schema 0005
    closed_by: NotRequired[Name | None]


class SnapshotModeratedSection(TypedDict):
    """A moderator's grades for one section."""

    blind_grade: GradeNumber | None
    grade: GradeNumber | None
    reason: LongText


class SnapshotModeration(TypedDict):
    """The audit's moderation."""

    moderator: Name
    moderated_on: IsoDate
    grade: GradeNumber | None  # None until the moderation is finalised
    blind_grade: GradeNumber | None
    agreed: bool
    comment: LongText
    created_at: IsoTime
    sections: dict[Key, SnapshotModeratedSection]


class AuditSnapshot(TypedDict):
    """An audit as a snapshot (:func:`auditapp.services.sync.snapshots.read_snapshot`)."""

    uid: Uid
    template: SnapshotTemplate
    case: SnapshotCase
    audit: SnapshotAudit
    answers: dict[Key, SnapshotAnswer]
    judgements: dict[Key, SnapshotJudgement]
    actions: dict[Uid, SnapshotAction]
    moderation: SnapshotModeration | None


_SNAPSHOT = TypeAdapter(AuditSnapshot)


def _snapshot_shape(value: Any) -> Any:
    """A snapshot, checked against :class:`AuditSnapshot` (the code reads it as a plain
    :data:`~auditapp.services.sync.snapshots.Snapshot`)."""
    _SNAPSHOT.validate_python(value, strict=True)
    return value


# --- the parts --------------------------------------------------------------------------------


class ChosenAudits(TypedDict):
    """How the audits were chosen at export."""

    since: IsoDate | None
    auditor: Name | None


class ManifestAudit(TypedDict):
    """One audit as the manifest lists it."""

    uid: Uid
    case_reference: Reference
    auditor: Name
    status: Annotated[str, AfterValidator(_one_of(AuditStatus))]
    revision: Count
    state: Sha256


class ChainHead(TypedDict):
    """The last entry of the exporting database's history chain when the bundle was written
    (``check --against`` compares it)."""

    seq: Count
    hash: Sha256


class Manifest(TypedDict, total=False):
    """What the bundle holds and where it came from (``parts``, the SHA-256 of each part, is
    added by :func:`auditapp.services.sync.bundle_file.write_bundle`)."""

    database_id: Uid
    created_at: IsoTime
    creator: Name
    auditapp_version: Annotated[str, _text(40)]
    schema: Annotated[str, _text(40)]
    chosen: ChosenAudits
    audits: list[ManifestAudit]
    parts: dict[Annotated[str, _text(40)], Sha256]
    chain_head: ChainHead


class AuditEntry(TypedDict):
    """One audit in ``audits.json``."""

    uid: Uid
    revision: Count
    state: Sha256  # the SHA-256 of its snapshot
    snapshot: Annotated[Snapshot, BeforeValidator(_snapshot_shape)]
    known_states: list[Sha256]  # every state this database knew the audit in, oldest first
    #: The profile uid of each person the snapshot names, by name (bundles of auditapp
    #: before schema 0005 have none: people are then matched by name).
    people: NotRequired[dict[Name, Uid]]


class TemplateEntry(TypedDict):
    """One template version in ``templates.json``."""

    key: Annotated[str, StringConstraints(min_length=1, max_length=limits.TEMPLATE_ID_CHARS)]
    version: Annotated[int, Field(ge=1, le=2**31 - 1)]
    title: Annotated[str, _text(limits.TITLE_CHARS)]
    content_hash: Sha256
    source_text: Annotated[str, _text(limits.TEMPLATE_FILE_BYTES)]
    source_name: Annotated[str, _text(limits.FILE_NAME_CHARS)]


class HistoryEntry(TypedDict):
    """One change history entry in ``history.json``."""

    uid: Uid
    audit: Uid  # the audit's uid
    at: IsoTime  # ISO time, UTC
    actor: Name
    actor_uid: NotRequired[Uid | None]  # the author's profile uid
    entity: Annotated[str, _text(20)]
    entity_key: Annotated[str, _text(80)]
    action: Uid | None  # the action's uid, for an entry about an action
    field: Annotated[str, _text(40)]
    old_value: LongText | None
    new_value: LongText | None


#: Each part a bundle must hold, and its shape.
PART_SHAPES: dict[str, TypeAdapter[Any]] = {
    "audits.json": TypeAdapter(list[AuditEntry]),
    "templates.json": TypeAdapter(list[TemplateEntry]),
    "cases.json": TypeAdapter(dict[Reference, Uid]),
    "history.json": TypeAdapter(list[HistoryEntry]),
}
MANIFEST_SHAPE: TypeAdapter[Any] = TypeAdapter(Manifest)


def _place(loc: tuple[int | str, ...]) -> str:
    """Where in a part a value is, as a reader would look for it: [3].snapshot.answers['A/1']."""
    text = ""
    for step in loc:
        if isinstance(step, int):
            text += f"[{step + 1}]"
        elif step.isidentifier():
            text += f".{step}" if text else step
        else:
            text += f"[{step[:40]!r}]"
    return text or "(the whole part)"


def _problem(error: Any) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return f"'{error['loc'][-1]}' is missing"
    if kind == "value_error":
        return str((error.get("ctx") or {}).get("error", error["msg"]))
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, not {shown[:60]}"


def shape_problem(part: str, data: Any, shape: TypeAdapter[Any]) -> str | None:
    """Why ``data`` is not the shape of ``part``: the place and the problem of the first
    thing wrong (and how many more there are), or None when it has the shape."""
    try:
        shape.validate_python(data, strict=True)
    except PydanticValidationError as exc:
        errors = exc.errors(include_url=False)
        more = f" (and {len(errors) - 1:,} more problems)" if len(errors) > 1 else ""
        return f"{part} {_place(tuple(errors[0]['loc']))}: {_problem(errors[0])}{more}"
    except RecursionError:
        return f"{part}: nested too deep"
    return None
