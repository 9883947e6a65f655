"""Local user profiles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from auditapp.models.base import Base, new_uid, str_enum, utcnow
from auditapp.models.enums import Role


class User(Base):
    """Someone who uses auditapp on this laptop, or whose work arrived in a bundle.

    Audits, moderations, actions and the history refer to a profile by its id; its ``uid``
    is the same in every database the profile travels to in bundles. ``name_key`` (the name
    ignoring case and spacing, :func:`auditapp.rules.names.name_key`) is unique, so two
    profiles never differ only in how their name is written.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=new_uid,
                                     server_default="")
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_key: Mapped[str] = mapped_column(String(120), unique=True, index=True,
                                          server_default="")
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def profile_name(profile_id: Any) -> Mapped[str]:
    """A read-only attribute holding the name of the profile that ``profile_id`` (a column
    of the same class) points at, loaded with the row: people are referred to by profile
    id, and their name is shown where it always was."""
    return column_property(select(User.name).where(User.id == profile_id)
                           .correlate_except(User).scalar_subquery())
