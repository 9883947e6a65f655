"""Shared fixtures: a real SQLite database file per test, and small factories."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from auditapp.database import open_database  # noqa: E402
from auditapp.models import CareLeaverCategory, Database, Role  # noqa: E402
from auditapp.services.audits import create_audit  # noqa: E402
from auditapp.services.cases import CaseInput, save_case  # noqa: E402
from auditapp.services.templates import import_template_file  # noqa: E402
from auditapp.services.users import Actor  # noqa: E402

DATA = Path(__file__).parent / "data"
SMALL_TEMPLATE = DATA / "small_template.yaml"
ALEX = Actor("Alex", Role.AUDITOR)
LEAD = Actor("Lee Lead", Role.PRACTICE_LEAD)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh database file, migrated to head."""
    database = open_database(tmp_path / "audit.sqlite")
    yield database
    database.dispose()


@pytest.fixture
def small_template_id(db: Database) -> int:
    """The small test template, imported."""
    import_template_file(db, SMALL_TEMPLATE)
    from auditapp.services.templates import find_template_id

    return find_template_id(db, "small-test")


def make_case(db: Database, reference: str = "C-001", **overrides: object) -> int:
    """A case with sensible defaults; returns its id."""
    fields: dict[str, object] = {"reference": reference,
                                 "category": CareLeaverCategory.FORMER_RELEVANT,
                                 "uasc": False, "age_at_audit": 19, "team": "North",
                                 "worker": "PA A"}
    return save_case(db, CaseInput(**(fields | overrides)))  # type: ignore[arg-type]


def make_audit(db: Database, template_id: int, reference: str = "C-001",
               audit_date: date = date(2026, 3, 1), auditor: str = "Alex", **case: object) -> int:
    """A draft audit of a new case; returns the audit's id."""
    return create_audit(db, make_case(db, reference, **case), template_id, auditor, audit_date,
                        Actor(auditor, Role.AUDITOR))


DEMO_END = date(2026, 6, 30)


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-audit demo database up to DEMO_END, built once; tests only read it."""
    from auditapp.services.demo import generate_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    database = open_database(path)
    list(generate_demo(database, 300, seed=11, end=DEMO_END))
    database.dispose()
    return path


@pytest.fixture
def demo_db(demo_db_file: Path) -> Iterator[Database]:
    """The shared demo database, opened for one test."""
    database = open_database(demo_db_file)
    yield database
    database.dispose()
