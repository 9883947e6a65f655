"""The board pack: figures against the database, suppression, and no identifiers."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Group, Rect, Shape, String
from reportlab.lib.units import mm

from auditapp.errors import UserError
from auditapp.exporters.board_pdf import (
    distribution_chart,
    export_board_pack,
    rebuild_board_pack,
    trend_chart,
)
from auditapp.exporters.pdf_layout import read_stamp
from auditapp.models import Audit
from auditapp.rules.grades import Grade
from auditapp.services import demo
from auditapp.services.audits.editing import AuditChanges, load_audit, save_changes, submit_audit
from auditapp.services.reporting.board_figures import (
    board_figures,
    board_pack,
    default_period,
    disclosure_model,
)
from auditapp.services.reporting.control_chart import pack_chart
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.reporting.manifest import BOARD_PACK, Manifest
from auditapp.services.reporting.stats import grade_counts
from auditapp.storage.engine import Database
from tests.builders import ALEX, DEMO_END, LEAD, answer_all, graded_audit, make_audit

PERIOD = ReportScope(date(2026, 1, 1), date(2026, 6, 30))
O, G, RI, I = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def _graded(db: Database, template_id: int, reference: str, day: date, grade: Grade) -> None:
    """A submitted audit of the small template with the given overall grade."""
    audit = make_audit(db, template_id, reference, day, worker="Sam Worker")
    answer_all(db, audit, {"A.1": "Y", "A.2": "Y", "A.3": "M", "B.1": "Y", "B.2": "Y"})
    suggested = load_audit(db, audit, LEAD).suggested_grade
    sections = {s.key: s.id for s in load_audit(db, audit, LEAD).template.sections}
    from auditapp.services.audits.editing import JudgementChange

    save_changes(db, audit, AuditChanges(
        judgements={s: JudgementChange(s, G, "") for s in sections.values()
                    if s != sections["C"]},
        overall=(grade, "" if grade == suggested else "Because of the impact seen."),
        narrative={"strengths": f"Strength noted for {reference}."}), ALEX)
    submit_audit(db, audit, ALEX)


@pytest.fixture
def small_period(db: Database, small_template_id: int) -> Database:
    """15 audits from January to June 2026 (2 Outstanding, 8 Good, 5 RI) and 6 Good ones in
    the six months before."""
    grades = [O, O, G, G, G, G, G, G, G, G, RI, RI, RI, RI, RI]
    for i, grade in enumerate(grades):
        _graded(db, small_template_id, f"CL-{i:02d}", date(2026, 1 + i % 6, 10), grade)
    for i in range(6):
        _graded(db, small_template_id, f"OLD-{i}", date(2025, 8 + i % 4, 3), G)
    return db


def test_small_counts_are_withheld_and_cannot_be_worked_out(small_period: Database,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(small_period, out, PERIOD, today=PERIOD.date_to))
    text = _pdf_text(out)
    # 2 Outstanding is withheld; Good (8) too, or Good or better (10, shown) would give it.
    assert "Outstanding <5 <5 Good c c" in text
    assert "Good or better 10 67%" in text and "All audits 15 100%" in text
    assert "A count from 1 to 4 is shown as <5." in text
    figures = board_figures(small_period, PERIOD, 5, PERIOD.date_to)
    pack = board_pack(figures)
    assert disclosure_model(figures).exposed(set(pack.withheld())) == set()
    assert pack.count("overall", Grade.OUTSTANDING.label) == "<5"


def test_the_threshold_can_be_raised(small_period: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(small_period, out, PERIOD, threshold=10, today=PERIOD.date_to))
    text = _pdf_text(out)
    assert "A count from 1 to 9 is shown as <10." in text
    # 2 Outstanding, 8 Good and 5 RI of 15 are all below 10: none is shown as a number.
    assert re.search(r"Outstanding (<10|\u2013) ", text)
    assert re.search(r"Requires improvement to be good (<10|\u2013) ", text)
    assert not re.search(r"Outstanding \d", text)


def test_summary_figures_match_the_database(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    progress = list(export_board_pack(demo_db, out, PERIOD, today=DEMO_END))
    assert progress[-1] == (4, 4)
    text = _pdf_text(out)
    counts = grade_counts(demo_db, PERIOD.date_from, PERIOD.date_to)
    previous = grade_counts(demo_db, date(2025, 7, 1), date(2025, 12, 31))
    good = counts.by_grade["Good"] + counts.by_grade["Outstanding"]
    assert f"Audits completed {counts.audits} previous period {previous.audits}" in text
    assert f"Good or better {round(100 * good / counts.audits)}%" in text
    assert f"All audits {counts.audits} 100%" in text
    assert ("The previous period of the same length, 1 Jul 2025 to 31 Dec 2025, is given for "
            "the number of audits only.") in text
    reader = PdfReader(out)
    assert reader.metadata.title == ("Case file audits: report to the board, "
                                     "1 Jan 2026 to 30 Jun 2026")
    assert f"Page 1 of {len(reader.pages)}" in reader.pages[0].extract_text()


def test_the_pack_holds_no_identifiers_names_or_free_text(demo_db: Database,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(demo_db, out, PERIOD, today=DEMO_END))
    text = _pdf_text(out)
    assert "DEMO-" not in text
    assert not re.search(r"\bPA [A-Z]\b", text)  # allocated workers' names
    forbidden = (*demo.AUDITORS, *demo.MODERATORS, *demo.TEAMS, *demo.STRENGTHS,
                 *demo.AREAS, *demo.VOICES, *demo.ACTION_TEXTS,
                 *(e for texts in demo.EVIDENCE.values() for e in texts),
                 "Evidence supports a different grade.", "Grade adjusted: see evidence notes.",
                 "Best fit across the file", "Done and recorded on the file.",
                 "Young person moved out of area.")
    found = [phrase for phrase in forbidden if phrase in text]
    assert found == []


def test_free_text_of_a_small_period_stays_out(small_period: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(small_period, out, PERIOD, today=PERIOD.date_to))
    text = _pdf_text(out)
    for phrase in ("CL-0", "OLD-", "Alex", "Sam Worker", "Strength noted", "Because of the "
                   "impact", "Evidence for"):
        assert phrase not in text, phrase


def test_a_period_with_too_few_audits_is_refused(db: Database, small_template_id: int,
                                                 tmp_path: Path) -> None:
    for i, grade in enumerate((G, G, RI)):
        _graded(db, small_template_id, f"CL-{i}", date(2026, 2, 1), grade)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(UserError, match="Only 3 audits in the period 1 Jan 2026 to 30 Jun "
                                        "2026: fewer than the suppression threshold of 5"):
        list(export_board_pack(db, folder / "pack.pdf", PERIOD))
    with pytest.raises(UserError, match="No audits submitted"):
        list(export_board_pack(db, folder / "pack.pdf", ReportScope(date(2020, 1, 1),
                                                                     date(2020, 6, 30))))
    assert list(folder.iterdir()) == []


def test_cancelling_the_pack_leaves_nothing(demo_db: Database, tmp_path: Path) -> None:
    progress = export_board_pack(demo_db, tmp_path / "pack.pdf", PERIOD, today=DEMO_END)
    assert next(progress) == (1, 4)
    progress.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("end", "start"), [
    (date(2026, 6, 30), date(2026, 1, 1)),
    (date(2026, 6, 15), date(2025, 12, 16)),
    (date(2026, 8, 30), date(2026, 2, 28)),
])
def test_the_default_period_is_the_six_months_to_the_end(end: date, start: date) -> None:
    assert default_period(date(2030, 1, 1), None, end) == ReportScope(start, end)


def test_the_previous_period_has_the_same_length() -> None:
    assert PERIOD.previous() == ReportScope(date(2025, 7, 1), date(2025, 12, 31))
    odd = ReportScope(date(2026, 1, 10), date(2026, 1, 19))
    assert odd.previous() == ReportScope(date(2025, 12, 31), date(2026, 1, 9))


def test_the_pack_carries_its_manifest_and_rebuilds_to_the_same_bytes(
        small_period: Database, tmp_path: Path) -> None:
    produced = datetime(2026, 7, 1, 9, 30)
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    for out in (first, second):
        list(export_board_pack(small_period, out, PERIOD, today=PERIOD.date_to,
                               produced_at=produced))
    assert first.read_bytes() == second.read_bytes()
    text = read_stamp(first)
    assert text is not None
    manifest = Manifest.from_json(text, str(first))
    assert manifest.kind == BOARD_PACK and manifest.threshold == 5
    assert manifest.scope == PERIOD and manifest.produced_at == produced
    assert len(manifest.audits) == 15 + 6  # the period and the previous one, with revisions
    assert all(a.revision >= 1 for a in manifest.audits)
    reader = PdfReader(first)
    assert "manifest.json" in reader.attachments
    assert "on 1 Jul 2026." in _pdf_text(first)  # when it was produced, not today


def test_a_pack_is_rebuilt_from_its_manifest_to_the_same_bytes(
        small_period: Database, small_template_id: int, tmp_path: Path) -> None:
    original, rebuilt = tmp_path / "pack.pdf", tmp_path / "rebuilt.pdf"
    list(export_board_pack(small_period, original, PERIOD, today=PERIOD.date_to,
                           produced_at=datetime(2026, 7, 1, 9, 30)))
    later = make_audit(small_period, small_template_id, "LATER", date(2027, 1, 5))
    save_changes(small_period, later, AuditChanges(narrative={"strengths": "x"}), ALEX)
    # the history has moved on; the pack's audits have not
    list(rebuild_board_pack(small_period, original, rebuilt, LEAD))
    assert rebuilt.read_bytes() == original.read_bytes()


def test_a_rebuild_lists_the_audits_changed_and_writes_nothing(
        small_period: Database, tmp_path: Path) -> None:
    original, rebuilt = tmp_path / "pack.pdf", tmp_path / "rebuilt.pdf"
    list(export_board_pack(small_period, original, PERIOD, today=PERIOD.date_to))
    manifest = Manifest.from_json(read_stamp(original) or "", str(original))
    changed = manifest.audits[0]
    with small_period.transaction() as session:
        session.get_one(Audit, changed.id).revision += 1
    with pytest.raises(UserError) as refused:
        list(rebuild_board_pack(small_period, original, rebuilt, LEAD))
    assert (f"audit {changed.id} (" in str(refused.value)
            and f"changed: revision {changed.revision} then, {changed.revision + 1} now"
            in str(refused.value))
    assert len(str(refused.value).splitlines()) == 2  # the line, and the one audit
    assert not rebuilt.exists()


@pytest.mark.parametrize("content", [b"%PDF-1.4\n% no manifest\n", b"not a pdf",
                                     b"/AuditappManifest (!!damaged!!)",
                                     b"/AuditappManifest (eJyrVkrLL8pNLFGyMqwFABxTBDE=)"])
def test_a_file_with_no_or_a_damaged_manifest_is_refused_in_one_line(
        small_period: Database, tmp_path: Path, content: bytes) -> None:
    original = tmp_path / "pack.pdf"
    original.write_bytes(content)
    with pytest.raises(UserError) as refused:
        list(rebuild_board_pack(small_period, original, tmp_path / "new.pdf", LEAD))
    assert "pack.pdf" in str(refused.value) and "\n" not in str(refused.value)
    assert not (tmp_path / "new.pdf").exists()


# --- change told honestly: intervals and the control chart, never two points ----------------


def _wilson_by_hand(good: int, n: int) -> tuple[int, int]:
    """The Wilson 95 % score interval, worked out here from its formula, in whole percent."""
    z = 1.959963984540054
    p = good / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return round(100 * (centre - half) / denominator), round(100 * (centre + half) / denominator)


def test_change_is_told_by_the_control_chart_and_shares_with_their_interval(
        demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(demo_db, out, PERIOD, today=DEMO_END))
    text = _pdf_text(out)
    assert "points against" not in text and not re.search(r"\b(up|down) \d+ points", text)
    assert not re.search(r"; (up|down) \d+\b", text)
    counts = grade_counts(demo_db, PERIOD.date_from, PERIOD.date_to)
    good = counts.by_grade["Good"] + counts.by_grade["Outstanding"]
    low, high = _wilson_by_hand(good, counts.audits)
    assert (f"Good or better {round(100 * good / counts.audits)}% 95% interval "
            f"{low}\u2013{high}%, n = {counts.audits:,}") in text
    # 2 Inadequate: withheld, so no interval or n, which would give the count away
    assert counts.by_grade["Inadequate"] == 2
    assert "Inadequate <5 <5 audits Audits moderated" in text
    chart = pack_chart(board_pack(board_figures(demo_db, PERIOD, 5, DEMO_END)))
    assert chart.centre is not None
    words = " ".join(chart.words)
    # In the summary (the reading) and under the chart: the words follow from the chart.
    assert text.count(words) == 2
    assert "Change over time: control chart" in text
    assert "three standard errors of a proportion either side of the average" in text
    # the picture is in the PDF, on the page of the chart's heading
    page = next(p for p in PdfReader(out).pages if "Change over time: control chart"
                in p.extract_text())
    assert len(page.images) == 1


def _shapes(node: Shape) -> list[Shape]:
    found = [node]
    if isinstance(node, Group):
        for child in node.contents:
            found += _shapes(child)
    return found


@pytest.fixture
def quarter_withheld(db: Database, small_template_id: int) -> Database:
    """Two quarters of 12 (6 Good, 6 RI) and one of 3 (2 Good, 1 RI), whose shares would
    show counts below 5."""
    days = [date(2025, 11, 3)] * 12 + [date(2026, 2, 3)] * 12 + [date(2026, 5, 3)] * 3
    grades = [G, RI] * 12 + [G, G, RI]
    for i, (day, grade) in enumerate(zip(days, grades, strict=True)):
        graded_audit(db, small_template_id, f"Q-{i}", day, grade)
    return db


def test_a_withheld_quarter_is_drawn_hatched_and_labelled_never_as_a_zero_bar(
        quarter_withheld: Database, tmp_path: Path) -> None:
    pack = board_pack(board_figures(quarter_withheld, PERIOD, 5, PERIOD.date_to))
    drawing = trend_chart(pack)
    assert drawing is not None
    shapes = [s for node in drawing.contents for s in _shapes(node)]
    labels = [s.text for s in shapes if isinstance(s, String)]
    withheld = [q for q in pack.figures.trend
                if pack.protection.share_value(("quarter", q.key, "gob"),
                                               ("quarter", q.key, "total")) is None]
    drawn = [q for q in pack.figures.trend if q not in withheld]
    assert any(q.graded == 3 for q in withheld) and any(q.graded == 12 for q in drawn)
    assert labels.count("withheld") + labels.count("no audits") == len(withheld)
    assert not [s for s in shapes if isinstance(s, Rect) and s.height == 0]
    out = tmp_path / "pack.pdf"
    list(export_board_pack(quarter_withheld, out, PERIOD, today=PERIOD.date_to))
    page = next(p.extract_text() for p in PdfReader(out).pages
                if "Grades across quarters" in p.extract_text())
    assert "withheld" in page.split("Grades across quarters")[1]
    # and the control chart leaves it out of its points, saying why
    chart = pack_chart(pack)
    assert [p.label for p in chart.points if p.withheld] == [q.label for q in withheld]


def test_a_pack_whose_quarters_are_all_withheld_says_so_instead_of_drawing(
        small_period: Database, tmp_path: Path) -> None:
    pack = board_pack(board_figures(small_period, PERIOD, 5, PERIOD.date_to))
    assert trend_chart(pack) is None
    out = tmp_path / "pack.pdf"
    list(export_board_pack(small_period, out, PERIOD, today=PERIOD.date_to))
    text = _pdf_text(out)
    assert "No quarter can be drawn: in every quarter the share Good or better is withheld" in text
    assert "Too few audits graded to draw the chart: every point is withheld." in text
    assert all(not page.images for page in PdfReader(out).pages)


def test_withheld_grade_counts_are_hatched_bars_not_zero_bars(small_period: Database) -> None:
    pack = board_pack(board_figures(small_period, PERIOD, 5, PERIOD.date_to))
    # 2 Outstanding (<5) and 8 Good (c, or Good or better would give it) are withheld
    assert (pack.count("overall", O.label), pack.count("overall", G.label)) == ("<5", "c")
    drawing = distribution_chart(pack, 90 * mm)
    shapes = [s for node in drawing.contents for s in _shapes(node)]
    assert [s.text for s in shapes if isinstance(s, String)].count("withheld") == 2
    chart = next(s for s in drawing.contents if isinstance(s, VerticalBarChart))
    assert chart.barLabelArray[0][:2] == ["", ""]  # no "<5" or "c" sitting on a zero bar


def test_the_trend_legend_names_every_band_even_one_no_audit_has(
        quarter_withheld: Database) -> None:
    """No audit here is Inadequate: the legend still names it beside the others."""
    pack = board_pack(board_figures(quarter_withheld, PERIOD, 5, PERIOD.date_to))
    assert pack.figures.current.overall.counts[Grade.INADEQUATE.label] == 0
    drawing = trend_chart(pack)
    assert drawing is not None
    labels = [s.text for node in drawing.contents for s in _shapes(node)
              if isinstance(s, String)]
    assert {"Good or better", "Requires improvement", "Inadequate"} <= set(labels)


def test_the_pack_prints_the_findings_with_withheld_values_as_symbols(
        quarter_withheld: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(quarter_withheld, out, PERIOD, today=PERIOD.date_to))
    text = _pdf_text(out)
    for heading in ("Grades by strategic priority", "4. Compliance indicators",
                    "5. Voice of young people", "6. Grades by cohort",
                    "By care leaver category", "7. Themes and actions",
                    "8. How the audits were done"):
        assert heading in text, heading
    flat = " ".join(text.split())
    # The small template's indicator of A.2: the period's 15 audits (former relevant, aged
    # 19: eligible) all answered Yes; Wilson 15 of 15 is 80-100 %.
    assert ("Pathway plan reviewed within 6 months (eligible or relevant or former relevant; "
            "aged 16-17 or 18-20) 15 15 100% 80\u2013100% 90% met") in flat
    # Nobody is unaccompanied: the triple plan has n = 0, too few to judge.
    assert "Triple plan in place (unaccompanied) 0 0 \u2013 too few to judge" in flat


def _lowest_text(page: Any) -> float:
    """How high above the foot of the page the lowest text of the body stands (points),
    the footer and its marking left out."""
    heights: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        y = cm[5] + tm[5] * cm[3] + tm[4] * cm[1]
        if text.strip() and y > 20 * mm:
            heights.append(y)

    page.extract_text(visitor_text=visit)
    return min(heights)


@pytest.mark.parametrize("audits", [40, 300])
def test_no_page_is_left_a_third_empty(audits: int, demo_db: Database, db: Database,
                                       tmp_path: Path) -> None:
    """Every page but the cover and the last is filled to within a third of its foot: a
    section starts where its heading, lead-in and first rows fit, not on a new page."""
    if audits != 300:
        list(demo.generate_demo(db, audits, LEAD, seed=3, years=0.5, end=PERIOD.date_to))
    out = tmp_path / "pack.pdf"
    list(export_board_pack(demo_db if audits == 300 else db, out, PERIOD, today=DEMO_END))
    pages = PdfReader(out).pages
    body = 297 * mm - 2 * 20 * mm
    empty = {number: round((_lowest_text(page) - 20 * mm) / body, 2)
             for number, page in enumerate(pages, start=1) if 1 < number < len(pages)}
    assert max(empty.values()) < 1 / 3, empty


def test_the_key_figures_say_whole_sentences_about_moderation(
        small_period: Database, demo_db: Database, tmp_path: Path) -> None:
    """Where the share the moderator kept is not shown, the key figures say so in words, not
    with a sentence ending on its symbol ("kept the auditor's grade in c", read as cut off).
    The whole sentence is in the cell, wrapped, with nothing cut."""
    small, demo_pack = tmp_path / "small.pdf", tmp_path / "demo.pdf"
    list(export_board_pack(small_period, small, PERIOD, today=PERIOD.date_to))
    list(export_board_pack(demo_db, demo_pack, PERIOD, today=DEMO_END))
    for text in (_pdf_text(small), _pdf_text(demo_pack)):
        assert not re.search(r"kept the auditor's grade in (c|<\d+|–)", text)
        assert re.search(r"Audits moderated (\d+|<\d+) .* of audits; the share in which the "
                         r"moderator kept the auditor's grade is not shown \((c|<\d+|–): see "
                         r"the key\) Actions raised", text), text
