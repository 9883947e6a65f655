"""The board report's Word edition: a council committee report (front sheet, numbered
sections, the figures as an appendix), written with python-docx.

The words come from the practice lead (:mod:`auditapp.inputs.board_words`); the figures are
the board pack's own (:func:`~auditapp.services.reporting.board_figures.board_pack`), already
protected, printed as the PDF prints them, with the control chart of the pack's quarters
(:func:`~auditapp.services.reporting.control_chart.pack_chart`).

Accessible, so that Word's or LibreOffice's "save as PDF" gives a tagged PDF fit to publish:
the built-in Heading 1 and Heading 2 styles in order, table header rows marked as headers
and repeated on every page a table runs onto, alt text on every picture, the document's
language (en-GB) and title set, and no meaning carried by colour alone.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from auditapp import __version__
from auditapp.errors import UserError
from auditapp.exporters import programme_tables
from auditapp.exporters.chart_image import control_chart_png
from auditapp.inputs.board_words import NARRATIVE, BoardWords
from auditapp.rules.actions import ActionState
from auditapp.rules.grades import NOT_GRADED, Grade
from auditapp.rules.indicators import VOICE
from auditapp.rules.limits import DEFAULT_THRESHOLD, check_threshold
from auditapp.rules.markings import MARKINGS, OFFICIAL, OFFICIAL_SENSITIVE
from auditapp.rules.palette import HEADER_FILL, HEADER_TEXT, WITHHELD
from auditapp.rules.permissions import Actor
from auditapp.rules.suppression import (
    key_text,
    withheld_symbol,
)
from auditapp.rules.wording import day_text
from auditapp.services.reporting import manifest as manifests
from auditapp.services.reporting import releases
from auditapp.services.reporting.board_figures import (
    INTERVAL_WORDS,
    BoardPack,
    board_figures,
    board_pack,
    pack_manifest,
)
from auditapp.services.reporting.board_findings import (
    ACTION_STATES,
    COHORTS,
    IndicatorFigure,
    agreement_share,
    indicator_cells,
    kappa_text,
    left_out_words,
)
from auditapp.services.reporting.control_chart import (
    CHART_COLUMNS,
    CHART_TABLE_CAPTION,
    ControlChart,
    chart_alt,
    chart_caption,
    chart_rows,
    pack_chart,
)
from auditapp.services.reporting.figures import GRADE_COLUMNS, ReportScope
from auditapp.services.settings import council_name
from auditapp.storage.atomic_files import atomic_output, check_target
from auditapp.storage.engine import Database

DRAFT = "DRAFT \u2013 not for release"
LANGUAGE = "en-GB"
FONT = "Arial"
APPENDIX = "Appendix 1: Case file audit figures"
#: A table of up to this many rows is kept whole with its caption; a longer one keeps its
#: caption, header row and first :data:`FIRST_ROWS_KEPT` rows together, then may break.
WHOLE_TABLE_ROWS = 6
FIRST_ROWS_KEPT = 3
BANDS = {"gob": "Good or better", "ri": "Requires improvement", "inadequate": "Inadequate"}
LINES = {"gob": "Good or better", "below": "Below Good"}
_HEADER_BLUE = RGBColor.from_string(HEADER_FILL)


@dataclass(frozen=True)
class WordEdition:
    """What the Word edition is made from."""

    pack: BoardPack
    chart: ControlChart
    words: BoardWords
    marking: str
    draft: bool
    as_at: date
    produced_at: datetime


def export_board_docx(db: Database, out: Path, scope: ReportScope, words: BoardWords,
                      marking: str = OFFICIAL_SENSITIVE, threshold: int = DEFAULT_THRESHOLD,
                      today: date | None = None, produced_at: datetime | None = None,
                      release: Actor | None = None) -> Iterator[tuple[int, int]]:
    """Write the Word edition of the board report for ``scope`` to ``out``; yields
    ``(steps done, 4)``. The figures, their suppression and the release rule are the board
    pack's (:func:`~auditapp.exporters.board_pdf.export_board_pack`): with ``release`` it
    is recorded in the release register (a Word edition of a released PDF is the same
    release, and allowed); without, every page says it is a draft.

    ``UserError`` (before any file is made) for a period with too few audits, a marking not
    in :data:`MARKINGS`, or OFFICIAL without ``release``: a paper marked OFFICIAL is for
    publication, and only a release is protected against differencing with other releases.
    """
    out = check_target(out)
    check_threshold(threshold)
    if marking not in MARKINGS:
        raise UserError(f"The marking must be {' or '.join(MARKINGS)}, not {marking!r}.")
    if marking == OFFICIAL and release is None:
        raise UserError("A paper marked OFFICIAL is for publication: release it (--release), "
                        "or mark it OFFICIAL-SENSITIVE for internal use.")
    today = today or date.today()
    produced_at = produced_at or manifests.now()
    if not words.council:
        words = replace(words, council=council_name(db))
    figures = board_figures(db, scope, threshold, today, own_period_only=release is not None)
    yield 1, 4
    pack = board_pack(figures)
    if release is not None:
        manifest = pack_manifest(db, scope, today, figures, pack, produced_at)
        manifest = replace(manifest, release=releases.register_release(db, manifest, release))
    yield 2, 4
    edition = WordEdition(pack, pack_chart(pack), words, marking, release is None, today,
                          produced_at)
    yield from write_document(out, edition)


def write_document(out: Path, edition: WordEdition) -> Iterator[tuple[int, int]]:
    """Build and write the edition (steps 3 and 4 of :func:`export_board_docx`): the same
    edition gives the same bytes (every part of the file is dated ``produced_at``)."""
    document = build_document(edition)
    with atomic_output(out) as temporary:
        yield 3, 4
        made = io.BytesIO()
        document.save(made)
        temporary.write_bytes(_dated(made.getvalue(), edition.produced_at))
    yield 4, 4


def _dated(docx: bytes, when: datetime) -> bytes:
    """The .docx zip with every member dated ``when``: python-docx dates them now."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute,
             when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # an ordinary file where unzipped
            target.writestr(info, source.read(member))
    return out.getvalue()


