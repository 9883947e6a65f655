"""Board reports prepared in the app: a released report cannot change, two saves from one
read cannot both land, a release that overlaps an earlier one is refused and leaves a draft,
and a released report is produced again as the same bytes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import func, select

from auditapp.errors import ConcurrentEditError, PermissionDeniedError, UserError
from auditapp.exporters.board_pdf import DRAFT, export_board_pack
from auditapp.exporters.board_report import produce_report
from auditapp.models import Audit, BoardReport, Release
from auditapp.rules.markings import OFFICIAL
from auditapp.services import settings as app_settings
from auditapp.services.audits import workflow
from auditapp.services.reporting import board_reports as reports
from auditapp.services.reporting.figures import ReportScope
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD

H1 = reports.ReportSettings(
    title="Case file audits: first half of 2026", date_from=date(2026, 1, 1),
    date_to=date(2026, 6, 30), committee="Corporate Parenting Partnership Board",
    meeting_date=date(2026, 7, 21), author="Lee Lead, Practice Lead", marking=OFFICIAL,
    threshold=5)
WORDS = {"summary": "Plans are better than last year.\n\nThe board is asked to note it.",
         "recommendations": "- Note the findings\n- Endorse the next audit programme",
         "key_messages": "Pathway plans are reviewed on time in most files.",
         "next_steps": "Audit 40 files from each team by December."}


def _written(db: Database, settings: reports.ReportSettings = H1) -> reports.ReportRow:
    row = reports.start_report(db, settings, LEAD)
    return reports.save_words(db, row.id, WORDS, row.revision, LEAD)


def _stored(db: Database) -> list[tuple[object, ...]]:
    with db.transaction() as session:
        return [(r.id, r.revision, r.title, dict(r.words), r.release_id, r.marking)
                for r in session.scalars(select(BoardReport).order_by(BoardReport.id))]


def _releases(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Release)) or 0


def _pdf_text(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_only_a_practice_lead_prepares_reports(demo_copy: Database) -> None:
    with pytest.raises(PermissionDeniedError):
        reports.start_report(demo_copy, H1, ALEX)
    row = reports.start_report(demo_copy, H1, LEAD)
    for call in (lambda: reports.list_reports(demo_copy, ALEX),
                 lambda: reports.read_report(demo_copy, row.id, ALEX),
                 lambda: reports.save_words(demo_copy, row.id, WORDS, row.revision, ALEX),
                 lambda: reports.release_report(demo_copy, row.id, row.revision, ALEX)):
        before = _stored(demo_copy)
        with pytest.raises(PermissionDeniedError):
            call()
        assert _stored(demo_copy) == before


def test_two_saves_from_one_read_the_second_is_refused_and_nothing_is_lost(
        demo_copy: Database) -> None:
    row = reports.start_report(demo_copy, H1, LEAD)
    mine = reports.save_words(demo_copy, row.id, {"summary": "Mine."}, row.revision, LEAD)
    before = _stored(demo_copy)
    with pytest.raises(ConcurrentEditError, match="saved elsewhere"):
        reports.save_words(demo_copy, row.id, {"summary": "Theirs."}, row.revision, LEAD)
    assert _stored(demo_copy) == before
    assert reports.read_report(demo_copy, row.id, LEAD).words["summary"] == "Mine."
    # The second writer reloads and saves on top: both parts are kept.
    again = reports.save_words(demo_copy, row.id, {"next_steps": "Theirs."}, mine.revision,
                               LEAD)
    assert again.words["summary"] == "Mine." and again.words["next_steps"] == "Theirs."
    with pytest.raises(ConcurrentEditError):
        reports.change_settings(demo_copy, row.id, H1, row.revision, LEAD)


@pytest.mark.parametrize(("words", "problem"), [
    ({"summary": "a\x00b"}, "control character"),
    ({"summary": "x" * 100_001}, "at most 100,000"),
    ({"verdict": "guilty"}, "not a part of a board report"),
])
def test_hostile_words_are_refused_and_nothing_changes(demo_copy: Database,
                                                       words: dict[str, str],
                                                       problem: str) -> None:
    row = reports.start_report(demo_copy, H1, LEAD)
    before = _stored(demo_copy)
    with pytest.raises(UserError, match=problem):
        reports.save_words(demo_copy, row.id, words, row.revision, LEAD)
    assert _stored(demo_copy) == before


@pytest.mark.parametrize(("change", "problem"), [
    ({"title": " "}, "title is needed"),
    ({"title": "x" * 201}, "at most 200"),
    ({"committee": "Board\x07"}, "control characters"),
    ({"date_from": date(2026, 7, 1)}, "must not be after"),
    ({"marking": "SECRET"}, "marking must be"),
    ({"threshold": 1}, "threshold must be"),
    ({"meeting_date": date(1800, 1, 1)}, "meeting date"),
])
def test_bad_settings_are_refused(demo_copy: Database, change: dict[str, object],
                                  problem: str) -> None:
    from dataclasses import replace
    with pytest.raises(UserError, match=problem):
        reports.start_report(demo_copy, replace(H1, **change), LEAD)  # type: ignore[arg-type]
    assert _stored(demo_copy) == []


def test_a_released_report_cannot_change(demo_copy: Database) -> None:
    row = _written(demo_copy)
    released = reports.release_report(demo_copy, row.id, row.revision, LEAD,
                                      today=date(2026, 7, 1))
    assert released.status == reports.RELEASED and released.manifest
    before = _stored(demo_copy)
    for call in (
            lambda: reports.save_words(demo_copy, row.id, {"summary": "Rewritten."},
                                       released.revision, LEAD),
            lambda: reports.change_settings(demo_copy, row.id, H1, released.revision, LEAD),
            lambda: reports.release_report(demo_copy, row.id, released.revision, LEAD)):
        with pytest.raises(UserError, match="can no longer change"):
            call()
        assert _stored(demo_copy) == before


def test_a_release_that_overlaps_an_earlier_one_is_refused_and_stays_a_draft(
        demo_copy: Database, tmp_path: Path) -> None:
    list(export_board_pack(demo_copy, tmp_path / "q2.pdf",
                           ReportScope(date(2026, 4, 1), date(2026, 6, 30)),
                           today=date(2026, 7, 1), release=LEAD))
    row = _written(demo_copy)
    before, releases = _stored(demo_copy), _releases(demo_copy)
    with pytest.raises(UserError, match="Not released: .* are counted by release") as refused:
        reports.release_report(demo_copy, row.id, row.revision, LEAD, today=date(2026, 7, 1))
    assert "\n" not in str(refused.value)
    assert _stored(demo_copy) == before and _releases(demo_copy) == releases
    assert reports.read_report(demo_copy, row.id, LEAD).status == reports.DRAFT


def test_a_report_with_parts_missing_is_not_released(demo_copy: Database) -> None:
    row = reports.start_report(demo_copy, H1, LEAD)
    row = reports.save_words(demo_copy, row.id, {"summary": "Only this."}, row.revision, LEAD)
    with pytest.raises(UserError, match="Recommendations, Key messages"):
        reports.release_report(demo_copy, row.id, row.revision, LEAD)
    assert _releases(demo_copy) == 0


def test_a_released_report_is_produced_again_as_the_same_bytes(demo_copy: Database,
                                                              tmp_path: Path) -> None:
    app_settings.set_council_name(demo_copy, "Borsetshire County Council", LEAD)
    row = _written(demo_copy)
    row = reports.release_report(demo_copy, row.id, row.revision, LEAD, today=date(2026, 7, 1))
    for edition in ("pdf", "docx"):
        first, second = tmp_path / f"first.{edition}", tmp_path / f"second.{edition}"
        list(produce_report(demo_copy, row.id, first, edition, LEAD))
        list(produce_report(demo_copy, row.id, second, edition, LEAD, today=date(2027, 1, 1)))
        assert first.read_bytes() == second.read_bytes(), edition
    pages = _pdf_text(tmp_path / "first.pdf")
    assert "Borsetshire County Council" in pages[0]
    assert "Meeting of 21 Jul 2026" in pages[0] and "Lee Lead, Practice Lead" in pages[0]
    assert all(page.startswith("OFFICIAL") or "OFFICIAL " in page for page in pages)
    assert "OFFICIAL-SENSITIVE" not in " ".join(pages) and DRAFT not in " ".join(pages)
    assert "Plans are better than last year." in " ".join(pages)
    word = Document(str(tmp_path / "first.docx"))
    body = "\n".join(p.text for p in word.paragraphs)
    assert "Borsetshire County Council" in body and "Endorse the next audit programme" in body
    assert word.sections[0].header.paragraphs[0].text == "OFFICIAL"


def test_a_released_report_whose_audits_changed_is_not_produced_as_it_was(
        demo_copy: Database, tmp_path: Path) -> None:
    row = _written(demo_copy)
    row = reports.release_report(demo_copy, row.id, row.revision, LEAD, today=date(2026, 7, 1))
    with demo_copy.transaction() as session:
        closed = session.scalars(select(Audit.id).where(Audit.status == "closed",
                                                        Audit.audit_date >= H1.date_from,
                                                        Audit.audit_date <= H1.date_to)
                                 ).first()
    assert closed is not None
    workflow.reopen_audit(demo_copy, closed, "A late correction", LEAD)
    with pytest.raises(UserError, match=f"audits changed since:\n  audit {closed} "):
        list(produce_report(demo_copy, row.id, tmp_path / "again.pdf", "pdf", LEAD))
    assert not (tmp_path / "again.pdf").exists()


def test_a_draft_is_marked_draft_and_shows_what_is_not_written(demo_copy: Database,
                                                               tmp_path: Path) -> None:
    row = reports.start_report(demo_copy, H1, LEAD)
    row = reports.save_words(demo_copy, row.id, {"summary": "Early words."}, row.revision,
                             LEAD)
    list(produce_report(demo_copy, row.id, tmp_path / "draft.pdf", "pdf", LEAD))
    pages = _pdf_text(tmp_path / "draft.pdf")
    assert all(DRAFT in page for page in pages)
    assert "Early words." in " ".join(pages) and reports.NOT_WRITTEN in " ".join(pages)
    list(produce_report(demo_copy, row.id, tmp_path / "draft.docx", "docx", LEAD))
    header = Document(str(tmp_path / "draft.docx")).sections[0].header.paragraphs[0].text
    assert header == f"OFFICIAL \u00b7 {DRAFT}"
    assert _releases(demo_copy) == 0


@pytest.mark.both_backends
def test_the_revision_lock_holds_on_each_backend(db: Database) -> None:
    """The words column (JSON) and the revision lock on SQLite and on PostgreSQL."""
    row = reports.start_report(db, H1, LEAD)
    first = reports.save_words(db, row.id, {"summary": "Ünïcode – and a \"quote\"."},
                               row.revision, LEAD)
    assert first.revision == row.revision + 1
    with pytest.raises(ConcurrentEditError):
        reports.save_words(db, row.id, {"summary": "Stale."}, row.revision, LEAD)
    again = reports.read_report(db, row.id, LEAD)
    assert again.words["summary"] == "Ünïcode – and a \"quote\"."
    assert again.revision == first.revision
    assert [r.id for r in reports.list_reports(db, LEAD)] == [row.id]
