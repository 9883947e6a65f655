"""The six-monthly board pack PDF for the Corporate Parenting Partnership Board.

Aggregate figures only, with small numbers withheld (see :mod:`board_figures` and
:mod:`suppression`): no case references, no names, no free text from any audit, and no
figures by auditor. Question and section wording comes from the templates.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, Shape, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    TableStyle,
)

from auditapp import __version__
from auditapp.errors import UserError
from auditapp.exporters import programme_tables
from auditapp.exporters.chart_image import HEIGHT, WIDTH, control_chart_png
from auditapp.exporters.pdf_layout import (
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    HEADER,
    MUTED,
    RULE,
    Grid,
    Heading,
    PageFrame,
    Stamp,
    build_pdf,
    grade_colour,
    read_stamp,
    table_header,
    text,
)
from auditapp.inputs.board_words import NARRATIVE, BoardWords
from auditapp.rules.actions import ActionState
from auditapp.rules.grades import NOT_GRADED, Grade
from auditapp.rules.indicators import COMPLIANCE, VOICE
from auditapp.rules.limits import DEFAULT_THRESHOLD, check_threshold
from auditapp.rules.markings import MEANINGS, OFFICIAL_SENSITIVE
from auditapp.rules.palette import WITHHELD
from auditapp.rules.permissions import Actor
from auditapp.rules.suppression import (
    key_text,
    withheld_symbol,
)
from auditapp.rules.wording import day_text
from auditapp.services.integrity import ChainStamp
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
    ActionRow,
    Cohort,
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
    chart_caption,
    chart_rows,
    pack_chart,
)
from auditapp.services.reporting.figures import GRADE_COLUMNS, ReportScope
from auditapp.services.settings import council_name
from auditapp.services.sync.bundles import database_id
from auditapp.storage.atomic_files import atomic_output, check_target
from auditapp.storage.engine import Database

BAND_TITLES = {"gob": "Good or better", "ri": "Requires improvement",
               "inadequate": "Inadequate"}
LINE_TITLES = {"gob": "Good or better", "below": "Below Good"}
BAND_GRADES = {"gob": Grade.GOOD.label, "ri": Grade.REQUIRES_IMPROVEMENT.label,
               "inadequate": Grade.INADEQUATE.label, "below": Grade.REQUIRES_IMPROVEMENT.label}
WITHHELD_COLOUR = colors.HexColor(f"#{WITHHELD}")
#: A numbered section starts on the page the one before it ends on only if this much room is
#: left (a sixth of the page): enough that a section does not open in its last few lines.
#: Below that, headings are kept with their lead-in and the first rows of their table (see
#: pdf_layout), so a section may start wherever those fit and no page is left half empty.
NEW_SECTION_ROOM = 45 * mm


#: Printed beside the marking on every page of a pack not released.
DRAFT = "DRAFT \u2013 not for release"


@dataclass(frozen=True)
class Cover:
    """What the cover and the page headers say besides the figures: the council, the
    protective marking and, for a report prepared in the app, its words (title, committee and
    meeting, author, and the narrative printed before the figures)."""

    council: str = ""
    marking: str = OFFICIAL_SENSITIVE
    words: BoardWords | None = None


def export_board_pack(db: Database, out: Path, scope: ReportScope,
                      threshold: int = DEFAULT_THRESHOLD, today: date | None = None,
                      produced_at: datetime | None = None, release: Actor | None = None,
                      history: tuple[int, str] | None = None) -> Iterator[tuple[int, int]]:
    """Write the board pack for the period of ``scope`` (both ends needed; see
    :func:`~auditapp.services.reporting.board_figures.default_period`) to ``out``; yields
    ``(steps done, 4)``.

    For the UI: run the generator off the UI thread and close it to cancel. The first step
    raises ``UserError`` when the period has no audits or fewer than ``threshold`` (counts
    below it are withheld), before any file is made. ``today`` dates overdue actions;
    ``produced_at`` (UTC; default now) is the creation date. The pack carries its manifest
    (embedded and in its metadata): the same inputs give the same bytes.

    ``release``: the practice lead releasing it for publication. The pack then counts its own
    period only and is recorded in the release register, which refuses it (``UserError``,
    before the file is written) when it counts an audit another release counts, unless it is
    that release rebuilt (see :mod:`~auditapp.services.reporting.releases`). Without it the
    pack is marked as a draft on every page and not registered. ``history``: the history
    head to record instead of now's (a rebuild records its original's).
    """
    out = check_target(out)
    check_threshold(threshold)
    today = today or date.today()
    figures = board_figures(db, scope, threshold, today, own_period_only=release is not None)
    yield 1, 4
    pack = board_pack(figures)
    manifest = pack_manifest(db, scope, today, figures, pack, produced_at or manifests.now())
    if history is not None:
        manifest = replace(manifest, history_seq=history[0], history_hash=history[1])
    yield 2, 4
    if release is not None:
        manifest = replace(manifest, release=releases.register_release(db, manifest, release))
    yield from write_board_pack(out, pack, manifest, Cover(council=council_name(db)))


def rebuild_board_pack(db: Database, original: Path, out: Path, actor: Actor
                       ) -> Iterator[tuple[int, int]]:
    """Rebuild the board pack ``original`` from its embedded manifest (same scope, threshold,
    as-at date, production time, release and history head) into ``out``: the same bytes
    when nothing it counted changed. Raises ``UserError`` (before writing) for a file with
    no readable manifest, one from another database, or when audits changed since, listing
    each (:func:`~auditapp.services.reporting.manifest.changes_since`)."""
    text = read_stamp(original)
    if text is None:
        raise UserError(f"{original}: no auditapp manifest could be read in it (not a board "
                        "pack of auditapp, or damaged).")
    manifest = manifests.Manifest.from_json(text, str(original))
    if manifest.kind != manifests.BOARD_PACK:
        raise UserError(f"{original}: its manifest is a {manifest.kind}'s, not a board pack's.")
    if manifest.database != database_id(db):
        raise UserError(f"{original} was made from another database ({manifest.database}); "
                        "rebuild it there.")
    changes = manifests.changes_since(db, manifest)
    if not changes.none:
        raise UserError(f"{original} cannot be rebuilt as it was: audits changed since it was "
                        "made:\n" + "\n".join(f"  {line}" for line in changes.lines()))
    yield from export_board_pack(
        db, out, manifest.scope, manifest.threshold or DEFAULT_THRESHOLD, manifest.as_at,
        manifest.produced_at, release=actor if manifest.release else None,
        history=(manifest.history_seq, manifest.history_hash))


def write_board_pack(out: Path, pack: BoardPack, manifest: manifests.Manifest,
                     cover: Cover | None = None) -> Iterator[tuple[int, int]]:
    """Write the pack with its manifest (steps 3 and 4 of :func:`export_board_pack`); a draft
    unless the manifest names its release."""
    cover = cover or Cover()
    scope = pack.figures.scope
    first, last = scope.ends()
    frame = PageFrame(f"Case file audits: report to the board, {scope.period_text()}",
                      "Quality of care leavers' pathway plans, from case file audits",
                      f"Case file audits \u00b7 {day_text(first)} to {day_text(last)}",
                      keywords=(ChainStamp(manifest.database, manifest.history_seq,
                                           manifest.history_hash).text(),),
                      marking=cover.marking, draft="" if manifest.release else DRAFT)
    with atomic_output(out) as temporary:
        yield 3, 4
        build_pdf(temporary, frame,
                  lambda: _story(pack, manifest.as_at, manifest.produced_at.date(), cover),
                  Stamp(manifest.to_json(), manifest.digest, manifest.produced_at))
    yield 4, 4


def _story(pack: BoardPack, today: date, produced: date, cover: Cover) -> list[Flowable]:
    chart = pack_chart(pack)
    return [*_cover(pack, today, produced, cover), PageBreak(), *_report_words(cover.words),
            *_summary(pack, chart), CondPageBreak(NEW_SECTION_ROOM),
            *_grades(pack, chart), CondPageBreak(NEW_SECTION_ROOM),
            *_sections(pack), *_priorities(pack), CondPageBreak(NEW_SECTION_ROOM),
            *_indicators(pack), CondPageBreak(NEW_SECTION_ROOM),
            *_voice(pack), CondPageBreak(NEW_SECTION_ROOM),
            *_cohorts(pack), CondPageBreak(NEW_SECTION_ROOM),
            *_themes(pack), *_actions(pack), *_action_breakdowns(pack), *_programme(pack),
            CondPageBreak(NEW_SECTION_ROOM),
            *_method(pack), *_about(pack)]


# --- tables -----------------------------------------------------------------------------------


def _table(rows: Sequence[Sequence[Any]], widths: Sequence[float],
           extra: Sequence[tuple[Any, ...]] = ()) -> Grid:
    table = Grid([list(row) for row in rows], colWidths=list(widths), repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), HEADER),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("FONTNAME", (0, 1), (-1, -1), FONT),
        ("FONTSIZE", (0, 1), (-1, -1), 8.5),
        *extra,
    ]))
    return table


def _cell(value: str, bold: bool = False) -> Any:
    return text(value, "cell_bold" if bold else "cell")


def _tint(grade: str, share: float) -> colors.Color:
    """A grade's colour, paler for a smaller share (white at 0 %, full at 100 %)."""
    base = grade_colour(grade)
    strength = 0.15 + 0.85 * share
    return colors.Color(1 - strength * (1 - base.red), 1 - strength * (1 - base.green),
                        1 - strength * (1 - base.blue))