# --- the document's frame -----------------------------------------------------------------------


def _set_language(document: DocxDocument) -> None:
    """en-GB for every run, by the document defaults and the Normal style."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    properties = defaults.find(qn("w:rPrDefault"))
    if properties is None:
        properties = OxmlElement("w:rPrDefault")
        defaults.insert(0, properties)
    run = properties.find(qn("w:rPr"))
    if run is None:
        run = OxmlElement("w:rPr")
        properties.append(run)
    for existing in run.findall(qn("w:lang")):
        run.remove(existing)
    lang = OxmlElement("w:lang")
    for name in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(name), LANGUAGE)
    run.append(lang)


def _styles(document: DocxDocument) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name in ("Header", "Footer"):
        document.styles[name].font.size = Pt(9)
    for name, size, before in (("Heading 1", 16, 18), ("Heading 2", 13, 12)):
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = _HEADER_BLUE
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
        # The template's heading font is a theme font: name it outright for every script.
        fonts = style.element.rPr.find(qn("w:rFonts"))
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            if fonts is not None and fonts.get(qn(attribute)) is not None:
                del fonts.attrib[qn(attribute)]


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in ``paragraph``."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, end):
        run._r.append(element)


def _frame(document: DocxDocument, edition: WordEdition) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    marking = edition.marking + (f" \u00b7 {DRAFT}" if edition.draft else "")
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run(marking).bold = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{edition.marking} \u00b7 {edition.words.title} \u00b7 Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    properties = document.core_properties
    properties.title = edition.words.title
    properties.subject = ("Case file audits of care leavers' pathway plans: report to the "
                          f"{edition.words.committee}")
    properties.author = "; ".join(edition.words.author)
    properties.language = LANGUAGE
    properties.keywords = edition.marking
    properties.comments = f"Produced by auditapp {__version__}"
    properties.created = properties.modified = edition.produced_at.replace(tzinfo=None)
    properties.last_modified_by = "auditapp"
    properties.revision = 1


# --- building blocks ----------------------------------------------------------------------------


def _shade(cell: _Cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _row_flag(row_properties: Any, tag: str) -> None:
    row_properties.append(OxmlElement(tag))


def _table(document: DocxDocument, caption: str, header: Sequence[str],
           rows: Sequence[Sequence[str]], widths: Sequence[float],
           bold_last: bool = False, text_columns: int = 1) -> None:
    """A table with its caption kept with it: the header row is marked as a header and
    repeated on each page, no row splits across pages, numbers (the columns after the first
    ``text_columns``) are right-aligned, and a withheld figure (``<N``, ``c``, a dash) is
    shaded grey as well as shown by its symbol."""
    # A short table stays whole with its caption; a longer one keeps its caption, header
    # row and first rows together and breaks after them, its header row repeated: kept
    # whole, it would leave up to half a page empty before it.
    kept_rows = len(rows) if len(rows) <= WHOLE_TABLE_ROWS else FIRST_ROWS_KEPT
    intro = document.add_paragraph(caption)
    intro.paragraph_format.keep_with_next = True
    intro.runs[0].bold = True
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    properties = table._tbl.tblPr
    for tag, value in (("w:tblCaption", caption), ("w:tblDescription", caption)):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        properties.append(element)
    for i, row in enumerate(table.rows):
        row_properties = row._tr.get_or_add_trPr()
        _row_flag(row_properties, "w:cantSplit")
        if i == 0:
            _row_flag(row_properties, "w:tblHeader")
    for row_index, values in enumerate([header, *rows]):
        for column, value in enumerate(values):
            cell = table.cell(row_index, column)
            cell.width = Mm(widths[column])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.keep_with_next = row_index < kept_rows
            run = paragraph.add_run(value)
            run.font.size = Pt(10)
            if row_index == 0:
                run.bold = True
                run.font.color.rgb = RGBColor.from_string(HEADER_TEXT)
                _shade(cell, HEADER_FILL)
            elif bold_last and row_index == len(rows):
                run.bold = True
            if column >= text_columns and row_index > 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if withheld_symbol(value):
                    _shade(cell, WITHHELD)
    document.add_paragraph().paragraph_format.space_after = Pt(2)


def _paragraphs(document: DocxDocument, number: str, texts: Sequence[str], start: int = 1
                ) -> None:
    """Numbered paragraphs, as committee reports number them: 1.1, 1.2, ..."""
    for i, text in enumerate(texts, start=start):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(10)
        paragraph.paragraph_format.first_line_indent = Mm(-10)
        paragraph.add_run(f"{number}.{i}\t")
        paragraph.add_run(text)


def _narrative(document: DocxDocument, words: BoardWords, field: str, number: str | None,
               start: int = 1) -> None:
    texts = words.text(field)
    if words.is_list(field):
        style = "List Number" if field == "recommendations" else "List Bullet"
        for text in texts:
            document.add_paragraph(text, style=style)
    elif number is not None:
        _paragraphs(document, number, texts, start)
    else:
        for text in texts:
            document.add_paragraph(text)


def _detail(document: DocxDocument, label: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run(label).bold = True
    document.add_paragraph(value)


# --- the front sheet and the sections -----------------------------------------------------------


def _front_sheet(document: DocxDocument, edition: WordEdition) -> None:
    words = edition.words
    if words.council:
        document.add_paragraph(words.council).runs[0].bold = True
    document.add_heading(words.title, level=1)
    _detail(document, "Committee name and date of committee meeting",
            f"{words.committee} \u2013 {day_text(words.meeting_date)}")
    _detail(document, "Report title", words.title)
    _detail(document, "Is this a key decision and has it been included on the forward plan?",
            words.key_decision)
    _detail(document, "Strategic director approving submission of the report",
            words.approving_director)
    _detail(document, "Report author(s)", "\n".join(words.author))
    _detail(document, "Ward(s) affected", words.wards)
    document.add_heading(NARRATIVE["summary"], level=2)
    _narrative(document, words, "summary", None)
    document.add_heading(NARRATIVE["recommendations"], level=2)
    _narrative(document, words, "recommendations", None)
    document.add_heading("List of appendices included", level=2)
    document.add_paragraph(f"{APPENDIX}, {edition.pack.figures.scope.period_text()}")
    _detail(document, "Background papers", words.background_papers)
    _detail(document, "Exempt from the press and public",
            "No" if edition.marking == OFFICIAL else
            "For internal use: marked OFFICIAL-SENSITIVE, not for publication")
    _detail(document, "Protective marking", edition.marking + (
        f" ({DRAFT})" if edition.draft else ""))


def _withheld_words(printed: str) -> str:
    return f"withheld to protect small numbers (shown as {printed}; see the key in Appendix 1)"


def _findings(pack: BoardPack, chart: ControlChart) -> list[str]:
    """What the audits found, in sentences built from the pack's printed figures."""
    scope = pack.figures.scope
    audits = pack.count("overall", "total")
    found = [f"{audits} audits were completed (submitted, moderated or closed) with an audit "
             f"date from {scope.period_text()}."]
    whole = ("overall", "total")
    if pack.protection.share_value(("overall", "gob"), whole) is None:
        found.append("The share graded Good or better is "
                     + _withheld_words(pack.share(("overall", "gob"), whole)) + ".")
    else:
        gob = pack.share_with_interval(("overall", "gob"), whole)
        found.append(f"Graded Good or better: {gob}. {INTERVAL_WORDS}")
    inadequate = ("overall", Grade.INADEQUATE.label)
    found.append("Graded Inadequate: " + (
        pack.share_with_interval(inadequate, whole)
        if pack.protection.share_value(inadequate, whole) is not None
        else _withheld_words(pack.share(inadequate, whole))) + ".")
    found.append("Change over time, read from the control chart of the share Good or better "
                 "by quarter (Appendix 1). " + " ".join(chart.words))
    found.append(f"Actions raised by the audits: {pack.count('actions', 'raised')}, of "
                 f"which {pack.count('actions', 'done')} completed and "
                 f"{pack.count('actions', ActionState.OVERDUE)} overdue at "
                 f"{day_text(pack.figures.current.actions.as_at)}.")
    programme = programme_tables.summary_line(pack)
    if programme is not None:
        found.append(f"Audit programme: {programme} (Appendix 1).")
    return found


