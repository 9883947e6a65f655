"""Finding a section or a question of a template version by its id."""

from __future__ import annotations

import pytest

from auditapp.services.templates import template_info
from auditapp.storage.engine import Database


def test_sections_and_questions_are_found_by_id(db: Database, small_template_id: int) -> None:
    template = template_info(db, small_template_id)
    for section in template.sections:
        assert template.section(section.id) is section
        for question in section.questions:
            assert template.question(question.id) is question
            assert template.section_of(question.id) is section


def test_an_id_from_elsewhere_is_a_key_error(db: Database, small_template_id: int) -> None:
    template = template_info(db, small_template_id)
    unknown = 1 + max(q.id for s in template.sections for q in s.questions)
    with pytest.raises(KeyError):
        template.question(unknown)
    with pytest.raises(KeyError):
        template.section_of(unknown)
    with pytest.raises(KeyError):
        template.section(1 + max(s.id for s in template.sections))


def test_lookups_leave_equality_alone(db: Database, small_template_id: int) -> None:
    looked_up = template_info(db, small_template_id)
    looked_up.section(looked_up.sections[0].id)
    assert looked_up == template_info(db, small_template_id)