def _band_cells(pack: BoardPack, prefix: tuple[object, ...], row: int, first_column: int,
                bands: Sequence[str] = tuple(BAND_TITLES)
                ) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The bands of a row (Good or better, Requires improvement, Inadequate) as shares of
    its graded total, coloured by share; a withheld figure shows <5 or c on grey."""
    cells, styles = [], []
    total = (*prefix, "total")
    for i, band in enumerate(bands):
        key = (*prefix, band)
        share = pack.protection.share_value(key, total)
        column = first_column + i
        if share is None:
            cells.append(pack.protection.count(key) if not pack.protection.shown(key)
                         else pack.share(key, total))
            styles.append(("BACKGROUND", (column, row), (column, row), WITHHELD_COLOUR))
        else:
            cells.append(pack.share(key, total))
            styles.append(("BACKGROUND", (column, row), (column, row),
                           _tint(BAND_GRADES[band], share)))
    return cells, styles


# --- cover and summary ------------------------------------------------------------------------


def _suppression_note(threshold: int) -> str:
    """The key to the symbols (the one in :mod:`suppression`, true for every pack)."""
    return " ".join(key_text(threshold))


def _boxed(flowables: list[Flowable], fill: str = "#F2F5FA") -> Grid:
    box = Grid([[flowables]], colWidths=[CONTENT_WIDTH])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(fill)),
                             ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                             ("LEFTPADDING", (0, 0), (-1, -1), 8),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                             ("TOPPADDING", (0, 0), (-1, -1), 6),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return box


def _cover(pack: BoardPack, today: date, produced: date, cover: Cover) -> list[Flowable]:
    figures = pack.figures
    words = cover.words
    return [
        Spacer(1, 16 * mm),
        *([text(cover.council, "h2")] if cover.council else []),
        text(words.title if words else "Case file audits of care leavers' pathway plans",
             "title"),
        *_meeting(words),
        Spacer(1, 6 * mm),
        text(f"Period: {figures.scope.period_text()}", "h2"),
        text("Previous period, for the number of audits: "
             f"{figures.previous_scope.period_text()}"
             if figures.previous_scope else
             "For release: no figures of any earlier period (see section 8)."),
        text(f"Actions are reported as at {day_text(today)}. Produced by auditapp "
             f"{__version__} on {day_text(produced)}."),
        Spacer(1, 8 * mm),
        _boxed([text(f"Protective marking: {cover.marking}", "h2"),
                text(f"{cover.marking}: {MEANINGS.get(cover.marking, '')}. For the board and "
                     "the officers supporting it. The pack holds aggregate figures only: no "
                     "case references, no names and no text written in any individual "
                     "audit."),
                text(_suppression_note(figures.threshold))]),
        Spacer(1, 8 * mm),
        text("Contents", "h2"),
        *(text(line) for line in (*(("The report: summary, recommendations, key messages "
                                     "and next steps",) if words else ()),
                                  "1. Summary", "2. Grades, change over time and the quarters",
                                  "3. Grades by section, key line of enquiry and strategic "
                                  "priority", "4. Compliance indicators",
                                  "5. Voice of young people", "6. Grades by cohort",
                                  "7. Themes and actions, by age band and priority",
                                  "8. How the audits were done, and about these figures")),
    ]


def _meeting(words: BoardWords | None) -> list[Flowable]:
    """Who the report goes to and from: the committee and meeting date, and the author."""
    if words is None:
        return [text("Six-monthly report to the Corporate Parenting Partnership Board", "h2")]
    return [text(f"Report to the {words.committee}", "h2"),
            text(f"Meeting of {day_text(words.meeting_date)}"),
            text(f"Report author: {'; '.join(words.author)}")]


def _report_words(words: BoardWords | None) -> list[Flowable]:
    """The narrative of a report prepared in the app, before the figures."""
    if words is None:
        return []
    story: list[Flowable] = [Heading("The report")]
    for field, heading in NARRATIVE.items():
        story.append(Heading(heading, level=1))
        lines = words.text(field)
        if words.is_list(field):  # recommendations numbered, as committee reports number them
            lines = tuple(f"{i}. {line}" if field == "recommendations" else f"\u2022 {line}"
                          for i, line in enumerate(lines, start=1))
        story += [text(line) for line in lines]
    return [*story, CondPageBreak(NEW_SECTION_ROOM)]


def _moderation_kept(pack: BoardPack) -> str:
    """How often the moderator kept the auditor's grade, in words that end on a figure only
    where the figure is shown (a sentence ending "in c" reads as text cut off)."""
    same, moderated = ("moderation", "same"), ("moderation", "moderated")
    if pack.interval(same, moderated):
        return f"moderator kept the auditor's grade in {pack.share_with_interval(same, moderated)}"
    return ("the share in which the moderator kept the auditor's grade is not shown "
            f"({pack.share(same, moderated)}: see the key)")


def _key_figures(pack: BoardPack) -> Grid:
    share = pack.share
    moderation_kept = _moderation_kept(pack)
    whole = ("overall", "total")
    inadequate = ("overall", Grade.INADEQUATE.label)
    rows = [
        ["Audits completed", pack.count(*whole),
         f"previous period {pack.count('previous', 'total')}"
         if pack.figures.previous is not None else "this period only (a pack for release)"],
        ["Good or better", share(("overall", "gob"), whole),
         pack.interval(("overall", "gob"), whole) or "withheld: see the key"],
        ["Inadequate", share(inadequate, whole),
         "; ".join(filter(None, (f"{pack.count(*inadequate)} audits",
                                 pack.interval(inadequate, whole))))],
        ["Audits moderated", pack.count("moderation", "moderated"),
         f"{share(('moderation', 'moderated'), whole)} of audits; {moderation_kept}"],
        ["Actions raised", pack.count("actions", "raised"),
         f"{pack.count('actions', 'done')} completed, {pack.count('actions', ActionState.OVERDUE)} "
         "overdue"],
    ]
    rows += _programme_key_row(pack)
    cells = [[_cell(a, bold=True), text(b, "h2"), _cell(c)] for a, b, c in rows]
    table = Grid(cells, colWidths=[0.28 * CONTENT_WIDTH, 0.17 * CONTENT_WIDTH,
                                    0.55 * CONTENT_WIDTH], hAlign="LEFT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def _change(chart: ControlChart) -> Grid:
    """The control chart's reading, in the summary: how the board is told about change."""
    return _boxed([text("Change over time", "h3"),
                   text("Read from the control chart of the share Good or better by quarter "
                        "(section 2), not by setting one period against another. "
                        + " ".join(chart.words)),
                   text(INTERVAL_WORDS, "note")])