def _sections(document: DocxDocument, edition: WordEdition) -> None:
    words = edition.words
    run = document.add_paragraph().add_run()
    run.add_break(WD_BREAK.PAGE)
    document.add_heading(f"1. {NARRATIVE['background']}", level=1)
    _narrative(document, words, "background", "1")
    document.add_heading("2. Key issues", level=1)
    document.add_heading("What the audits found", level=2)
    findings = _findings(edition.pack, edition.chart)
    _paragraphs(document, "2", findings)
    document.add_heading(NARRATIVE["key_messages"], level=2)
    _narrative(document, words, "key_messages", "2", len(findings) + 1)
    for number, field in enumerate(("next_steps", "implications_for_children", "risks"),
                                   start=3):
        document.add_heading(f"{number}. {NARRATIVE[field]}", level=1)
        _narrative(document, words, field, str(number))


# --- the appendix -------------------------------------------------------------------------------


def _picture(document: DocxDocument, png: bytes, width_mm: float, alt: str, name: str) -> None:
    document.add_picture(io.BytesIO(png), width=Mm(width_mm))
    inline = document.inline_shapes[-1]._inline
    # The description only: LibreOffice's PDF export puts a title before it in /Alt.
    inline.docPr.set("descr", alt)
    inline.docPr.set("name", name)
    for properties in inline.iter(qn("pic:cNvPr")):
        properties.set("descr", alt)
        properties.set("name", name)
    document.paragraphs[-1].paragraph_format.keep_with_next = True


