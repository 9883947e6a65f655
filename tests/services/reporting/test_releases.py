"""The release register: released board packs count disjoint audits, so no two can be
subtracted to isolate an audit (the issue's differencing attack), and only a lead releases."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from auditapp.errors import PermissionDeniedError, UserError
from auditapp.exporters.board_pdf import DRAFT, export_board_pack
from auditapp.exporters.pdf_layout import read_stamp
from auditapp.models import Audit, Release, ReleasedAudit
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.reporting.manifest import Manifest
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, run_auditapp

APR_SEP = ReportScope(date(2025, 4, 1), date(2025, 9, 30))
APR_18_SEP = ReportScope(date(2025, 4, 1), date(2025, 9, 18))  # twelve days fewer
OCT_MAR = ReportScope(date(2025, 10, 1), date(2026, 3, 31))
PRODUCED = datetime(2026, 7, 1, 9, 0)


@pytest.fixture
def demo_copy(demo_db_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the demo database of this test's own, to release packs from."""
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_db_file, path)
    database = open_database(path, backup=False)
    yield database
    database.dispose()


def _release(db: Database, out: Path, scope: ReportScope, **options: object) -> Manifest:
    list(export_board_pack(db, out, scope, today=date(2026, 6, 30), produced_at=PRODUCED,
                           release=LEAD, **options))  # type: ignore[arg-type]
    text = read_stamp(out)
    assert text is not None
    return Manifest.from_json(text, str(out))


def _registered(db: Database) -> tuple[int, int]:
    with db.transaction() as session:
        return (session.scalar(select(func.count()).select_from(Release)) or 0,
                session.scalar(select(func.count()).select_from(ReleasedAudit)) or 0)


def _text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_the_issues_differencing_attack_is_refused_for_release(demo_copy: Database,
                                                              tmp_path: Path) -> None:
    first = _release(demo_copy, tmp_path / "apr-sep.pdf", APR_SEP)
    assert first.release and len(first.audits) == _registered(demo_copy)[1]
    assert all(APR_SEP.date_from <= _audit_date(demo_copy, a.id) <= APR_SEP.date_to
               for a in first.audits)  # a release counts its own period only
    before = _registered(demo_copy)
    with pytest.raises(UserError, match=f"counted by release {first.release}") as refused:
        _release(demo_copy, tmp_path / "apr-18-sep.pdf", APR_18_SEP)
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "apr-18-sep.pdf").exists()
    assert _registered(demo_copy) == before
    # As a draft it may be made, marked so on every page, and is not registered.
    draft = tmp_path / "draft.pdf"
    list(export_board_pack(demo_copy, draft, APR_18_SEP, today=date(2026, 6, 30)))
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(draft).pages]
    assert all(DRAFT in page for page in pages)
    assert DRAFT not in _text(tmp_path / "apr-sep.pdf")
    assert _registered(demo_copy) == before


def _audit_date(db: Database, audit: int) -> date:
    with db.transaction() as session:
        found = session.scalar(select(Audit.audit_date).where(Audit.id == audit))
    assert found is not None
    return found


def test_a_one_template_pack_inside_an_all_templates_release_is_refused(
        demo_copy: Database, tmp_path: Path) -> None:
    first = _release(demo_copy, tmp_path / "all.pdf", APR_SEP)
    one = ReportScope(APR_SEP.date_from, APR_SEP.date_to,
                      template_key="pathway-plan-quality")
    with pytest.raises(UserError, match=f"counted by release {first.release}"):
        _release(demo_copy, tmp_path / "one.pdf", one)


def test_disjoint_consecutive_half_years_are_both_released(demo_copy: Database,
                                                           tmp_path: Path) -> None:
    first = _release(demo_copy, tmp_path / "first.pdf", APR_SEP)
    second = _release(demo_copy, tmp_path / "second.pdf", OCT_MAR)
    assert first.release != second.release
    assert not {a.uid for a in first.audits} & {a.uid for a in second.audits}
    assert _registered(demo_copy) == (2, len(first.audits) + len(second.audits))
    assert "For release: no figures of any earlier period" in _text(tmp_path / "second.pdf")


def test_the_same_release_rebuilt_is_allowed_until_an_audit_changes(
        demo_copy: Database, tmp_path: Path) -> None:
    first = _release(demo_copy, tmp_path / "first.pdf", APR_SEP)
    again = _release(demo_copy, tmp_path / "again.pdf", APR_SEP)
    assert again.release == first.release and again.audits == first.audits
    assert (tmp_path / "again.pdf").read_bytes() == (tmp_path / "first.pdf").read_bytes()
    assert _registered(demo_copy)[0] == 1
    with demo_copy.transaction() as session:  # an audit of the release changes
        audit = session.get_one(Audit, first.audits[0].id)
        audit.revision += 1
    with pytest.raises(UserError, match=f"counted by release {first.release}"):
        _release(demo_copy, tmp_path / "changed.pdf", APR_SEP)


def test_an_auditor_may_not_release(demo_copy: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    with pytest.raises(PermissionDeniedError, match="may not release board packs"):
        list(export_board_pack(demo_copy, out, APR_SEP, today=date(2026, 6, 30),
                               release=ALEX))
    assert not out.exists() and _registered(demo_copy) == (0, 0)


def test_the_command_line_refuses_an_overlapping_release_in_one_line(
        demo_db_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_db_file, path)
    common = ("export", "board-pdf", "--from", "2025-04-01", "--release", "--as-at",
              "2026-06-30")
    done = run_auditapp(path, *common, "--to", "2025-09-30", "--out", str(tmp_path / "a.pdf"))
    assert done.returncode == 0, done.stderr
    assert "released" in done.stdout
    refused = run_auditapp(path, *common, "--to", "2025-09-18", "--out",
                           str(tmp_path / "b.pdf"))
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "counted by release" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "b.pdf").exists()
