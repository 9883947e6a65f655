"""A board report prepared in the app, produced as the PDF board pack with its words, or as
the Word edition (:mod:`board_pdf`, :mod:`board_docx`).

A draft is produced from the figures now and marked as a draft on every page. A released
report is produced from its release's manifest and its frozen words: the same bytes every
time, for as long as the audits it counted are unchanged (see
:func:`~auditapp.services.reporting.board_reports.report_edition`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from auditapp.exporters.board_docx import WordEdition, write_document
from auditapp.exporters.board_pdf import Cover, write_board_pack
from auditapp.rules.permissions import Actor
from auditapp.services.reporting.board_reports import report_edition
from auditapp.services.reporting.control_chart import pack_chart
from auditapp.storage.atomic_files import check_target
from auditapp.storage.engine import Database

#: The editions a report is produced as, by the file name's suffix.
SUFFIXES = {"pdf": ".pdf", "docx": ".docx"}


def produce_report(db: Database, report_id: int, out: Path, edition: str, actor: Actor,
                   today: date | None = None) -> Iterator[tuple[int, int]]:
    """Write report ``report_id`` to ``out`` as its ``edition`` ("pdf" or "docx"); yields
    ``(steps done, 4)``. Run it off the UI thread; closing the generator cancels it, and
    nothing is left behind. ``UserError`` (before any file is made) for a period with too
    few audits, or a released report whose audits changed since."""
    out = check_target(out)
    if edition not in SUFFIXES:
        raise ValueError(f"no edition {edition!r}")
    yield 0, 4
    made = report_edition(db, report_id, actor, today)
    yield 2, 4
    if edition == "pdf":
        yield from write_board_pack(out, made.pack, made.manifest,
                                    Cover(made.words.council, made.marking, made.words))
    else:
        yield from write_document(out, WordEdition(
            made.pack, pack_chart(made.pack), made.words, made.marking, made.draft,
            made.manifest.as_at, made.manifest.produced_at))