def _chart_section(document: DocxDocument, edition: WordEdition) -> None:
    pack, chart = edition.pack, edition.chart
    document.add_heading("Change over time: control chart", level=2)
    document.add_paragraph(chart_caption(chart))
    if chart.centre is not None:
        _picture(document, control_chart_png(chart), 170, chart_alt(chart),
                 "Control chart of the share Good or better")
    document.add_paragraph(" ".join(chart.words)).runs[0].italic = True
    _table(document, CHART_TABLE_CAPTION, CHART_COLUMNS, chart_rows(pack, chart),
           [38, 24, 25, 18, 30, 35])


def _band_rows(pack: BoardPack, name: str, keys: Sequence[tuple[str, str]],
               bands: Sequence[str]) -> list[list[str]]:
    return [[label, pack.count(name, key, "total"),
             *(pack.share((name, key, band), (name, key, "total")) for band in bands)]
            for key, label in keys]


def _appendix(document: DocxDocument, edition: WordEdition) -> None:
    pack = edition.pack
    figures = pack.figures
    run = document.add_paragraph().add_run()
    run.add_break(WD_BREAK.PAGE)
    document.add_heading(APPENDIX, level=1)
    document.add_paragraph(
        f"Audits submitted, moderated or closed with an audit date from "
        f"{figures.scope.period_text()}; actions as at {day_text(edition.as_at)}. Aggregate "
        "figures only: no case references, no names and nothing written in any audit. Small "
        "numbers are withheld as the key at the end of this appendix says.")
    document.add_heading("Final grades", level=2)
    rows = [[grade, pack.count("overall", grade),
             pack.share(("overall", grade), ("overall", "total"))] for grade in GRADE_COLUMNS]
    rows.append(["Good or better", pack.count("overall", "gob"),
                 pack.share_with_interval(("overall", "gob"), ("overall", "total"))])
    rows.append(["All audits", pack.count("overall", "total"), "100%"])
    _table(document, "Final grade of every audit in the period", ["Final grade", "Audits",
                                                                   "Share"],
           rows, [70, 30, 70], bold_last=True)
    _chart_section(document, edition)
    document.add_heading("Grades across quarters", level=2)
    _table(document, "Shares of the audits graded in each quarter (Outstanding counted with "
           "Good)", ["Quarter", "Audits graded", *BANDS.values()],
           _band_rows(pack, "quarter", [(q.key, q.label) for q in figures.trend], list(BANDS)),
           [40, 30, 32, 38, 30])
    document.add_heading("Grades by section", level=2)
    for template in figures.templates:
        keys = [(s.key, s.label) for s in figures.sections if s.template_key == template.key]
        _table(document, f"{template.title}: the auditors' section grades",
               ["Section", "Audits graded", *BANDS.values()],
               _band_rows(pack, "section", keys, list(BANDS)), [70, 22, 26, 26, 26])
    if figures.other_templates:
        document.add_paragraph(f"Audits on templates used fewer than {figures.threshold} times "
                               "in the period count in the overall figures but are not broken "
                               "down by section.")
    document.add_heading("Grades by key line of enquiry", level=2)
    _table(document, "Section grades by the LGA peer challenge's key lines of enquiry",
           ["Line of enquiry", "Section grades", *LINES.values()],
           _band_rows(pack, "kloe", [(line.key, line.label) for line in
                                     figures.lines_of_enquiry], list(LINES)), [90, 26, 27, 27])
    _appendix_findings(document, pack)
    _themes_and_actions(document, pack, edition.as_at)
    _action_breakdowns(document, pack, edition.as_at)
    _programme(document, pack)
    _moderation(document, pack)
    _agreement(document, pack)
    document.add_heading("About these figures", level=2)
    for line in (
        "Counted: audits submitted, moderated or closed with an audit date in the period; "
        "drafts are never counted.",
        "Grade: the final grade, the moderated grade where there is one, else the auditor's.",
        "Intervals are Wilson 95% score intervals; control limits are three standard errors "
        "of a proportion either side of the average (a p-chart, as NHS England's Making Data "
        "Count recommends).",
        *key_text(figures.threshold)):
        document.add_paragraph(line, style="List Bullet")


