"""Which sections of a checklist apply to a case.

A section may depend on a flag of the case (its ``applies_when``): the section for
unaccompanied asylum-seeking young people applies only to them. A section without a
condition applies to every case. A section that does not apply is left out of the audit
altogether: not answered, not graded, not counted in progress or in any figure.
"""

from __future__ import annotations

#: The case flags a section may depend on, each with whom it describes.
CASE_CONDITIONS: dict[str, str] = {"uasc": "unaccompanied asylum-seeking young people"}


def section_applies(applies_when: str | None, uasc: bool) -> bool:
    """Whether a section with condition ``applies_when`` applies to a case."""
    return applies_when is None or (applies_when == "uasc" and uasc)


def applies_only_to(applies_when: str) -> str:
    """Whom a conditional section is for, in words."""
    return CASE_CONDITIONS.get(applies_when, applies_when)
