"""Local user profiles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, str_enum, utcnow
from auditapp.models.enums import Role


class User(Base):
    """Someone who uses auditapp on this laptop."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