def _themes_and_actions(document: DocxDocument, pack: BoardPack, as_at: date) -> None:
    figures = pack.figures
    document.add_heading("Themes", level=2)
    if figures.themes:
        rows = []
        for theme in figures.themes:
            key = ("theme", theme.template_key, theme.question_key)
            rows.append([f"{theme.question_key} {theme.text}", pack.count(*key, "scored"),
                         pack.count(*key, "below"), pack.share((*key, "below"),
                                                               (*key, "scored"))])
        _table(document, "The questions most often answered No or Partly",
               ["Question", "Answers", "No or Partly", "Share"], rows, [110, 20, 22, 18])
    else:
        document.add_paragraph(f"No question was answered No or Partly {figures.threshold} "
                               "or more times.")
    document.add_heading("Actions", level=2)
    labels = ((ActionState.DONE_ON_TIME, "Completed on time"),
              (ActionState.DONE_LATE, "Completed late"), (ActionState.OPEN, "Open, not yet due"),
              (ActionState.OVERDUE, f"Overdue at {day_text(as_at)}"),
              (ActionState.CANCELLED, "Cancelled"))
    rows = [[label, pack.count("actions", key), pack.share(("actions", key),
                                                           ("actions", "raised"))]
            for key, label in labels]
    rows.append(["Raised", pack.count("actions", "raised"), ""])
    _table(document, "Actions raised by the audits", ["Actions", "Number", "Share"], rows,
           [90, 30, 30], bold_last=True)


