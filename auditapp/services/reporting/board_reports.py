"""Board reports prepared in the app: a practice lead starts one for a period and scope, writes
its words (the narrative parts of a board words file) around the figures, releases it, and
produces it as a PDF or a Word edition.

A draft's words and settings change freely, each save checked against the revision the
writer read (two people saving the same draft cannot lose each other's words). Releasing
records the report's figures in the release register, by the same rule as ``export board-pdf
--release`` (no audit counted by two releases), and freezes the report: its settings, its
words and the release's manifest (kept with the words, under :data:`MANIFEST`) no longer
change, so that it is produced again as the same bytes for as long as the audits it counted
are unchanged; when they changed, it cannot be produced as it was, as ``export rebuild``
says.

Only practice leads prepare, read and release reports (:attr:`Permission.PREPARE_REPORTS`,
:attr:`Permission.RELEASE_REPORTS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auditapp.errors import ConcurrentEditError, NotFoundError, UserError
from auditapp.inputs.board_words import NARRATIVE, BoardWords, narrative_of, text_problem
from auditapp.models import BoardReport, Release
from auditapp.rules.limits import (
    NAME_CHARS,
    TEMPLATE_ID_CHARS,
    TITLE_CHARS,
    check_threshold,
    require_date,
)
from auditapp.rules.limits import require_length as _require_length
from auditapp.rules.markings import MARKINGS
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.rules.wording import day_text
from auditapp.services.reporting import manifest as manifests
from auditapp.services.reporting import releases
from auditapp.services.reporting.board_figures import (
    BoardFigures,
    BoardPack,
    board_figures,
    board_pack,
    pack_manifest,
)
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.settings import council_name
from auditapp.storage.engine import Database

#: The key under which a released report keeps its release's manifest, beside its words.
MANIFEST = "manifest"
#: The parts a report must have written before it is released; the others may stay empty.
REQUIRED = ("summary", "recommendations", "key_messages", "next_steps")
#: Printed for a part not written yet (a draft), and for an optional part left empty.
NOT_WRITTEN = "[Not written yet]"
NONE_WRITTEN = "None."
DRAFT = "Draft"
RELEASED = "Released"


@dataclass(frozen=True)
class ReportSettings:
    """What a report is about and whom it is for: everything but its words."""

    title: str
    date_from: date
    date_to: date
    committee: str
    meeting_date: date
    author: str
    marking: str
    threshold: int
    team: str | None = None
    template_key: str | None = None

    @property
    def scope(self) -> ReportScope:
        """The audits the report counts."""
        return ReportScope(self.date_from, self.date_to, self.team, self.template_key)

    def scope_text(self) -> str:
        """The team and template it is limited to, in words ("All teams, all templates")."""
        return (f"{'Team ' + self.team if self.team else 'All teams'}, "
                f"{'template ' + self.template_key if self.template_key else 'all templates'}")


@dataclass(frozen=True)
class ReportRow:
    """A board report as plain data."""

    id: int
    settings: ReportSettings
    words: Mapping[str, str]  # narrative part -> text as typed ("" when not written)
    revision: int
    started_by: str
    updated_at: datetime
    release: str | None  # the release register's uid, once released
    released_at: datetime | None
    released_by: str | None
    manifest: str | None  # the release's manifest (JSON), once released

    @property
    def status(self) -> str:
        """Draft or Released."""
        return RELEASED if self.release else DRAFT

    @property
    def frozen(self) -> bool:
        """Whether its words and settings can no longer change."""
        return self.release is not None

    def missing(self) -> list[str]:
        """The headings of the parts that must be written before it is released."""
        return [NARRATIVE[part] for part in REQUIRED if not self.words.get(part, "").strip()]


@dataclass(frozen=True)
class ReportEdition:
    """What an edition of a report is made from: its figures, protected, with the manifest
    they carry, and its words as the editions print them."""

    pack: BoardPack
    manifest: manifests.Manifest
    words: BoardWords
    marking: str
    draft: bool


# --- checks -------------------------------------------------------------------------------------


def check_settings(settings: ReportSettings) -> ReportSettings:
    """``settings`` with its texts trimmed, or a :class:`UserError` naming what is wrong."""
    texts = {}
    for name, what, limit in (("title", "The title", TITLE_CHARS),
                              ("committee", "The committee", TITLE_CHARS),
                              ("author", "The author", TITLE_CHARS)):
        value = " ".join(getattr(settings, name).split())
        if not value:
            raise UserError(f"{what} is needed.")
        _require_length(what, value, limit)
        if any(not character.isprintable() for character in value):
            raise UserError(f"{what} may not hold control characters.")
        texts[name] = value
    team = (settings.team or "").strip() or None
    template = (settings.template_key or "").strip() or None
    _require_length("The team", team or "", NAME_CHARS)
    _require_length("The template id", template or "", TEMPLATE_ID_CHARS)
    for what, day in (("The first day", settings.date_from), ("The last day", settings.date_to),
                      ("The meeting date", settings.meeting_date)):
        require_date(what, day)
    if settings.date_from > settings.date_to:
        raise UserError("The period's first day must not be after its last day.")
    if settings.marking not in MARKINGS:
        raise UserError(f"The marking must be {' or '.join(MARKINGS)}, not "
                        f"{settings.marking!r}.")
    check_threshold(settings.threshold)
    return replace(settings, team=team, template_key=template, title=texts["title"],
                   committee=texts["committee"], author=texts["author"])


def check_words(words: Mapping[str, str]) -> dict[str, str]:
    """``words`` (part -> text), or a :class:`UserError` for an unknown part, a text too long
    or one holding a control character."""
    for part, text in words.items():
        if not isinstance(text, str):
            raise UserError(f"'{part}' must be text.")
        problem = text_problem(part, text)
        if problem:
            raise UserError(problem + ".")
    return dict(words)


# --- use cases ----------------------------------------------------------------------------------


def start_report(db: Database, settings: ReportSettings, actor: Actor) -> ReportRow:
    """Start a draft report with no words yet. Practice leads only."""
    require(actor, Permission.PREPARE_REPORTS)
    settings = check_settings(settings)
    with db.transaction() as session:
        report = BoardReport(words={}, actor_id=actor.id, **_columns(settings))
        session.add(report)
        session.flush()
        return _row(session, report)


def list_reports(db: Database, actor: Actor) -> list[ReportRow]:
    """Every report, newest first."""
    require(actor, Permission.PREPARE_REPORTS)
    with db.transaction() as session:
        reports = session.scalars(select(BoardReport).order_by(BoardReport.id.desc())).all()
        return [_row(session, report) for report in reports]


def read_report(db: Database, report_id: int, actor: Actor) -> ReportRow:
    """One report; ``NotFoundError`` if there is none by that number."""
    require(actor, Permission.PREPARE_REPORTS)
    with db.transaction() as session:
        return _row(session, _get(session, report_id))


def save_words(db: Database, report_id: int, words: Mapping[str, str], revision: int,
               actor: Actor) -> ReportRow:
    """Save the parts in ``words`` (the others are kept) of a draft read at ``revision``.

    ``ConcurrentEditError`` when it was saved since (by someone else, or another window):
    nothing is written, and the caller keeps its words to save again on top of theirs.
    ``UserError`` for a released report."""
    require(actor, Permission.PREPARE_REPORTS)
    words = check_words(words)
    with db.transaction() as session:
        report = _draft(session, report_id, revision)
        if all(report.words.get(part, "") == text for part, text in words.items()):
            return _row(session, report)
        report.words = {**report.words, **words}
        report.updated_at = manifests.now()
        session.flush()
        return _row(session, report)


def change_settings(db: Database, report_id: int, settings: ReportSettings, revision: int,
                    actor: Actor) -> ReportRow:
    """Change a draft's settings (period, scope, threshold, title, meeting, marking), read at
    ``revision``; refused as :func:`save_words` refuses."""
    require(actor, Permission.PREPARE_REPORTS)
    settings = check_settings(settings)
    with db.transaction() as session:
        report = _draft(session, report_id, revision)
        for name, value in _columns(settings).items():
            setattr(report, name, value)
        report.updated_at = manifests.now()
        session.flush()
        return _row(session, report)


def release_report(db: Database, report_id: int, revision: int, actor: Actor,
                   today: date | None = None) -> ReportRow:
    """Release a draft read at ``revision``: its figures are recorded in the release register
    (refused, with the register's one-line reason and nothing changed, when they count an
    audit another release counts) and the report is frozen with the release's manifest.

    ``UserError`` when a required part is not written, when the period has too few audits, or
    for a report already released; ``ConcurrentEditError`` when it was saved since ``revision``.
    ``today`` dates the actions judged overdue (default: today)."""
    require(actor, Permission.RELEASE_REPORTS)
    require(actor, Permission.PREPARE_REPORTS)
    today = today or date.today()
    row = read_report(db, report_id, actor)
    if row.frozen:
        raise _frozen(row)
    if row.revision != revision:
        raise _stale()
    if row.missing():
        raise UserError("Not released: write its " + ", ".join(row.missing()) + " first.")
    figures, pack = _figures(db, row.settings, today)
    manifest = pack_manifest(db, row.settings.scope, today, figures, pack, manifests.now())
    try:
        with db.transaction() as session:
            report = _draft(session, report_id, revision)
            manifest = replace(manifest,
                               release=releases.record_release(session, manifest, actor))
            report.release_id = session.scalars(
                select(Release.id).where(Release.uid == manifest.release)).one()
            report.words = {**report.words, MANIFEST: manifest.to_json()}
            session.flush()
            return _row(session, report)
    except IntegrityError as exc:
        raise UserError(releases.RACED) from exc


def report_edition(db: Database, report_id: int, actor: Actor, today: date | None = None
                   ) -> ReportEdition:
    """What to produce a report from. A draft: the figures now (actions as at ``today``),
    marked as a draft. A released report: its release's manifest and figures, exactly, so
    that it is produced as the same bytes; ``UserError`` listing the audits that changed
    since it was released, as ``export rebuild`` does, when it cannot be."""
    row = read_report(db, report_id, actor)
    if not row.frozen:
        today = today or date.today()
        figures, pack = _figures(db, row.settings, today)
        manifest = pack_manifest(db, row.settings.scope, today, figures, pack,
                                 manifests.now())
        return ReportEdition(pack, manifest, edition_words(db, row), row.settings.marking, True)
    if row.manifest is None:
        raise UserError(f"Report {row.id} was released but its manifest is missing: it cannot "
                        "be produced again.")
    stored = manifests.Manifest.from_json(row.manifest, f"report {row.id}")
    changes = manifests.changes_since(db, stored)
    if not changes.none:
        raise UserError(f"Report {row.id} cannot be produced as it was released: audits "
                        "changed since:\n" + "\n".join(f"  {line}" for line in changes.lines()))
    figures, pack = _figures(db, row.settings, stored.as_at)
    again = pack_manifest(db, row.settings.scope, stored.as_at, figures, pack,
                          stored.produced_at)
    if again.figures_hash != stored.figures_hash:
        raise UserError(f"Report {row.id} cannot be produced as it was released: its figures "
                        "are no longer the same (a template it counts changed).")
    return ReportEdition(pack, stored, edition_words(db, row), row.settings.marking, False)


def preview_pack(db: Database, report_id: int, actor: Actor, today: date | None = None
                 ) -> BoardPack:
    """The report's figures, protected, for its preview: a draft's now (actions as at
    ``today``), a released report's as released. ``UserError`` for a period with too few
    audits."""
    row = read_report(db, report_id, actor)
    if row.manifest is not None:
        today = manifests.Manifest.from_json(row.manifest, f"report {row.id}").as_at
    return _figures(db, row.settings, today or date.today())[1]


def edition_words(db: Database, row: ReportRow) -> BoardWords:
    """The report's words and front sheet as the editions print them; a part not written
    reads :data:`NOT_WRITTEN` (a draft) or :data:`NONE_WRITTEN` (an optional part)."""
    settings = row.settings
    narrative = {}
    for part in NARRATIVE:
        text = row.words.get(part, "")
        narrative[part] = narrative_of(text) if text.strip() else (
            (NOT_WRITTEN if part in REQUIRED else NONE_WRITTEN,), False)
    return BoardWords(committee=settings.committee, meeting_date=settings.meeting_date,
                      title=settings.title, author=(settings.author,),
                      approving_director="Not applicable", wards="Borough-wide",
                      key_decision="No", background_papers="None", council=council_name(db),
                      narrative=narrative)


# --- the parts ----------------------------------------------------------------------------------


def _figures(db: Database, settings: ReportSettings, today: date
             ) -> tuple[BoardFigures, BoardPack]:
    """The figures as released: the period's own audits only, so that a draft shows what its
    release will publish."""
    figures = board_figures(db, settings.scope, settings.threshold, today,
                            own_period_only=True)
    return figures, board_pack(figures)


def _columns(settings: ReportSettings) -> dict[str, object]:
    return {"title": settings.title, "date_from": settings.date_from,
            "date_to": settings.date_to, "team": settings.team,
            "template_key": settings.template_key, "threshold": settings.threshold,
            "marking": settings.marking, "committee": settings.committee,
            "meeting_date": settings.meeting_date, "author": settings.author}


def _get(session: Session, report_id: int) -> BoardReport:
    report = session.get(BoardReport, report_id)
    if report is None:
        raise NotFoundError(f"There is no board report {report_id}.")
    return report


def _draft(session: Session, report_id: int, revision: int) -> BoardReport:
    """The report to change: a draft still at ``revision``."""
    report = _get(session, report_id)
    if report.release_id is not None:
        raise _frozen(_row(session, report))
    if report.revision != revision:
        raise _stale()
    return report


def _frozen(row: ReportRow) -> UserError:
    when = f" on {day_text(row.released_at.date())}" if row.released_at else ""
    return UserError(f"Report {row.id} was released{when} (release {row.release}): its words "
                     "and settings can no longer change. Start a new report instead.")


def _stale() -> ConcurrentEditError:
    return ConcurrentEditError("This report was saved elsewhere while you had it open, so "
                               "your latest changes were not saved. Reload it to see the "
                               "other changes; yours are kept to save again on top.")


def _row(session: Session, report: BoardReport) -> ReportRow:
    release = session.get(Release, report.release_id) if report.release_id else None
    settings = ReportSettings(
        report.title, report.date_from, report.date_to, report.committee,
        report.meeting_date or report.date_to, report.author, report.marking,
        report.threshold, report.team, report.template_key)
    words = {part: str(report.words.get(part, "")) for part in NARRATIVE}
    manifest = report.words.get(MANIFEST)
    return ReportRow(report.id, settings, words, report.revision, report.actor,
                     report.updated_at, release.uid if release else None,
                     release.released_at if release else None,
                     release.actor if release else None,
                     manifest if isinstance(manifest, str) else None)