def _summary(pack: BoardPack, chart: ControlChart) -> list[Flowable]:
    figures = pack.figures
    strengths = [t.text for t in figures.strengths]
    areas = [t.text for t in figures.themes[:3]]
    return [
        Heading("1. Summary"),
        text(f"Audits submitted, moderated or closed with an audit date from "
             f"{figures.scope.period_text()}, by their final grade (the moderated grade "
             "where there is one). Each share of the period is given with its 95% "
             "interval and the number of audits it rests on."
             + (f" The previous period of the same length, "
                f"{figures.previous_scope.period_text()}, is given for the number of audits "
                "only." if figures.previous_scope else "")),
        _key_figures(pack),
        Spacer(1, 3 * mm),
        _change(chart),
        Spacer(1, 2 * mm),
        KeepTogether([text("Strongest practice (questions most often fully met)", "h2"),
                      *(text(f"\u2022 {line}") for line in strengths or ["None to report."])]),
        KeepTogether([text("Areas for development (questions most often answered No or "
                           "Partly)", "h2"),
                      *(text(f"\u2022 {line}") for line in areas or ["None to report."])]),
    ]


# --- grades and trend -------------------------------------------------------------------------


def distribution_chart(pack: BoardPack, width: float) -> Drawing:
    """The final grades as bars of their counts; a withheld count is a hatched bar labelled
    withheld, never a bar of zero."""
    drawing = Drawing(width, 58 * mm)
    chart = VerticalBarChart()
    # The stubs say int; reportlab takes any number.
    chart.x, chart.y, chart.width, chart.height = (
        10 * mm, 14 * mm, width - 12 * mm, 40 * mm)  # type: ignore[assignment]
    shown = [pack.protection.shown(("overall", g)) for g in GRADE_COLUMNS]
    chart.data = [[pack.protection.values[("overall", g)] if ok else 0
                   for g, ok in zip(GRADE_COLUMNS, shown, strict=True)]]
    chart.categoryAxis.categoryNames = ["Outstanding", "Good", "Requires\nimprovement",
                                        "Inadequate", "Not\ngraded"]
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[pack.count("overall", g) if ok else ""
                            for g, ok in zip(GRADE_COLUMNS, shown, strict=True)]]
    chart.barLabels.nudge = 6
    chart.barLabels.fontName = FONT_BOLD
    for i, grade in enumerate(GRADE_COLUMNS):
        chart.bars[(0, i)].fillColor = grade_colour(grade)
        chart.bars[(0, i)].strokeColor = None
    _style_axes(chart)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(max(chart.data[0]) * 1.15, 5)
    drawing.add(chart)
    slot = chart.width / len(GRADE_COLUMNS)
    for i, ok in enumerate(shown):
        if not ok:
            drawing.add(_withheld_band(chart.x + slot * (i + 0.2), chart.y, slot * 0.6,
                                       chart.height, "withheld"))
    return drawing