def _programme(document: DocxDocument, pack: BoardPack) -> None:
    """Completed against planned, and the next period's programme: nothing where the
    programme plans neither."""
    rows = programme_tables.completed_rows(pack)
    following = programme_tables.next_rows(pack)
    if not rows and not following:
        return
    document.add_heading(programme_tables.COMPLETED_TITLE, level=2)
    if rows:
        words = document.add_paragraph(programme_tables.completed_words(pack))
        words.paragraph_format.keep_with_next = True
        _table(document, "Audits completed against the audit programme, by team and template",
               list(programme_tables.COMPLETED_HEADER), rows, [40, 60, 22, 24, 24],
               bold_last=True, text_columns=2)
    else:
        document.add_paragraph("The audit programme plans no audits for this period.")
    document.add_heading(programme_tables.NEXT_TITLE, level=2)
    period = programme_tables.next_period_text(pack)
    if following:
        _table(document, f"Audits planned for {period}", list(programme_tables.NEXT_HEADER),
               following, [50, 40, 62, 18], text_columns=3)
    else:
        document.add_paragraph(f"No audits are planned yet for {period}.")


def _moderation(document: DocxDocument, pack: BoardPack) -> None:
    document.add_heading("Moderation", level=2)
    rows = [["Audits moderated", pack.count("moderation", "moderated"),
             pack.share(("moderation", "moderated"), ("overall", "total"))]]
    for key, label in (("same", "Moderator kept the auditor's grade"),
                       ("raised", "Moderator raised the grade"),
                       ("lowered", "Moderator lowered the grade")):
        rows.append([label, pack.count("moderation", key),
                     pack.share(("moderation", key), ("moderation", "moderated"))])
    _table(document, "Moderation of the audits (shares of moderated audits, but the first "
           "line: of all audits)", ["", "Audits", "Share"], rows, [90, 30, 30])
    document.add_paragraph(f"{NOT_GRADED}: audits counted without an overall grade.")


# --- priorities, indicators, voice, cohorts, actions by age and priority, agreement ---------


def _appendix_findings(document: DocxDocument, pack: BoardPack) -> None:
    findings = pack.figures.findings
    if findings is None:
        return
    if findings.priorities:
        document.add_heading("Grades by strategic priority", level=2)
        _table(document, "Section grades by the Leaving Care Strategy's six priorities (a "
               "section tagged with two counts in both)",
               ["Strategic priority", "Section grades", *LINES.values()],
               _band_rows(pack, "priority", [(line.key, line.label)
                                             for line in findings.priorities], list(LINES)),
               [90, 26, 27, 27])
    _indicator_tables(document, pack, findings.indicators, "compliance")
    _indicator_tables(document, pack, findings.indicators, "voice")
    document.add_heading("Grades by cohort", level=2)
    _lead_in(document,"Final grades by the young person's care leaver category, "
                           "unaccompanied status and age at the audit, as shares of the audits "
                           "graded in each row; each table's rows add up to the final grades.")
    for cohort in findings.cohorts:
        _table(document, f"Final grades by {cohort.title.lower()}",
               [cohort.title, "Audits graded", *BANDS.values()],
               [[row.label, pack.count("cohort", cohort.key, row.key, "total"),
                 *(pack.share(("cohort", cohort.key, row.key, band),
                              ("cohort", cohort.key, row.key, "total")) for band in BANDS)]
                for row in cohort.rows], [50, 30, 30, 32, 28])
    note = left_out_words(findings, COHORTS, "Final grades")
    if note:
        document.add_paragraph(note)


def _lead_in(document: DocxDocument, words: str) -> None:
    """A paragraph kept on the page of the table that follows it."""
    document.add_paragraph(words).paragraph_format.keep_with_next = True


