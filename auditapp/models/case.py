"""The young person's case, known only by a pseudonymous reference."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.models.base import Base, new_uid, str_enum, utcnow
from auditapp.models.enums import CareLeaverCategory

if TYPE_CHECKING:
    from auditapp.models.audit import Audit


class Case(Base):
    """A sampled care leaver's case file. Never holds a name: the reference is the key."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The same case in every database; a case met under another uid is matched by reference.
    uid: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=new_uid,
                                     server_default="")
    #: Bumped by every change; the optimistic lock, as for audits.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[CareLeaverCategory] = mapped_column(
        str_enum(CareLeaverCategory, "care_leaver_category")
    )
    uasc: Mapped[bool] = mapped_column(default=False)
    age_at_audit: Mapped[int | None] = mapped_column(Integer)
    team: Mapped[str] = mapped_column(String(120), default="", index=True)
    #: Allocated social worker or personal adviser.
    worker: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    audits: Mapped[list[Audit]] = relationship(back_populates="case")

    __mapper_args__ = {"version_id_col": revision}
