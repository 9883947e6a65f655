"""The audit programme: how many audits a team plans for a period with a template."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, utcnow


class PlannedAudits(Base):
    """Audits planned for one period, team and template; the board report sets the audits
    completed against it, and drafts still open after ``date_to`` are past their due date."""

    __tablename__ = "planned_audits"
    __table_args__ = (UniqueConstraint("date_from", "date_to", "team", "template_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    date_from: Mapped[date] = mapped_column()
    date_to: Mapped[date] = mapped_column()
    team: Mapped[str] = mapped_column(String(120))
    template_key: Mapped[str] = mapped_column(String(120))
    planned: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