def _indicator_tables(document: DocxDocument, pack: BoardPack,
                      indicators: Sequence[IndicatorFigure], kind: str) -> None:
    voice = kind == VOICE
    document.add_heading("Voice of young people" if voice else "Compliance indicators",
                         level=2)
    _lead_in(document,
        "Counts of the answers to the templates' voice questions (Not applicable left out); "
        "nothing a young person said is quoted." if voice else
        "Indicators the templates declare, each over the answers to one question by the "
        "eligible young people (Not applicable left out), with the Wilson 95% interval of the "
        "share. Below the least n the template states an indicator is too few to judge; where "
        "its figures are withheld, so is its judgement.")
    chosen = [i for i in indicators if i.kind == kind]
    if not chosen:
        document.add_paragraph("No template used in the period declares one.")
    for template_key in dict.fromkeys(i.template_key for i in chosen):
        rows = [i for i in chosen if i.template_key == template_key]
        body = []
        for indicator in rows:
            cells = indicator_cells(pack.protection, indicator)
            label = indicator.title + (f" ({indicator.eligible})" if indicator.eligible else "")
            body.append([label, cells.n, cells.met, cells.share, cells.interval,
                         *([] if voice else [cells.target, cells.judgement])])
        header = (["Question", "n", "Yes", "Share", "95% interval"] if voice else
                  ["Indicator", "n", "Met", "Share", "95% interval", "Target", "Judgement"])
        _table(document, f"{rows[0].template_title}: "
               + ("voice of young people" if voice else "compliance indicators"),
               header, body, [80, 18, 18, 20, 34] if voice else [58, 15, 15, 16, 26, 16, 24])


def _action_breakdowns(document: DocxDocument, pack: BoardPack, as_at: date) -> None:
    findings = pack.figures.findings
    if findings is None:
        return
    columns = ["Raised", "On time", "Late", "Open", "Overdue", "Cancelled"]
    for name, title, rows in (("actions_age", "Age at audit", findings.actions_by_age),
                              ("actions_priority", "Priority", findings.actions_by_priority)):
        if not rows:
            continue
        _table(document, f"Actions by {title.lower()} (open and overdue as at "
               f"{day_text(as_at)})", [title, *columns],
               [[row.label, pack.count(name, row.key, "raised"),
                 *(pack.count(name, row.key, state) for state in ACTION_STATES)]
                for row in rows], [34, 22, 22, 22, 22, 22, 26])
    note = left_out_words(findings, ("actions_age", "actions_priority"), "Actions")
    if note:
        document.add_paragraph(note)


def _agreement(document: DocxDocument, pack: BoardPack) -> None:
    """Agreement between auditors and moderators, every kappa with its n, as the PDF."""
    figures = pack.figures.current.agreement
    threshold = pack.figures.threshold
    overall = figures.overall
    printed = pack.agreement_printed()

    def share(part: int) -> str:
        return agreement_share(part, overall.pairs, threshold) if printed else "\u2013"

    document.add_heading("Agreement", level=2)
    document.add_paragraph("Moderators grade each sampled audit before they see the auditor's "
                           "grades; n is the number of audits graded by both. A figure that "
                           "would reveal a count below the threshold is left out (\u2013).")
    _table(document, "Agreement between auditors and moderators", ["Measure", "Figure"], [
        ["Moderator's own grade the same as the auditor's", share(overall.exact)],
        ["Within one grade of the auditor's", share(overall.within_one)],
        ["Agreement beyond chance (Cohen's kappa, linearly weighted)",
         kappa_text(overall.kappa, overall.pairs, threshold, printed)]], [120, 50])
    sections = [s for s in figures.sections if s.agreement.pairs >= threshold]
    if sections:
        _table(document, "Agreement by section (kappa with its n)", ["Section", "Kappa"],
               [[f"{s.section_key} {s.title}",
                 kappa_text(s.agreement.kappa, s.agreement.pairs, threshold,
                            pack.section_agreement_printed(s.template_key, s.section_key,
                                                           s.agreement.pairs))]
                for s in sections], [120, 50])


def build_document(edition: WordEdition) -> DocxDocument:
    """The Word document of an edition, not yet saved."""
    document = Document()
    _set_language(document)
    _styles(document)
    _frame(document, edition)
    _front_sheet(document, edition)
    _sections(document, edition)
    _appendix(document, edition)
    return document
