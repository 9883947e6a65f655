"""How this database's history chain is hashed: the setting that says so, and the key an
encrypted database's chain is keyed with.

The setting ``history_chain`` holds ``v2_from`` (the first entry hashed by the rule of
schema 0005, which covers the entry's uid, profile and import; earlier entries keep the rule
of 0002), and for an encrypted database ``key`` (256 random bits, hex) and ``keyed_from``
(the first entry whose hash is an HMAC-SHA256 under that key rather than a plain SHA-256).

The key lives only inside the encrypted file, so it can be read, and the chain recomputed,
only by someone who has the passphrase: SQLCipher encrypts and authenticates every page.
It is made when an encrypted database is first opened without one (a database just
encrypted, or a plain backup restored into an encrypted one); entries before it stay
unkeyed, which ``check`` says. A database on a server, or a plain file, has no passphrase
and no key: its chain is plain SHA-256, which anyone who can write it can recompute, so
there only a chain head kept elsewhere (a backup, a bundle, an export) shows a rewrite.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, func, select, text

from auditapp.errors import DatabaseOpenError
from auditapp.storage.engine import Database
from auditapp.storage.sqlite_files import (
    ENCRYPTED,
    READ_ERRORS,
    connect_read_only,
    file_kind,
    inspect_file,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CHAIN_SETTING = "history_chain"
_CHAIN_VALUE = text("SELECT value FROM settings WHERE key = :key").columns(value=JSON)


@dataclass(frozen=True)
class ChainSettings:
    """How the entries of this database's chain are hashed (see the module docstring)."""

    v2_from: int = 1
    keyed_from: int | None = None
    key: bytes | None = None

    @classmethod
    def from_value(cls, value: Any) -> ChainSettings:
        """The settings a stored value holds; anything malformed reads as the defaults, so
        that a damaged or removed setting breaks the chain where it mattered, visibly."""
        if not isinstance(value, dict):
            return cls()
        v2_from, keyed_from, key = value.get("v2_from"), value.get("keyed_from"), \
            value.get("key")
        try:
            raw = bytes.fromhex(key) if isinstance(key, str) else None
        except ValueError:
            raw = None
        return cls(v2_from if isinstance(v2_from, int) else 1,
                   keyed_from if isinstance(keyed_from, int) else None, raw)

    def value(self) -> dict[str, Any]:
        """The settings as stored."""
        return {"v2_from": self.v2_from, "keyed_from": self.keyed_from,
                "key": self.key.hex() if self.key is not None else None}


def read_chain_settings(session: Session) -> ChainSettings:
    """This database's chain settings, as the transaction sees them (its changes not yet
    flushed included)."""
    from auditapp.models import Setting  # imported here: see ensure_chain_key

    setting = session.get(Setting, CHAIN_SETTING)
    return ChainSettings.from_value(setting.value if setting is not None else None)


def ensure_chain_key(db: Database, encrypted: bool) -> None:
    """Give an encrypted database's chain its key, keying every entry from the next one on
    (nothing to do for a plain database, or one that has its key)."""
    if not encrypted:
        return
    with db.reading() as connection:  # every opening comes here: no ORM when there is a key
        if ChainSettings.from_value(connection.execute(
                _CHAIN_VALUE, {"key": CHAIN_SETTING}).scalar()).key is not None:
            return
    from auditapp.models import ChangeEvent, Setting

    with db.transaction() as session:
        settings = read_chain_settings(session)
        if settings.key is not None:
            return
        last = session.scalar(select(func.max(ChangeEvent.seq))) or 0
        keyed = ChainSettings(settings.v2_from, last + 1, secrets.token_bytes(32))
        session.merge(Setting(key=CHAIN_SETTING, value=keyed.value()))


def key_chain_in_file(connection: Any) -> None:
    """:func:`ensure_chain_key` on an open DB-API connection to a database file being
    encrypted, before it takes the live file's place: the first opening of the encrypted
    database then changes nothing (made on opening, the key would be a change that a command
    refused for its input makes)."""
    row = connection.execute("SELECT value FROM settings WHERE key = ?",
                             (CHAIN_SETTING,)).fetchone()
    settings = ChainSettings.from_value(json.loads(row[0]) if row is not None else None)
    if settings.key is not None:
        return
    last = connection.execute("SELECT max(seq) FROM change_events").fetchone()[0] or 0
    keyed = ChainSettings(settings.v2_from, last + 1, secrets.token_bytes(32))
    connection.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                       "DO UPDATE SET value = excluded.value",
                       (CHAIN_SETTING, json.dumps(keyed.value())))
    connection.commit()


@dataclass(frozen=True)
class FileChain:
    """The history chain another database file holds (a backup), as ``check --against``
    compares it: whose database it is, and each entry's number and hash."""

    database_id: str | None
    hashes: dict[int, str]


def read_file_chain(path: Path, passphrase: str | None) -> FileChain:
    """The chain of the database file at ``path`` (a backup, plain or encrypted with
    ``passphrase``), read without changing it. Raises a ``DatabaseOpenError`` if it is not
    an auditapp database this code can read."""
    inspect_file(path, passphrase)
    connection = connect_read_only(path, passphrase if file_kind(path) == ENCRYPTED else None)
    try:
        row = connection.execute(
            "SELECT value FROM settings WHERE key = 'database_id'").fetchone()
        hashes = dict(connection.execute("SELECT seq, hash FROM change_events").fetchall())
    except READ_ERRORS as exc:
        raise DatabaseOpenError(f"{path} holds no change history auditapp can read ({exc}).") \
            from None
    finally:
        connection.close()
    database_id = None
    if row is not None:
        try:
            database_id = str(json.loads(row[0]))
        except (TypeError, ValueError):
            database_id = str(row[0])
    return FileChain(database_id, {int(s): str(h) for s, h in hashes.items()})
