"""Board reports prepared in the app: the words a practice lead writes around the figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, new_uid, utcnow
from auditapp.models.user import profile_name


class BoardReport(Base):
    """A report to the Corporate Parenting Partnership Board for one period and scope.

    A draft's words change freely; once ``release_id`` is set the report is frozen and is
    produced again from these words and the release's manifest."""

    __tablename__ = "board_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    #: Bumped by every change; the optimistic lock, as for audits.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    date_from: Mapped[date] = mapped_column()
    date_to: Mapped[date] = mapped_column()
    team: Mapped[str | None] = mapped_column(String(120))
    template_key: Mapped[str | None] = mapped_column(String(120))
    threshold: Mapped[int] = mapped_column(Integer)
    #: OFFICIAL (to be published) or OFFICIAL-SENSITIVE (internal use).
    marking: Mapped[str] = mapped_column(String(40))
    #: The committee or board and the meeting the report goes to.
    committee: Mapped[str] = mapped_column(String(200), default="")
    meeting_date: Mapped[date | None] = mapped_column()
    author: Mapped[str] = mapped_column(String(200), default="")
    #: The narrative, section key -> text (the keys of a board words file).
    words: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Who started it (read only: set ``actor_id``).
    actor: Mapped[str] = profile_name(actor_id)
    #: Set when released: the release register's entry, whose manifest it reproduces.
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"), index=True)

    __mapper_args__ = {"version_id_col": revision}
