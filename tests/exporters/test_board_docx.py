"""The Word edition of the board report, tested as a council uses it: read back by
python-docx, and saved as tagged PDF by LibreOffice, whose structure tree must hold the
headings, tables and figures with their alt text."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject
from sqlalchemy import func, select

from auditapp.errors import UserError
from auditapp.exporters.board_docx import (
    DRAFT,
    FIRST_ROWS_KEPT,
    WHOLE_TABLE_ROWS,
    export_board_docx,
)
from auditapp.exporters.board_pdf import export_board_pack
from auditapp.inputs.board_words import BoardWords, parse_board_words
from auditapp.models import Case, Release, User
from auditapp.rules.grades import Grade
from auditapp.services.reporting.board_figures import board_figures, board_pack
from auditapp.services.reporting.control_chart import pack_chart
from auditapp.services.reporting.figures import GRADE_COLUMNS, ReportScope
from auditapp.storage.engine import Database
from tests.builders import LEAD, ROOT, SUBPROCESS_LIMIT, graded_audit

PERIOD = ReportScope(date(2026, 1, 1), date(2026, 6, 30))
PRODUCED = datetime(2026, 7, 1, 9, 0)
EXAMPLE = ROOT / "docs" / "board-words.example.yaml"


@pytest.fixture(scope="module")
def words() -> BoardWords:
    return parse_board_words(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))


def _export(db: Database, out: Path, words: BoardWords, **options: object) -> Path:
    list(export_board_docx(db, out, PERIOD, words, today=PERIOD.date_to,
                           produced_at=PRODUCED, **options))  # type: ignore[arg-type]
    return out


@pytest.fixture(scope="module")
def demo_docx(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory,
              words: BoardWords) -> Path:
    """The Word edition of the 300-audit demo database's first half of 2026 (a draft)."""
    from auditapp.storage.database import open_database

    db = open_database(demo_db_file, backup=False)
    try:
        return _export(db, tmp_path_factory.mktemp("docx") / "board.docx", words)
    finally:
        db.dispose()


def _headings(document: DocxDocument) -> list[tuple[int, str]]:
    return [(int(p.style.name.removeprefix("Heading ")), p.text) for p in document.paragraphs
            if p.style is not None and p.style.name.startswith("Heading ")]


def _all_text(document: DocxDocument) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    section = document.sections[0]
    parts += [p.text for p in (*section.header.paragraphs, *section.footer.paragraphs)]
    return "\n".join(parts)


def test_headings_are_real_heading_styles_in_order(demo_docx: Path, words: BoardWords
                                                   ) -> None:
    headings = _headings(Document(str(demo_docx)))
    assert headings[0] == (1, words.title)
    levels = [level for level, _ in headings]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))  # no level skipped
    top = [text for level, text in headings if level == 1]
    assert top == [words.title, "1. Background", "2. Key issues",
                   "3. Next steps and the next audit programme",
                   "4. Implications for children and young people", "5. Risks and mitigation",
                   "Appendix 1: Case file audit figures"]
    assert {"Report summary", "Recommendations", "What the audits found",
            "Key messages and learning", "Change over time: control chart",
            "Final grades"} <= {text for level, text in headings if level == 2}


