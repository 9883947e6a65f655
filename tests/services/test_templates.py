"""Templates in the database: versions, idempotent imports, the shipped set."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from auditapp.errors import NotFoundError
from auditapp.services.shipped_templates import shipped_template_texts
from auditapp.services.template_list import list_templates
from auditapp.services.templates import (
    find_template_id,
    import_template_file,
    install_shipped_templates,
    template_info,
)
from auditapp.storage.engine import Database
from tests.builders import LEAD, SMALL_TEMPLATE, make_audit

pytestmark = pytest.mark.both_backends


def test_import_then_reimport_unchanged_is_a_no_op(db: Database) -> None:
    first = import_template_file(db, SMALL_TEMPLATE, LEAD)
    again = import_template_file(db, SMALL_TEMPLATE, LEAD)
    assert (first.version, first.created) == (1, True)
    assert (again.version, again.created) == (1, False)
    assert [r.version for r in list_templates(db) if r.key == "small-test"] == [1]


def test_changed_template_becomes_a_new_version_and_audits_keep_theirs(
        db: Database, tmp_path: Path) -> None:
    import_template_file(db, SMALL_TEMPLATE, LEAD)
    v1 = find_template_id(db, "small-test")
    audit_v1 = make_audit(db, v1)
    changed = tmp_path / "small_template.yaml"
    changed.write_text(SMALL_TEMPLATE.read_text().replace(
        "The young person has a copy.", "The young person has a copy and understands it."))
    result = import_template_file(db, changed, LEAD)
    assert (result.version, result.created) == (2, True)
    v2 = find_template_id(db, "small-test")
    assert v2 != v1
    from auditapp.services.audits.editing import load_audit

    document = load_audit(db, audit_v1, LEAD)
    assert document.template.version == 1
    texts = [q.text for s in document.template.sections for q in s.questions]
    assert "The young person has a copy." in texts
    rows = {r.version: r for r in list_templates(db) if r.key == "small-test"}
    assert rows[1].audits == 1 and rows[2].audits == 0


def test_template_info_keeps_order_and_scales(db: Database, small_template_id: int) -> None:
    info = template_info(db, small_template_id)
    assert [s.key for s in info.sections] == ["A", "B", "C"]
    assert [q.key for q in info.sections[0].questions] == ["A.1", "A.2", "A.3"]
    assert info.sections[0].limiting and info.sections[0].questions[0].critical
    assert [o["code"] for o in info.sections[0].questions[2].scale] == ["M", "NM"]
    assert info.question_count == 6


def test_shipped_templates_install_once(db: Database) -> None:
    first = install_shipped_templates(db)
    assert {r.key for r in first} >= {"pathway-plan-quality"}
    assert len(first) == len(shipped_template_texts())
    assert install_shipped_templates(db) == []


def test_unknown_template_and_version(db: Database, small_template_id: int) -> None:
    with pytest.raises(NotFoundError, match="No template with id 'nope'"):
        find_template_id(db, "nope")
    with pytest.raises(NotFoundError, match="no version 7"):
        find_template_id(db, "small-test", 7)
    assert find_template_id(db, "small-test", 1) == small_template_id


def test_the_template_list_is_what_the_mapped_classes_count(db: Database,
                                                            small_template_id: int) -> None:
    """The list is SQL text (so that `templates list` loads no ORM): held here to the same
    figures counted through the mapped classes, retired and imported times included."""
    from sqlalchemy import select

    from auditapp.models import Audit, Template
    from auditapp.services.templates import set_template_retired

    install_shipped_templates(db)
    make_audit(db, small_template_id)
    make_audit(db, small_template_id, "CL-2")
    set_template_retired(db, small_template_id, True, LEAD)
    with db.transaction() as session:
        expected = [
            (t.id, t.key, t.version, t.title, len(t.sections),
             sum(len(s.questions) for s in t.sections),
             len(session.scalars(select(Audit.id).where(Audit.template_id == t.id)).all()),
             t.retired, t.imported_at)
            for t in session.scalars(select(Template).order_by(Template.key,
                                                               Template.version.desc()))]
    rows = list_templates(db)
    assert [tuple(vars(r).values()) for r in rows] == expected
    assert [r.id for r in list_templates(db, include_retired=False)] == \
        [r[0] for r in expected if not r[7]]
    assert isinstance(rows[0].imported_at, datetime) and isinstance(rows[0].retired, bool)