def _style_axes(chart: VerticalBarChart) -> None:
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.strokeColor = RULE
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#EEEEEE")


def _distribution_table(pack: BoardPack) -> Grid:
    rows: list[list[Any]] = [table_header(["Final grade", "Audits", "Share"], 1)]
    for grade in GRADE_COLUMNS:
        rows.append([_cell(grade), pack.count("overall", grade),
                     pack.share(("overall", grade), ("overall", "total"))])
    rows.append([_cell("Good or better", bold=True), pack.count("overall", "gob"),
                 pack.share(("overall", "gob"), ("overall", "total"))])
    rows.append([_cell("All audits", bold=True), pack.count("overall", "total"), "100%"])
    return _table(rows, [0.26 * CONTENT_WIDTH, 0.1 * CONTENT_WIDTH, 0.1 * CONTENT_WIDTH],
                  [("FONTNAME", (1, -2), (-1, -1), FONT_BOLD)])


def _side_by_side(left: Flowable, right: Flowable) -> Grid:
    table = Grid([[left, right]], colWidths=[0.53 * CONTENT_WIDTH, 0.47 * CONTENT_WIDTH],
                  hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _box(x: float, y: float, width: float, height: float, fill: colors.Color,
         stroke: colors.Color | None = None) -> Rect:
    """A filled rectangle (the stubs mistype Rect's keyword arguments, so they are set
    after)."""
    box = Rect(x, y, width, height)
    box.fillColor, box.strokeColor, box.strokeWidth = fill, stroke, 0.6
    return box


def _hatch(x: float, y: float, width: float, height: float, step: float = 2 * mm
           ) -> Group:
    """A box of grey diagonal lines: a withheld figure, never drawn as a zero."""
    group = Group()
    group.add(_box(x, y, width, height, colors.white, WITHHELD_COLOUR))
    k = -height
    while k < width:
        x0, y0 = max(k, 0.0), max(-k, 0.0)
        x1 = min(k + height, width)
        group.add(Line(x + x0, y + y0, x + x1, y + x1 - k, strokeColor=WITHHELD_COLOUR,
                       strokeWidth=0.6))
        k += step
    return group


def _drawn_shares(pack: BoardPack, key: str) -> list[float]:
    """The shares of a quarter's bar that can be drawn: its bands from Good or better up to
    the first withheld one (a band above a withheld one has no known place)."""
    prefix = ("quarter", key)
    drawn = []
    for band in BAND_TITLES:
        share = pack.protection.share_value((*prefix, band), (*prefix, "total"))
        if share is None:
            break
        drawn.append(share)
    return drawn


def _bar_withheld(pack: BoardPack, key: str) -> bool:
    return len(_drawn_shares(pack, key)) < len(BAND_TITLES)


def _quarter_bar(pack: BoardPack, key: str, x: float, width: float, height: float) -> Group:
    """One quarter's stacked bar, Good or better at the bottom, as far as its shares are
    shown; the rest of the bar, from the first withheld share up, is hatched and labelled
    "withheld" (a whole bar "no audits" where none was graded), never left at zero."""
    group = Group()
    bottom = 0.0
    shares = _drawn_shares(pack, key)
    for band, share in zip(BAND_TITLES, shares, strict=False):
        if share:
            group.add(_box(x, bottom, width, share * height,
                           grade_colour(BAND_GRADES[band])))
        bottom += share * height
    if len(shares) == len(BAND_TITLES):
        return group
    label = "no audits" if pack.count("quarter", key, "total") == "0" else "withheld"
    group.add(_withheld_band(x, bottom, width, height - bottom,
                             label if height - bottom >= 6 * mm else ""))
    return group


def _withheld_band(x: float, y: float, width: float, height: float, label: str) -> Group:
    """A hatched band standing for a withheld figure, with ``label`` on white in its
    middle (none if "")."""
    group = _hatch(x, y, width, height)
    if label:
        middle, centre = x + width / 2, y + height / 2
        group.add(_box(middle - 6.5 * mm, centre - 2.2 * mm, 13 * mm, 5.4 * mm, colors.white))
        group.add(String(middle, centre - 0.6 * mm, label, fontName=FONT, fontSize=7,
                         fillColor=MUTED, textAnchor="middle"))
    return group


def trend_chart(pack: BoardPack) -> Drawing | None:
    """The stacked bars of each trend quarter's bands, as shares of its graded audits; None
    when no quarter can be drawn (the share Good or better withheld in every one: the table
    says which)."""
    trend = pack.figures.trend
    if not any(_drawn_shares(pack, q.key) for q in trend):
        return None
    left, base, plot_width, plot_height = 14 * mm, 20 * mm, CONTENT_WIDTH - 20 * mm, 42 * mm
    drawing = Drawing(CONTENT_WIDTH, 64 * mm)
    plot = Group()
    plot.translate(left, base)
    for percent in range(0, 101, 25):
        y = plot_height * percent / 100
        plot.add(Line(0, y, plot_width, y, strokeColor=colors.HexColor("#EEEEEE"),
                      strokeWidth=0.5))
        plot.add(String(-2 * mm, y - 1 * mm, f"{percent}%", fontName=FONT, fontSize=7.5,
                        textAnchor="end"))
    slot = plot_width / max(len(trend), 1)
    for i, quarter in enumerate(trend):
        plot.add(_quarter_bar(pack, quarter.key, slot * (i + 0.2), slot * 0.6, plot_height))
        plot.add(String(slot * (i + 0.5), -4 * mm, quarter.label.replace(" 20", " \u2019"),
                        fontName=FONT, fontSize=7.5, textAnchor="middle"))
    plot.add(Line(0, 0, plot_width, 0, strokeColor=RULE))
    plot.add(Line(0, 0, 0, plot_height, strokeColor=RULE))
    drawing.add(plot)
    x = left
    for title, band in zip(BAND_TITLES.values(), BAND_TITLES, strict=True):
        x = _legend_entry(drawing, x, title,
                          _box(x, 8 * mm, 3 * mm, 3 * mm, grade_colour(BAND_GRADES[band])))
    if any(_bar_withheld(pack, q.key) for q in trend):
        _legend_entry(drawing, x, "Withheld", _hatch(x, 8 * mm, 3 * mm, 3 * mm, 1 * mm))
    return drawing


def _legend_entry(drawing: Drawing, x: float, title: str, mark: Shape) -> float:
    drawing.add(mark)
    drawing.add(String(x + 4.5 * mm, 8.6 * mm, title, fontName=FONT, fontSize=7.5))
    return x + 38 * mm


def _trend_table(pack: BoardPack) -> Grid:
    rows: list[list[Any]] = [table_header(["Quarter", "Audits graded",
                                           *BAND_TITLES.values()], 1)]
    extra: list[tuple[Any, ...]] = []
    for i, quarter in enumerate(pack.figures.trend, start=1):
        prefix = ("quarter", quarter.key)
        cells, styles = _band_cells(pack, prefix, i, 2)
        rows.append([_cell(quarter.label), pack.count(*prefix, "total"), *cells])
        extra += styles
    width = CONTENT_WIDTH
    return _table(rows, [0.28 * width, 0.15 * width, 0.19 * width, 0.2 * width, 0.18 * width],
                  extra)


def _control_chart(pack: BoardPack, chart: ControlChart) -> list[Flowable]:
    """The p-chart of the share Good or better with what its limits are, its reading and
    its table; no picture when every quarter is withheld (the words say so)."""
    figure: list[Flowable] = [Heading("Change over time: control chart", level=1),
                              text(chart_caption(chart))]
    if chart.centre is not None:
        picture = Image(io.BytesIO(control_chart_png(chart)), CONTENT_WIDTH,
                        CONTENT_WIDTH * HEIGHT / WIDTH)
        figure.append(picture)
    figure.append(text(" ".join(chart.words), "h3"))
    rows = chart_rows(pack, chart)
    extra = [("BACKGROUND", (column, i), (column, i), WITHHELD_COLOUR)
             for i, row in enumerate(rows, start=1) for column in range(1, len(row))
             if withheld_symbol(row[column])]
    width = CONTENT_WIDTH
    return [KeepTogether(figure),
            KeepTogether([text(CHART_TABLE_CAPTION, "h3"),
                          _table([table_header(list(CHART_COLUMNS), 1), *rows],
                                 [0.22 * width, 0.14 * width, 0.14 * width, 0.12 * width,
                                  0.18 * width, 0.2 * width], extra)])]


def _grades(pack: BoardPack, chart: ControlChart) -> list[Flowable]:
    bars = trend_chart(pack)
    return [
        Heading("2. Grades"),
        _bound(text("Final grade of every audit in the period.")),
        _side_by_side(distribution_chart(pack, 0.52 * CONTENT_WIDTH), _distribution_table(pack)),
        *_control_chart(pack, chart),
        KeepTogether([
            Heading("Grades across quarters", level=1),
            text("Shares of the audits graded in each quarter (the last quarter up to the end "
                 "of the period). Outstanding is counted with Good. Where a share is "
                 "withheld to protect small numbers, the bar is hatched from it up and "
                 "labelled withheld, never drawn as zero.") if bars is not None else
            text("No quarter can be drawn: in every quarter the share Good or better is "
                 "withheld to protect small numbers. The table shows what can be shown."),
            *([bars] if bars is not None else [])]),
        _trend_table(pack),
    ]


# --- sections and lines of enquiry ------------------------------------------------------------


def _heat_table(pack: BoardPack, name: str, rows: Sequence[tuple[str, str]],
                counted: str, bands: dict[str, str] = BAND_TITLES) -> Grid:
    header = table_header(["", counted, *bands.values()], 1)
    body: list[list[Any]] = [header]
    extra: list[tuple[Any, ...]] = []
    for i, (key, label) in enumerate(rows, start=1):
        cells, styles = _band_cells(pack, (name, key), i, 2, tuple(bands))
        body.append([_cell(label), pack.count(name, key, "total"), *cells])
        extra += styles
    width = CONTENT_WIDTH
    band_width = 0.47 * width / len(bands)
    return _table(body, [0.41 * width, 0.12 * width, *([band_width] * len(bands))], extra)


def _sections(pack: BoardPack) -> list[Flowable]:
    figures = pack.figures
    parts: list[Flowable] = [
        Heading("3. Grades by section"),
        text("The auditors' section grades, as shares of the audits in which the section was "
             "graded. Colour deepens with the share. Outstanding is counted with Good.")]
    for template in figures.templates:
        rows = [(s.key, s.label) for s in figures.sections if s.template_key == template.key]
        parts += [Heading(template.title, level=1),
                  _heat_table(pack, "section", rows, "Audits graded")]
    if figures.other_templates:
        parts.append(text("Audits on templates used fewer than "
                          f"{figures.threshold} times in the period count in the overall "
                          "figures but are not broken down by section.", "note"))
    parts += [Heading("Grades by key line of enquiry", level=1),
              text("The same section grades gathered by the LGA peer challenge key lines of "
                   "enquiry each section is tagged with; a section tagged with two lines "
                   "counts in both. Below Good is Requires improvement or Inadequate.", "note"),
              _heat_table(pack, "kloe", [(line.key, line.label)
                                         for line in figures.lines_of_enquiry],
                          "Section grades", LINE_TITLES)]
    return parts


# --- priorities, indicators, voice, cohorts, actions by age and priority -----------------------


def _bound(lead: Paragraph) -> Paragraph:
    """A lead-in kept with the start of what follows it, like a heading (see pdf_layout)."""
    lead.keepWithNext = 1
    return lead


def _titled(title: str, words: str, table: Grid) -> list[Flowable]:
    """A sub-heading and its words kept with the table's first rows (the table's header row
    repeats on every page it runs onto)."""
    if not words:
        return [Heading(title, level=1), table]
    return [Heading(title, level=1), _bound(text(words, "note")), table]


def _priorities(pack: BoardPack) -> list[Flowable]:
    findings = pack.figures.findings
    if findings is None or not findings.priorities:
        return []
    return _titled(
        "Grades by strategic priority",
        "The same section grades gathered by the Leaving Care Strategy's six priorities each "
        "section is tagged with (SP1 to SP6); a section tagged with two priorities counts in "
        "both. Below Good is Requires improvement or Inadequate.",
        _heat_table(pack, "priority", [(line.key, line.label)
                                       for line in findings.priorities],
                    "Section grades", LINE_TITLES))


def _indicator_table(pack: BoardPack, indicators: Sequence[IndicatorFigure],
                     voice: bool) -> Grid:
    width = CONTENT_WIDTH
    header = (["Question", "n", "Yes", "Share", "95% interval"] if voice else
              ["Indicator", "n", "Met", "Share", "95% interval", "Target", "Judgement"])
    rows: list[list[Any]] = [table_header(header, 1)]
    extra: list[tuple[Any, ...]] = []
    for i, indicator in enumerate(indicators, start=1):
        cells = indicator_cells(pack.protection, indicator)
        label = f"{indicator.title}" + (f" ({indicator.eligible})" if indicator.eligible
                                        else "")
        row = [_cell(label), cells.n, cells.met, cells.share, cells.interval]
        if not voice:
            row += [cells.target, _cell(cells.judgement)]
        rows.append(row)
        extra += [("BACKGROUND", (c, i), (c, i), WITHHELD_COLOUR)
                  for c, value in enumerate(row[1:4], start=1) if withheld_symbol(str(value))]
    widths = ([0.52, 0.09, 0.09, 0.11, 0.17] if voice else
              [0.38, 0.065, 0.065, 0.095, 0.13, 0.09, 0.175])
    return _table(rows, [w * width for w in widths], extra)


def _by_template(pack: BoardPack, kind: str) -> list[tuple[str, list[IndicatorFigure]]]:
    findings = pack.figures.findings
    groups: dict[str, list[IndicatorFigure]] = {}
    titles: dict[str, str] = {}
    for indicator in findings.indicators if findings else ():
        if indicator.kind == kind:
            groups.setdefault(indicator.template_key, []).append(indicator)
            titles[indicator.template_key] = indicator.template_title
    return [(titles[key], rows) for key, rows in groups.items()]


def _indicators(pack: BoardPack) -> list[Flowable]:
    return _indicator_section(
        pack, COMPLIANCE, "4. Compliance indicators",
        "Indicators the templates declare, each over the answers to one question: of the "
        "eligible young people whose audit answered it (Not applicable left out), how many met "
        "it. The interval is the Wilson 95% interval of the share. Below the least n the "
        "template states, an indicator is too few to judge and is not set against its target; "
        "where its figures are withheld, so is its judgement.",
        "No template used in the period declares a compliance indicator.",
        "n: eligible young people whose audit answered the question; who is eligible in "
        "brackets where not everyone.")


def _voice(pack: BoardPack) -> list[Flowable]:
    return _indicator_section(
        pack, VOICE, "5. Voice of young people",
        "How often the audits found the young person's views sought and recorded, as counts of "
        "the answers to the templates' voice questions. Nothing a young person said is quoted "
        "here.",
        "No template used in the period declares a voice question.",
        "n: audits where the question was answered (Not applicable left out); Yes: the view "
        "was sought or recorded.")


def _indicator_section(pack: BoardPack, kind: str, heading: str, about: str, none: str,
                       key: str) -> list[Flowable]:
    """A numbered section of one kind of indicator: a table per template, each with ``key``
    saying what its columns count."""
    parts: list[Flowable] = [Heading(heading), text(about)]
    groups = _by_template(pack, kind)
    if not groups:
        parts.append(text(none))
    for title, indicators in groups:
        parts += _titled(title, key, _indicator_table(pack, indicators, voice=kind == VOICE))
    return parts


def _cohort_table(pack: BoardPack, cohort: Cohort) -> Grid:
    rows: list[list[Any]] = [table_header([cohort.title, "Audits graded",
                                           *BAND_TITLES.values()], 1)]
    extra: list[tuple[Any, ...]] = []
    for i, row in enumerate(cohort.rows, start=1):
        prefix = ("cohort", cohort.key, row.key)
        cells, styles = _band_cells(pack, prefix, i, 2)
        rows.append([_cell(row.label), pack.count(*prefix, "total"), *cells])
        extra += styles
    width = CONTENT_WIDTH
    return _table(rows, [0.3 * width, 0.15 * width, 0.19 * width, 0.19 * width,
                         0.17 * width], extra)


def _cohorts(pack: BoardPack) -> list[Flowable]:
    findings = pack.figures.findings
    if findings is None:
        return []
    parts: list[Flowable] = [
        Heading("6. Grades by cohort"),
        text("Final grades of the audits by the young person's care leaver category, whether "
             "they are an unaccompanied asylum-seeking young person, and their age at the "
             "audit, as shares of the audits graded in each row. Each audit is in one row of "
             "each table, so a table's rows add up to the final grades above; small numbers "
             "are withheld across all of them together.")]
    for cohort in findings.cohorts:
        parts += _titled(f"By {cohort.title.lower()}", "", _cohort_table(pack, cohort))
    note = left_out_words(findings, COHORTS, "Final grades")
    return [*parts, text(note, "note")] if note else parts


ACTION_COLUMNS = ("Raised", "On time", "Late", "Open", "Overdue", "Cancelled")


def _action_table(pack: BoardPack, name: str, title: str, rows: Sequence[ActionRow]) -> Grid:
    body: list[list[Any]] = [table_header([title, *ACTION_COLUMNS], 1)]
    extra: list[tuple[Any, ...]] = []
    for i, row in enumerate(rows, start=1):
        values = [pack.count(name, row.key, "raised"),
                  *(pack.count(name, row.key, state) for state in ACTION_STATES)]
        body.append([_cell(row.label), *values])
        extra += [("BACKGROUND", (c, i), (c, i), WITHHELD_COLOUR)
                  for c, value in enumerate(values, start=1) if withheld_symbol(value)]
    width = CONTENT_WIDTH
    return _table(body, [0.28 * width, *([0.12 * width] * len(ACTION_COLUMNS))], extra)


def _action_breakdowns(pack: BoardPack) -> list[Flowable]:
    findings = pack.figures.findings
    if findings is None:
        return []
    as_at = day_text(pack.figures.current.actions.as_at)
    parts: list[Flowable] = []
    if findings.actions_by_age:
        parts += _titled("Actions by age band",
                         "Actions raised by the audits, by the young person's age at the "
                         f"audit; open and overdue as at {as_at}. Completed on time or late, "
                         "against the action's due date.",
                         _action_table(pack, "actions_age", "Age at audit",
                                       findings.actions_by_age))
    if findings.actions_by_priority:
        parts += _titled("Actions by priority",
                         "The same actions by their priority (immediate: a safeguarding "
                         "concern).",
                         _action_table(pack, "actions_priority", "Priority",
                                       findings.actions_by_priority))
    note = left_out_words(findings, ("actions_age", "actions_priority"), "Actions")
    return [*parts, text(note, "note")] if note else parts


# --- themes, actions, method ------------------------------------------------------------------


def _themes(pack: BoardPack) -> list[Flowable]:
    figures = pack.figures
    if not figures.themes:
        return [Heading("7. Themes and actions"), text("No question was answered No or Partly "
                                           f"{figures.threshold} or more times.")]
    rows: list[list[Any]] = [table_header(["Question", "Answers", "No or Partly", "Share"], 1)]
    for theme in figures.themes:
        key = ("theme", theme.template_key, theme.question_key)
        rows.append([_cell(f"{theme.question_key} {theme.text}"), pack.count(*key, "scored"),
                     pack.count(*key, "below"), pack.share((*key, "below"), (*key, "scored"))])
    width = CONTENT_WIDTH
    return [Heading("7. Themes and actions"),
            text("The questions most often answered No or Partly (or below the best answer on "
                 "their scale), out of the answers that were not Not applicable."),
            _table(rows, [0.61 * width, 0.12 * width, 0.14 * width, 0.13 * width])]


def _actions(pack: BoardPack) -> list[Flowable]:
    as_at = day_text(pack.figures.current.actions.as_at)
    labels = ((ActionState.DONE_ON_TIME, "Completed on time"),
              (ActionState.DONE_LATE, "Completed late"), (ActionState.OPEN, "Open, not yet due"),
              (ActionState.OVERDUE, f"Overdue at {as_at}"), (ActionState.CANCELLED, "Cancelled"))
    rows: list[list[Any]] = [table_header(["Actions raised by the audits", "Actions",
                                           "Share"], 1)]
    for key, label in labels:
        rows.append([_cell(label), pack.count("actions", key),
                     pack.share(("actions", key), ("actions", "raised"))])
    rows.append([_cell("Raised", bold=True), pack.count("actions", "raised"), ""])
    width = CONTENT_WIDTH
    return [Heading("Actions", level=1),
            _table(rows, [0.55 * width, 0.2 * width, 0.2 * width],
                   [("FONTNAME", (1, -1), (-1, -1), FONT_BOLD)])]


# --- the audit programme ------------------------------------------------------------------------


def _programme_key_row(pack: BoardPack) -> list[list[str]]:
    """The summary's line "N of M planned audits completed", where the programme covers the
    period."""
    figure = programme_tables.summary_figure(pack)
    if figure is None:
        return []
    return [["Audit programme", *figure]]


def _programme(pack: BoardPack) -> list[Flowable]:
    """Completed against planned, and the next period's programme: nothing where the
    programme plans neither."""
    rows = programme_tables.completed_rows(pack)
    following = programme_tables.next_rows(pack)
    if not rows and not following:
        return []
    width = CONTENT_WIDTH
    parts: list[Flowable] = [Heading(programme_tables.COMPLETED_TITLE, level=1)]
    if rows:  # kept together (on the next page if need be) unless longer than a page
        parts += [text(programme_tables.completed_words(pack)),
                  _table([table_header(list(programme_tables.COMPLETED_HEADER), 2),
                          *([_cell(team), _cell(title), *counts]
                            for team, title, *counts in rows)],
                         [0.22 * width, 0.33 * width, 0.13 * width, 0.15 * width, 0.17 * width],
                         [("FONTNAME", (2, -1), (-1, -1), FONT_BOLD)])]
    else:
        parts.append(text("The audit programme plans no audits for this period."))
    following_parts: list[Flowable] = [
        Heading(programme_tables.NEXT_TITLE, level=1),
        text(f"Audits planned for {programme_tables.next_period_text(pack)}.")]
    if following:
        following_parts.append(_table(
            [table_header(list(programme_tables.NEXT_HEADER), 3),
             *([_cell(c) for c in row[:3]] + row[3:] for row in following)],
            [0.28 * width, 0.22 * width, 0.38 * width, 0.12 * width]))
    else:
        following_parts.append(text("None planned yet."))
    return [KeepTogether(parts), KeepTogether(following_parts)]


def _method(pack: BoardPack) -> list[Flowable]:
    figures = pack.figures
    rows: list[list[Any]] = [table_header(["Template", "Id", "Versions", "Audits"], 2)]
    for template in figures.templates:
        rows.append([_cell(template.title), _cell(template.key),
                     ", ".join(str(v) for v in template.versions),
                     pack.count("template", template.key)])
    if figures.other_templates:
        rows.append([_cell(f"Other templates (each used fewer than {figures.threshold} "
                           "times): not broken down"), "", "", "\u2013"])
    width = CONTENT_WIDTH
    moderation = [
        ["Audits moderated", pack.count("moderation", "moderated"),
         pack.share(("moderation", "moderated"), ("overall", "total"))],
        ["Moderator kept the auditor's grade", pack.count("moderation", "same"),
         pack.share(("moderation", "same"), ("moderation", "moderated"))],
        ["Moderator raised the grade", pack.count("moderation", "raised"),
         pack.share(("moderation", "raised"), ("moderation", "moderated"))],
        ["Moderator lowered the grade", pack.count("moderation", "lowered"),
         pack.share(("moderation", "lowered"), ("moderation", "moderated"))],
    ]
    return [
        Heading("8. How the audits were done"),
        text("Each audit follows one version of a checklist template; the grading rule "
             "suggests section and overall grades from the answers and the auditor confirms "
             "or changes them with a rationale."),
        _table(rows, [0.5 * width, 0.25 * width, 0.12 * width, 0.13 * width]),
        Heading("Moderation", level=1),
        text("A second, more senior reader re-grades a sample of audits; the moderated grade "
             "is the final grade. Shares of moderated audits, except the first line (share of "
             "all audits)."),
        _table([table_header(["", "Audits", "Share"], 1),
                *([_cell(a), b, c] for a, b, c in moderation)],
               [0.55 * width, 0.2 * width, 0.2 * width]),
        *_agreement(pack),
    ]


def _agreement(pack: BoardPack) -> list[Flowable]:
    """How far auditors and moderators agree, overall and by section (never by auditor)."""
    figures = pack.figures.current.agreement
    threshold = pack.figures.threshold
    overall = figures.overall
    printed = pack.agreement_printed()
    width = CONTENT_WIDTH

    def share(part: int) -> str:
        return agreement_share(part, overall.pairs, threshold) if printed else "\u2013"

    rows: list[list[Any]] = [
        table_header(["", "Figure"], 1),
        [_cell("Moderator's own grade the same as the auditor's"), share(overall.exact)],
        [_cell("Within one grade of the auditor's"), share(overall.within_one)],
        [_cell("Agreement beyond chance (Cohen's kappa, linearly weighted; 1 is perfect, "
               "0 no better than chance)"),
         kappa_text(overall.kappa, overall.pairs, threshold, printed)],
    ]
    sections = [s for s in figures.sections if s.agreement.pairs >= threshold]
    story: list[Flowable] = [
        Heading("Agreement", level=1),
        text("Moderators grade each sampled audit before they see the auditor's grades, so "
             "these figures compare two independent readings; n is the number of audits "
             "graded by both. A figure that would reveal a count below the threshold, "
             "together with the moderation counts above or the grade counts, is left out "
             "(\u2013)."),
        _table(rows, [0.75 * width, 0.2 * width]),
    ]
    if sections:
        section_rows: list[list[Any]] = [table_header(["Section", "Kappa"], 1)]
        section_rows += [[_cell(f"{s.section_key} {s.title}"),
                          kappa_text(s.agreement.kappa, s.agreement.pairs, threshold,
                                 pack.section_agreement_printed(s.template_key, s.section_key,
                                                                s.agreement.pairs))]
                         for s in sections]
        story.append(_table(section_rows, [0.75 * width, 0.2 * width]))
    return story


def _about(pack: BoardPack) -> list[Flowable]:
    notes = (
        "Counted: audits submitted, moderated or closed with an audit date in the period. "
        "Drafts are never counted. Each audit counts once, so a young person audited twice "
        "in the period counts twice.",
        "Grade: the final grade, which is the moderated grade where there is one, otherwise "
        "the auditor's overall grade. Section figures use the auditor's section grades.",
        _suppression_note(pack.figures.threshold),
        "Left out on purpose: case references, names of young people, workers, auditors and "
        "moderators, anything written in an audit (evidence, strengths, comments, action "
        "text), and any figure by auditor or by team.",
    )
    return [Heading("About these figures", level=1),
            *(text(f"\u2022 {note}") for note in notes),
            text(f"{NOT_GRADED}: audits counted without an overall grade.", "note")]

