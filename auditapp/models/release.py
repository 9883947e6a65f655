"""The release register: every board pack released for publication, and the audits it counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, utcnow
from auditapp.models.user import profile_name


class Release(Base):
    """A board pack released for publication: its scope, threshold, figures and who released
    it. No two releases count the same audit (see :mod:`auditapp.services.reporting.releases`)."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    released_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Who released it (read only: set ``actor_id``).
    actor: Mapped[str] = profile_name(actor_id)
    date_from: Mapped[date] = mapped_column()
    date_to: Mapped[date] = mapped_column()
    team: Mapped[str | None] = mapped_column(String(120))
    template_key: Mapped[str | None] = mapped_column(String(120))
    threshold: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the figures it publishes (the manifest's ``figures_hash``).
    figures_hash: Mapped[str] = mapped_column(String(64))


class ReleasedAudit(Base):
    """One audit a release counts, at the revision it counted. An audit is in one release at
    most: the unique uid is the register's rule, held by the database itself."""

    __tablename__ = "released_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), index=True)
    audit_uid: Mapped[str] = mapped_column(String(32), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
