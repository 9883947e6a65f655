"""Small facts about this database that are not part of any audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base


class Setting(Base):
    """A named value, such as the fingerprints of the shipped templates already imported."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
