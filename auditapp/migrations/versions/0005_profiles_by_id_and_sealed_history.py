"""Profiles by id, and a history that covers the data.

Revision ID: 0005
Revises: 0004

People were named by text; now they are profiles, referred to by id:

- every profile gets a uid (the same in every database it travels to) and a ``name_key``,
  its name ignoring case and spacing, which is unique. Where two profiles already differ
  only in case or spacing (``Priya Shah`` and ``priya shah``), the later one is renamed
  ``priya shah (2)``, and so on, so that neither loses its work and a practice lead can see
  them both;
- every name an audit, a moderation, a sample, a history entry or a bundle import recorded
  becomes a profile reference. A name with no profile gets one: a practice lead if it drew
  a sample, imported a bundle or was the command line, else a moderator if it moderated,
  else an auditor;
- actions record who raised them and who marked them done or cancelled, taken from their
  history (an action with none: raised by its audit's auditor);
- a moderation's final grade is empty until it is finalised: where blind grades were
  recorded but the audit is still submitted, the grade 0004 stored (the blind grade) is
  cleared.

History entries from here on are hashed by the rule of 0005 (over their uid, profile and
import too); earlier entries keep their hashes, so a break made before the upgrade still
shows after it. Every audit's content is then sealed into the history (a seal entry per
audit, by its auditor, and its content in ``audit_seals``). The content and the hash rule
are written out here rather than imported, so that this migration keeps doing what it did
when the application's code moves on; the tests check it agrees with
:mod:`auditapp.services.seals` and :mod:`auditapp.services.history`.

On SQLite the tables are copied to change them (Alembic's batch mode), with foreign keys
off while the migration runs and every key checked before it commits
(:func:`auditapp.storage.database._migrate`).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
import zlib
from collections import defaultdict
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: (table, old name column, new profile column, index the old column had)
_REFERENCES = (
    ("audits", "auditor", "auditor_id", "ix_audits_auditor"),
    ("moderations", "moderator", "moderator_id", None),
    ("moderation_samples", "created_by", "created_by_id", None),
    ("bundle_imports", "actor", "actor_id", None),
    ("change_events", "actor", "actor_id", None),
)
_LEAD_TABLES = ("moderation_samples", "bundle_imports")
_INDEXED = {("audits", "auditor_id"), ("moderations", "moderator_id"),
            ("change_events", "actor_id"), ("change_events", "import_id")}


def _name_key(name: str) -> str:
    """auditapp.rules.names.name_key, frozen."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _add_reference(table: str, column: str, referred: str = "users") -> None:
    """A reference column with its foreign key (and index, where the model has one), empty
    until it is filled."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f(f"fk_{table}_{column}_{referred}"), referred,
                                    [column], ["id"])
        if (table, column) in _INDEXED:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _replace_name_column(table: str, old: str, new: str, index: str | None) -> None:
    """Once the profile column is filled: make it required and drop the name column."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        if index is not None:
            batch_op.drop_index(index)
        if table != "change_events":  # an entry keeps the name it was recorded with
            batch_op.drop_column(old)
        batch_op.alter_column(new, existing_type=sa.Integer(), nullable=False)


# --- profiles -----------------------------------------------------------------------------------