def test_every_table_has_a_repeated_header_row_and_a_caption(demo_docx: Path) -> None:
    document = Document(str(demo_docx))
    assert len(document.tables) >= 8
    for table in document.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr is not None and rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(r.trPr is None or r.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
        caption = table._tbl.tblPr.find(qn("w:tblCaption"))
        assert caption is not None and caption.get(qn("w:val"))


def test_a_long_table_keeps_only_its_start_with_its_caption(demo_docx: Path) -> None:
    """A table kept whole with its caption moves to the next page whole, leaving up to half
    a page empty: only a short table is kept whole; a longer one keeps its caption, header
    row and first rows together and may break after them (its header row repeated)."""
    document = Document(str(demo_docx))
    long_tables = 0
    for table in document.tables:
        kept = [any(p.paragraph_format.keep_with_next for cell in row.cells
                    for p in cell.paragraphs) for row in table.rows]
        caption = table._tbl.getprevious()
        assert caption is not None and caption.find(f".//{qn('w:keepNext')}") is not None
        data_rows = len(table.rows) - 1
        if data_rows <= WHOLE_TABLE_ROWS:
            assert kept == [True] * data_rows + [False]
        else:
            long_tables += 1
            assert kept == [True] * FIRST_ROWS_KEPT + [False] * (data_rows + 1 - FIRST_ROWS_KEPT)
    assert long_tables >= 3


def test_every_picture_has_alt_text_and_the_document_its_title_and_language(
        demo_docx: Path, words: BoardWords) -> None:
    document = Document(str(demo_docx))
    pictures = document.inline_shapes
    assert len(pictures) == 1
    for picture in pictures:
        description = picture._inline.docPr.get("descr")
        assert description and description.startswith("Control chart (p-chart)")
    assert document.core_properties.title == words.title
    assert document.core_properties.language == "en-GB"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang is not None and lang.get(qn("w:val")) == "en-GB"


def test_the_figures_are_the_board_packs(demo_docx: Path, demo_db: Database) -> None:
    """The appendix prints what the board pack prints, symbols and all; the chart's table
    gives every quarter the pack's trend has; no case reference appears anywhere."""
    pack = board_pack(board_figures(demo_db, PERIOD, 5, PERIOD.date_to))
    document = Document(str(demo_docx))
    grades = next(t for t in document.tables if t.cell(0, 0).text == "Final grade")
    printed = {row.cells[0].text: row.cells[1].text for row in grades.rows[1:]}
    for grade in GRADE_COLUMNS:
        assert printed[grade] == pack.count("overall", grade)
    assert printed["All audits"] == pack.count("overall", "total")
    quarters = next(t for t in document.tables if t.cell(0, 5).text == "Control limits")
    chart = pack_chart(pack)
    assert [row.cells[0].text for row in quarters.rows[1:]] == [p.label for p in chart.points]
    text = _all_text(document)
    with demo_db.transaction() as session:
        references = session.scalars(select(Case.reference)).all()
        people = session.scalars(select(User.name)).all()
    assert references and not [r for r in references if r in text]
    written = EXAMPLE.read_text(encoding="utf-8")  # the words name their own people
    assert not [name for name in people if name in text and name not in written]
    assert f"OFFICIAL-SENSITIVE \u00b7 {DRAFT}" in text


def test_bad_markings_are_refused_before_any_file(demo_db: Database, tmp_path: Path,
                                                  words: BoardWords) -> None:
    out = tmp_path / "board.docx"
    with pytest.raises(UserError, match="OFFICIAL is for publication"):
        _export(demo_db, out, words, marking="OFFICIAL")
    with pytest.raises(UserError, match="marking must be"):
        _export(demo_db, out, words, marking="SECRET")
    assert list(tmp_path.iterdir()) == []


def test_a_released_word_edition_and_its_pdf_are_one_release(
        db: Database, small_template_id: int, tmp_path: Path, words: BoardWords) -> None:
    """Released as OFFICIAL, the Word edition is recorded in the register; the PDF of the
    same period and figures is the same release, not a second one."""
    for i, grade in enumerate([Grade.GOOD] * 6 + [Grade.REQUIRES_IMPROVEMENT] * 6):
        graded_audit(db, small_template_id, f"R-{i}", date(2026, 2 + i % 4, 3 + i), grade)
    out = _export(db, tmp_path / "board.docx", words, marking="OFFICIAL", release=LEAD)
    document = Document(str(out))
    assert DRAFT not in _all_text(document)
    # Both quarters have 4 Good or better: withheld, so there is no chart to draw, and the
    # document says so rather than showing an empty picture.
    assert len(document.inline_shapes) == 0
    assert "Too few audits graded to draw the chart: every point is withheld." in [
        p.text for p in document.paragraphs]
    list(export_board_pack(db, tmp_path / "board.pdf", PERIOD, 5, PERIOD.date_to,
                           PRODUCED, release=LEAD))
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Release)) == 1


# --- as a council publishes it: LibreOffice's tagged PDF ------------------------------------


def _structure(path: Path) -> tuple[Counter[str], list[tuple[str, str]], str | None]:
    """The structure elements of a tagged PDF by type (through its role map), the /Alt of
    each element that has one, and the document's language."""
    catalog = PdfReader(path).trailer["/Root"]
    tree = catalog["/StructTreeRoot"].get_object()
    roles = {str(k): str(v) for k, v in tree.get("/RoleMap", {}).items()}
    kinds: Counter[str] = Counter()
    alts: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        node = node.get_object()  # type: ignore[attr-defined]
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
            return
        if not isinstance(node, DictionaryObject):
            return
        if "/S" in node:
            kind = roles.get(str(node["/S"]), str(node["/S"]))
            kinds[kind] += 1
            if "/Alt" in node:
                alts.append((kind, str(node["/Alt"])))
        if "/K" in node:
            walk(node["/K"])

    walk(tree)
    language = catalog.get("/Lang")
    return kinds, alts, None if language is None else str(language)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_makes_a_tagged_pdf_of_it(demo_docx: Path, tmp_path: Path) -> None:
    profile = (tmp_path / "lo-profile").absolute().as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}',
         "--outdir", str(tmp_path), str(demo_docx)],
        check=True, capture_output=True, timeout=SUBPROCESS_LIMIT)
    pdf = tmp_path / "board.pdf"
    kinds, alts, language = _structure(pdf)
    assert kinds["/H1"] == 7 and kinds["/H2"] >= 10
    assert kinds["/Table"] == len(Document(str(demo_docx)).tables)
    assert kinds["/TH"] >= 3 * kinds["/Table"]  # header cells, not ordinary cells
    assert kinds["/Figure"] == 1
    description = Document(str(demo_docx)).inline_shapes[0]._inline.docPr.get("descr")
    assert alts == [("/Figure", description)]
    assert language == "en-GB"
    assert PdfReader(pdf).metadata.title == Document(str(demo_docx)).core_properties.title


def test_the_appendix_holds_the_findings_and_every_kappa_with_its_n(demo_docx: Path,
                                                                    demo_db: Database) -> None:
    document = Document(str(demo_docx))
    level_two = [text for level, text in _headings(document) if level == 2]
    for heading in ("Grades by strategic priority", "Compliance indicators",
                    "Voice of young people", "Grades by cohort", "Agreement"):
        assert heading in level_two
    captions = [t._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val"))
                for t in document.tables]
    assert any(c.startswith("Final grades by age at audit") for c in captions) or \
        "not split by age band" in _all_text(document)
    assert any(c.startswith("Actions by age at audit") for c in captions) or \
        "not split by age band" in _all_text(document)
    kappas = [row.cells[1].text for table in document.tables
              if table.rows[0].cells[-1].text in ("Kappa", "Figure")
              for row in table.rows[1:] if row.cells[1].text[:1].isdigit()
              or row.cells[1].text.startswith("-0")]
    assert all(re.search(r"\(n = [\d,]+\)$", k) for k in kappas if "." in k), kappas
