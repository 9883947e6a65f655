"""Errors a user can cause and act on. Each carries a message fit to show as it is."""

from __future__ import annotations


class UserError(Exception):
    """A problem with what the user asked for or gave; shown as one clear message."""


class NotFoundError(UserError):
    """Something named by the user does not exist."""


class ValidationError(UserError):
    """Input with one or more problems; ``problems`` lists each, already located."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        self.summary = summary
        self.problems = problems
        super().__init__(summary + "\n" + "\n".join(f"  {p}" for p in problems))


class DatabaseOpenError(UserError):
    """The database file cannot be used as it is (newer, foreign, corrupt, unwritable)."""