def _profiles(connection: sa.Connection) -> tuple[dict[str, int], dict[str, int]]:
    """Give every profile a uid and a unique name key; returns profile ids by their name as
    it was (a recorded name that is exactly a profile's is that profile) and by name key."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", sa.String(length=32), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("name_key", sa.String(length=120), nullable=False,
                                      server_default=""))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("uid", sa.String), sa.column("name_key", sa.String),
                     sa.column("role", sa.String), sa.column("created_at", sa.DateTime))
    by_key: dict[str, int] = {}
    exact: dict[str, int] = {}
    for row in connection.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id)):
        name, number = row.name, 1
        while _name_key(name) in by_key:
            number += 1
            name = f"{row.name[:110]} ({number})"
        by_key[_name_key(name)] = exact[row.name] = row.id
        connection.execute(users.update().where(users.c.id == row.id).values(
            name=name, name_key=_name_key(name), uid=uuid.uuid4().hex))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_uid"), ["uid"], unique=True)
        batch_op.create_index(batch_op.f("ix_users_name_key"), ["name_key"], unique=True)
    return exact, by_key


def _named_people(connection: sa.Connection) -> dict[str, tuple[str, str]]:
    """Every name recorded as text, by name key: (the name as first met, its role)."""
    roles: dict[str, set[str]] = defaultdict(set)
    first: dict[str, str] = {}
    sources = [(t, c) for t, c, _n, _i in _REFERENCES]
    for table, column in sources:
        for (name,) in connection.execute(sa.text(f"SELECT DISTINCT {column} FROM {table}")):
            if name is None or not name.strip():
                continue
            key = _name_key(name)
            first.setdefault(key, " ".join(name.split())[:120])
            roles[key].add(table)
    people = {}
    for key, tables in roles.items():
        if tables & set(_LEAD_TABLES) or key.endswith(" (command line)"):
            role = "practice lead"
        elif "moderations" in tables:
            role = "moderator"
        else:
            role = "auditor"
        people[key] = (first[key], role)
    return people


def _add_missing_profiles(connection: sa.Connection, by_key: dict[str, int]) -> None:
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("uid", sa.String), sa.column("name_key", sa.String),
                     sa.column("role", sa.String), sa.column("created_at", sa.DateTime))
    now = datetime.now(UTC).replace(tzinfo=None)
    for key, (name, role) in sorted(_named_people(connection).items()):
        if key in by_key:
            continue
        connection.execute(users.insert().values(
            name=name, name_key=key, uid=uuid.uuid4().hex, role=role, created_at=now))
        by_key[key] = connection.execute(sa.select(users.c.id)
                                         .where(users.c.name_key == key)).scalar_one()


def _fill(connection: sa.Connection, table: str, old: str, new: str,
          exact: dict[str, int], by_key: dict[str, int]) -> None:
    names = [row[0] for row in connection.execute(
        sa.text(f"SELECT DISTINCT {old} FROM {table}"))]
    for name in names:
        if name is not None and name.strip():
            profile = exact.get(name, by_key.get(_name_key(name)))
            connection.execute(sa.text(f"UPDATE {table} SET {new} = :id WHERE {old} = :name"),
                               {"id": profile, "name": name})


def _fill_action_people(connection: sa.Connection) -> None:
    """Who raised each action and who closed it, from its history."""
    actions = connection.execute(sa.text(
        "SELECT actions.id, actions.status, audits.auditor_id FROM actions "
        "JOIN audits ON audits.id = actions.audit_id")).all()
    events: dict[str, list[Any]] = defaultdict(list)
    for row in connection.execute(sa.text(
            "SELECT entity_key, field, old_value, new_value, actor_id FROM change_events "
            "WHERE entity = 'action' ORDER BY seq")):
        events[row.entity_key].append(row)
    for action_id, status, auditor_id in actions:
        history = events.get(str(action_id), [])
        raised = next((e.actor_id for e in history
                       if e.field == "text" and e.old_value is None), auditor_id)
        closed = None
        if status in ("done", "cancelled"):
            closed = next((e.actor_id for e in reversed(history)
                           if e.field == "status" and e.new_value == status), None)
        connection.execute(sa.text("UPDATE actions SET raised_by_id = :raised, "
                                   "closed_by_id = :closed WHERE id = :id"),
                           {"raised": raised, "closed": closed, "id": action_id})


# --- moderations --------------------------------------------------------------------------------


def _moderations_grade_nullable() -> None:
    with op.batch_alter_table("moderations", schema=None) as batch_op:
        batch_op.alter_column("grade", existing_type=sa.Integer(), nullable=True)


# --- sealing every audit (auditapp.services.seals and .history, frozen) ---------------------------

_AUDIT = ("uid", "auditor_id", "case_id", "template_id", "audit_date", "status",
          "submitted_at", "overall_grade", "grade_rationale", "strengths",
          "areas_for_development", "young_person_voice", "returned_comment")
_ACTION = ("question_id", "text", "owner", "due_date", "priority", "status", "completed_on",
           "status_note", "raised_by_id", "closed_by_id", "created_at")
_MODERATION = ("moderator_id", "moderated_on", "grade", "blind_grade", "agreed", "comment")
_TYPES: dict[str, Any] = {
    "audit_date": sa.Date, "submitted_at": sa.DateTime, "due_date": sa.Date,
    "completed_on": sa.Date, "created_at": sa.DateTime, "moderated_on": sa.Date,
    "agreed": sa.Boolean, "overall_grade": sa.Integer, "grade": sa.Integer,
    "blind_grade": sa.Integer, "auditor_id": sa.Integer, "case_id": sa.Integer,
    "template_id": sa.Integer, "question_id": sa.Integer, "raised_by_id": sa.Integer,
    "closed_by_id": sa.Integer, "moderator_id": sa.Integer}


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c, _TYPES.get(c, sa.String)()) for c in columns))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _contents(connection: sa.Connection) -> dict[int, dict[str, Any]]:
    audits = _table("audits", "id", *_AUDIT)
    contents: dict[int, dict[str, Any]] = {
        row.id: {"audit": {n: _plain(getattr(row, n)) for n in _AUDIT}, "answers": {},
                 "judgements": {}, "actions": {}, "moderation": None}
        for row in connection.execute(sa.select(audits))}
    for row in connection.execute(sa.text(
            "SELECT audit_id, question_id, response, evidence FROM answers")):
        contents[row.audit_id]["answers"][str(row.question_id)] = [row.response, row.evidence]
    for row in connection.execute(sa.text(
            "SELECT audit_id, section_id, grade, comment FROM section_judgements")):
        contents[row.audit_id]["judgements"][str(row.section_id)] = [row.grade, row.comment]
    actions = _table("actions", "audit_id", "uid", *_ACTION)
    for row in connection.execute(sa.select(actions)):
        contents[row.audit_id]["actions"][row.uid] = {n: _plain(getattr(row, n))
                                                      for n in _ACTION}
    moderations = _table("moderations", "id", "audit_id", *_MODERATION)
    by_id = {}
    for row in connection.execute(sa.select(moderations)):
        moderation = {n: _plain(getattr(row, n)) for n in _MODERATION}
        moderation["sections"] = {}
        contents[row.audit_id]["moderation"] = by_id[row.id] = moderation
    for row in connection.execute(sa.text(
            "SELECT moderation_id, section_id, blind_grade, grade, reason "
            "FROM moderated_sections")):
        by_id[row.moderation_id]["sections"][str(row.section_id)] = [
            row.blind_grade, row.grade, row.reason]
    return contents


def _canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _entry_hash(previous: str, values: dict[str, Any]) -> str:
    payload = json.dumps(
        [values["seq"], values["uid"], values["audit_id"], values["at"].isoformat(sep=" "),
         values["actor_id"], values["actor"], values["entity"], values["entity_key"],
         values["field"], values["old_value"], values["new_value"], values["import_id"],
         values["carried"]],
        ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(previous.encode("ascii") + payload).hexdigest()


def _seal_every_audit(connection: sa.Connection) -> int:
    """A seal entry per audit after the chain's last entry; returns the first new number."""
    last = connection.execute(sa.text(
        "SELECT seq, hash FROM change_events ORDER BY seq DESC LIMIT 1")).first()
    seq, previous = (last.seq, last.hash) if last else (0, "0" * 64)
    first = seq + 1
    auditors = {row.id: (row.actor_id, row.name) for row in connection.execute(sa.text(
        "SELECT audits.id, users.id AS actor_id, users.name FROM audits "
        "JOIN users ON users.id = audits.auditor_id"))}
    events = sa.table(
        "change_events", *(sa.column(c) for c in (
            "uid", "seq", "hash", "audit_id", "actor_id", "actor", "entity", "entity_key",
            "field", "old_value", "new_value", "import_id")), sa.column("at", sa.DateTime()),
        sa.column("carried", sa.Boolean()))
    seals = sa.table("audit_seals", sa.column("audit_id", sa.Integer),
                     sa.column("seq", sa.Integer), sa.column("content", sa.LargeBinary))
    now = datetime.now(UTC).replace(tzinfo=None)
    for audit_id, content in sorted(_contents(connection).items()):
        seq += 1
        actor_id, actor = auditors[audit_id]
        values = {"uid": uuid.uuid4().hex, "seq": seq, "audit_id": audit_id, "at": now,
                  "actor_id": actor_id, "actor": actor, "entity": "seal",
                  "entity_key": "", "field": "content", "old_value": None,
                  "new_value": hashlib.sha256(_canonical(content)).hexdigest(),
                  "import_id": None, "carried": False}
        previous = values["hash"] = _entry_hash(previous, values)
        connection.execute(events.insert().values(**values))
        connection.execute(seals.insert().values(audit_id=audit_id, seq=seq,
                                                 content=zlib.compress(_canonical(content), 6)))
    return first


