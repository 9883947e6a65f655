"""Which sections apply to a case: the one rule the editor, scoring and reports share."""

from __future__ import annotations

from auditapp.rules.sections import CASE_CONDITIONS, applies_only_to, section_applies


def test_a_section_without_a_condition_applies_to_every_case() -> None:
    assert section_applies(None, uasc=False)
    assert section_applies(None, uasc=True)


def test_the_uasc_section_applies_only_to_unaccompanied_young_people() -> None:
    assert section_applies("uasc", uasc=True)
    assert not section_applies("uasc", uasc=False)


def test_an_unknown_condition_never_applies() -> None:
    """The template format refuses one; were one stored, the section would stay out."""
    assert not section_applies("care-experienced-parent", uasc=True)


def test_conditions_say_whom_they_are_for() -> None:
    assert set(CASE_CONDITIONS) == {"uasc"}
    assert applies_only_to("uasc") == "unaccompanied asylum-seeking young people"
