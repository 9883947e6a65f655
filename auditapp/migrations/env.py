"""Alembic environment: runs on the connection auditapp hands over, never from an ini file."""

from __future__ import annotations

from alembic import context

from auditapp.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only alter tables by copying them
    compare_type=True,
    # Called after each migration step: the crash-safety tests stop the process there.
    on_version_apply=context.config.attributes.get("on_version_apply", lambda **_: None),
)
with context.begin_transaction():
    context.run_migrations()