# --- the upgrade --------------------------------------------------------------------------------


def upgrade() -> None:
    connection = op.get_bind()
    exact, by_key = _profiles(connection)
    _add_missing_profiles(connection, by_key)
    for table, old, new, _index in _REFERENCES:
        _add_reference(table, new)
        _fill(connection, table, old, new, exact, by_key)
    for table, old, new, index in _REFERENCES:
        _replace_name_column(table, old, new, index)
    with op.batch_alter_table("bundle_imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=False,
                                      server_default=""))
    _add_reference("change_events", "import_id", "bundle_imports")
    with op.batch_alter_table("change_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    _add_reference("actions", "raised_by_id")
    _add_reference("actions", "closed_by_id")
    _fill_action_people(connection)
    _moderations_grade_nullable()
    connection.execute(sa.text(
        "UPDATE moderations SET grade = NULL WHERE audit_id IN "
        "(SELECT id FROM audits WHERE status = 'submitted')"))
    op.create_table(
        "audit_seals",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audits.id"],
                                name=op.f("fk_audit_seals_audit_id_audits"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_seals")),
    )
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.JSON))
    first = _seal_every_audit(connection)
    connection.execute(settings.insert().values(
        key="history_chain", value={"v2_from": first, "keyed_from": None, "key": None}))


def downgrade() -> None:
    raise NotImplementedError("auditapp never downgrades a database: restore the backup "
                              "made before the upgrade (backups/*-before-0004-*.sqlite).")
