"""People's names: how a name is tidied, and when two names are the same person's.

Profiles are told apart by their id, never by their name; but two profiles whose names
differ only in case or spacing (``Priya Shah`` and ``priya  shah``) would be one person to
anyone reading a list, so they are not allowed (the profile names' unique key is
:func:`name_key`).
"""

from __future__ import annotations

import unicodedata

from auditapp.errors import UserError
from auditapp.rules.limits import NAME_CHARS, require_length


def clean_name(text: str) -> str:
    """A name as it is kept: Unicode compatibility forms folded (NFKC), runs of white space
    (tabs and line breaks too) made one space, none at either end."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def name_key(text: str) -> str:
    """What two names must differ in to be two people: :func:`clean_name` ignoring case."""
    return clean_name(text).casefold()


def checked_profile_name(name: str) -> str:
    """A profile name, tidied (:func:`clean_name`) and checked: not empty, not too long."""
    name = clean_name(name)
    if not name:
        raise UserError("A profile needs a name.")
    return require_length("A profile name", name, NAME_CHARS)
