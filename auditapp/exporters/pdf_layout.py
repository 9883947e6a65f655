"""What every auditapp PDF shares: embedded fonts, styles, the page frame with protective
marking and "Page x of y", an outline entry per heading, headings kept with what follows
them, continuation pages that name their section, text of any length, and the document's
metadata (language, title shown by the viewer, author, subject, keywords). A report with a
manifest gets it as an embedded file and in its metadata, and its creation date and file id
from it, so that the same inputs give the same bytes."""

from __future__ import annotations

import base64
import io
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.flowables import NullDraw

from auditapp.rules.grades import NOT_GRADED
from auditapp.rules.palette import GRADE_COLOURS, GRADE_TEXT_COLOURS, HEADER_FILL

MARGIN = 18 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MARKING = "OFFICIAL-SENSITIVE"
LANGUAGE = "en-GB"
INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#5A5A5A")
RULE = colors.HexColor("#BFBFBF")
HEADER = colors.HexColor(f"#{HEADER_FILL}")
#: Free text longer than this (characters, or lines) does not go into a table cell whole:
#: the cell holds its start and the rest follows the table, so that no row outgrows a page.
CELL_TEXT_CHARS = 1_200
CELL_TEXT_LINES = 14
MANIFEST_FILE = "manifest.json"
MANIFEST_KEY = "AuditappManifest"

#: Fonts tried in order (regular, bold), every one a TrueType font embedded (as a subset) in
#: each PDF: DejaVu Sans on Linux (Debian's fonts-dejavu-core), Arial on Windows and macOS,
#: else the Bitstream Vera fonts that ship with reportlab, so a PDF can always be made.
_FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf",
     "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
    (str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"),
     str(Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf")),
)


def _register_fonts() -> tuple[str, str]:
    for regular, bold in _FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            pdfmetrics.registerFont(TTFont("AuditSans", regular))
            pdfmetrics.registerFont(TTFont("AuditSans-Bold", bold))
            pdfmetrics.registerFontFamily("AuditSans", normal="AuditSans", bold="AuditSans-Bold",
                                          italic="AuditSans", boldItalic="AuditSans-Bold")
            return "AuditSans", "AuditSans-Bold"
    raise RuntimeError("no TrueType font found, not even reportlab's own Vera")


FONT, FONT_BOLD = _register_fonts()


def font_files() -> tuple[str, str]:
    """The TrueType files (regular, bold) of the fonts the PDFs embed, for other renderers
    (the Word edition's chart images) to draw with the same letters."""
    return next((regular, bold) for regular, bold in _FONT_CANDIDATES
                if Path(regular).is_file() and Path(bold).is_file())


def _style(name: str, size: float, bold: bool = False, **extra: object) -> ParagraphStyle:
    settings: dict[str, object] = {"fontName": FONT_BOLD if bold else FONT, "fontSize": size,
                                   "leading": size * 1.3, "textColor": INK}
    return ParagraphStyle(name, **(settings | extra))  # type: ignore[arg-type]


STYLES = {
    "title": _style("title", 20, bold=True, spaceAfter=4 * mm, textColor=HEADER),
    "h1": _style("h1", 14, bold=True, spaceBefore=5 * mm, spaceAfter=2.5 * mm,
                 textColor=HEADER, keepWithNext=1),
    "h2": _style("h2", 11.5, bold=True, spaceBefore=4 * mm, spaceAfter=2 * mm, keepWithNext=1),
    "h3": _style("h3", 9.5, bold=True, spaceBefore=2 * mm, spaceAfter=1 * mm, keepWithNext=1),
    "body": _style("body", 9.5, spaceAfter=2 * mm),
    "line": _style("line", 9.5),
    "small": _style("small", 8),
    "cell": _style("cell", 8.5),
    "cell_bold": _style("cell_bold", 8.5, bold=True),
    "cell_head": _style("cell_head", 8.5, bold=True, textColor=colors.white),
    "cell_head_right": _style("cell_head_right", 8.5, bold=True, textColor=colors.white,
                              alignment=TA_RIGHT),
    "note": _style("note", 8, textColor=MUTED, spaceAfter=1.5 * mm),
    "note_line": _style("note_line", 8, textColor=MUTED),
    "centre": _style("centre", 9.5, alignment=TA_CENTER),
    "big": _style("big", 26, bold=True, alignment=TA_CENTER, textColor=HEADER),
}


def _markup(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def text(value: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept). For free text of any length,
    use :func:`flowing`."""
    return Paragraph(_markup(value), STYLES[style])


def flowing(value: str, style: str = "line", indent: float = 0) -> list[Flowable]:
    """Free text of any length as paragraphs that flow across pages: one per line (so that
    text of thousands of lines lays out in time proportional to its length), blank lines as
    space."""
    base = STYLES[style]
    if indent:
        base = base.clone(f"{style}-indented", leftIndent=indent)
    parts: list[Flowable] = []
    for line in value.strip("\n").split("\n"):
        parts.append(Paragraph(_markup(line), base) if line.strip()
                     else Spacer(1, base.leading / 2))
    parts.append(Spacer(1, base.spaceAfter or 1.5 * mm))
    return parts


def fits_in_cell(value: str) -> bool:
    """Whether free text is short enough for a table cell (see :data:`CELL_TEXT_CHARS`)."""
    return len(value) <= CELL_TEXT_CHARS and value.count("\n") < CELL_TEXT_LINES


def cell_start(value: str) -> str:
    """The start of a text too long for a cell, cut at a word, with a pointer to the rest."""
    head = value[:CELL_TEXT_CHARS // 2]
    head = "\n".join(head.split("\n")[:CELL_TEXT_LINES // 2])
    if " " in head[len(head) // 2:]:
        head = head[:head.rindex(" ")]
    return f"{head.rstrip()} \u2026 (continued below the table)"


class Grid(Table):
    """A table whose text is in the embedded font (reportlab's tables default to Helvetica,
    which a PDF would then name without embedding)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setStyle([("FONTNAME", (0, 0), (-1, -1), FONT)])


def grade_colour(grade: str) -> colors.Color:
    """The fill colour of a grade given in words."""
    return colors.HexColor(f"#{GRADE_COLOURS.get(grade, GRADE_COLOURS[NOT_GRADED])}")


def grade_text_colour(grade: str) -> colors.Color:
    """The text colour that reads on :func:`grade_colour`."""
    return colors.HexColor(f"#{GRADE_TEXT_COLOURS.get(grade, '000000')}")


def grade_paragraph(grade: str, style: str = "cell_bold") -> Paragraph:
    """A grade in words, in the text colour that reads on its grade colour."""
    coloured = STYLES[style].clone(f"{style}-{grade}", textColor=grade_text_colour(grade))
    return Paragraph(escape(grade), coloured)


class Heading(Paragraph):
    """A heading: it gets an entry in the PDF's outline (bookmarks), is never left alone at
    the foot of a page, and names the pages its part continues on (level 0 and 1 only)."""

    def __init__(self, title: str, level: int = 0, outline: str | None = None) -> None:
        super().__init__(escape(title), STYLES["h1" if level == 0 else "h2"])
        self.outline_title = outline or title
        self.outline_level = level


class _WithNext(Flowable):
    """A heading (or a lead-in) kept with the start of what follows it: both go where the
    heading and at least the first part of the rest fit, else both move on together.

    The room left for the rest is worked out exactly as the frame will lay the two out
    (the heading's space before and after, the rest's space before, the frame overlapping
    the two spaces), and the rest is handed back whole: the frame splits it once, in the
    room it really has. Handing back parts split here would, whenever that room differs,
    have the frame split the first part again, printing a table's repeated header rows in
    the middle of a page."""

    def __init__(self, first: Flowable, rest: Flowable) -> None:
        super().__init__()
        first.__dict__["keepWithNext"] = 0  # bound here, so reportlab need not bind it again
        self.first = first
        self.rest = rest

    def getSpaceBefore(self) -> float:  # noqa: N802  # the heading's, asked by the frame
        return float(self.first.getSpaceBefore())

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return availWidth, 0xFFFFFF  # always split: split() decides

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        canvas = self.canv
        _width, height = self.first.wrapOn(canvas, availWidth, availHeight)
        after = float(self.first.getSpaceAfter())
        before_rest = float(self.rest.getSpaceBefore())
        room = availHeight - height - after - max(before_rest - after, 0)
        if room <= 0:
            return []
        _width, rest_height = self.rest.wrapOn(canvas, availWidth, room)
        if rest_height <= room or len(self.rest.splitOn(canvas, availWidth, room)) > 1:
            return [self.first, self.rest]
        return []

    def draw(self) -> None:  # never drawn whole: always split first
        raise AssertionError("a heading group is laid out by splitting")


def _keep_with_next(story: Sequence[Flowable]) -> list[Flowable]:
    """The story with every heading (and every paragraph styled to keep with the next) bound
    to what follows it."""
    result: list[Flowable] = []
    for flowable in reversed(story):
        if result and isinstance(flowable, Paragraph) and flowable.getKeepWithNext():  # type: ignore[no-untyped-call]
            result[-1] = _WithNext(flowable, result[-1])
        else:
            result.append(flowable)
    return list(reversed(result))


@dataclass(frozen=True)
class PageFrame:
    """What is printed around every page, and the document's metadata."""

    title: str  # the document title, also the PDF's metadata title
    subject: str
    footer: str  # left of the page number
    marking: str = MARKING
    author: str = "auditapp"
    keywords: tuple[str, ...] = ()  # the metadata keywords, with the history head (ChainStamp)
    draft: str = ""  # printed beside the marking on every page, e.g. "DRAFT: NOT FOR RELEASE"


@dataclass(frozen=True)
class Stamp:
    """A manifest to embed, with the time the report was produced (its creation date) and
    the digest it is known by (its file id)."""

    manifest: str  # JSON
    digest: str  # hex SHA-256
    produced_at: datetime  # UTC
    extra: dict[str, str] = field(default_factory=dict)  # further metadata entries


class _Document(BaseDocTemplate):
    def __init__(self, target: str | io.BytesIO, frame: PageFrame, pages: int | None) -> None:
        super().__init__(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN + 2 * mm,
                         title=frame.title, subject=frame.subject, author=frame.author,
                         creator="auditapp", producer="auditapp (ReportLab)",
                         keywords=list(frame.keywords),
                         lang=LANGUAGE, initialFontName=FONT, invariant=1)
        self.frame_text = frame
        self.total_pages = pages
        self.bookmarks = 0
        self.running: list[str] = []  # the part and section being laid out
        self.page_continues = ""  # what this page continues, if anything
        self.laid_on_page = 0
        body = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [body], onPage=self._begin,
                                            onPageEnd=self._decorate)])

    def afterFlowable(self, flowable: Flowable) -> None:
        """Bookmark each heading, add it to the outline, and follow the running section."""
        if isinstance(flowable, Heading):
            self.bookmarks += 1
            key = f"h{self.bookmarks}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_title, key, level=flowable.outline_level,
                                      closed=False)
            if flowable.outline_level <= 1:
                self.running = [*self.running[:flowable.outline_level], flowable.outline_title]
                if self.laid_on_page == 0:  # the page starts this section, within its part
                    self.page_continues = " \u00b7 ".join(self.running[:-1])
        if not isinstance(flowable, ActionFlowable | NullDraw):  # breaks, spaces: nothing drawn
            self.laid_on_page += 1

    def _begin(self, _canvas: Canvas, _doc: BaseDocTemplate) -> None:
        self.page_continues = " \u00b7 ".join(self.running)
        self.laid_on_page = 0

    def _decorate(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 8)
        canvas.setFillColor(MUTED)
        marking = self.frame_text.marking
        if self.frame_text.draft:
            marking = f"{marking} \u00b7 {self.frame_text.draft}"
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 10 * mm, marking)
        canvas.drawCentredString(PAGE_WIDTH / 2, 8 * mm, marking)
        if self.page_continues:
            canvas.setFont(FONT, 8)
            canvas.drawString(MARGIN, PAGE_HEIGHT - 16 * mm,
                              f"{self.page_continues} (continued)")
        canvas.setFont(FONT, 8)
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, 15 * mm, PAGE_WIDTH - MARGIN, 15 * mm)
        canvas.drawString(MARGIN, 11 * mm, self.frame_text.footer)
        page = canvas.getPageNumber()
        total = f" of {self.total_pages}" if self.total_pages else ""
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 11 * mm, f"Page {page}{total}")
        canvas.restoreState()


def build_pdf(path: Path, frame: PageFrame, story: Callable[[], Sequence[Flowable]],
              stamp: Stamp | None = None) -> int:
    """Lay out ``story()`` twice, first to count the pages for "Page x of y", then into
    ``path``; returns the number of pages. The story is rebuilt for the second pass because
    reportlab consumes flowables as it lays them out. With a ``stamp``, its manifest is
    embedded and its time and digest fix the creation date and file id."""
    counting = _Document(io.BytesIO(), frame, None)
    counting.build(_keep_with_next(story()))
    pages = counting.page
    document = _Document(str(path), frame, pages)
    document.build(_keep_with_next(story()), canvasmaker=partial(_FinalCanvas, stamp=stamp))
    return pages


class _Info(pdfdoc.PDFInfo):
    """The document information dictionary, with auditapp's own entries."""

    def __init__(self) -> None:
        super().__init__()
        self.extra: dict[str, str] = {}

    def format(self, document: Any) -> bytes:
        entries: dict[str, Any] = {
            "Title": pdfdoc.PDFString(self.title), "Author": pdfdoc.PDFString(self.author),
            "Producer": pdfdoc.PDFString(self.producer),
            "Creator": pdfdoc.PDFString(self.creator),
            "Subject": pdfdoc.PDFString(self.subject),
            "Keywords": pdfdoc.PDFString(self.keywords),
            "Trapped": pdfdoc.PDFName(self.trapped)}
        entries["CreationDate"] = entries["ModDate"] = pdfdoc.PDFDate(ts=document._timeStamp)
        for name, value in self.extra.items():
            entries[name] = pdfdoc.PDFString(value)
        return pdfdoc.PDFDictionary(entries).format(document)


def _time_stamp(moment: datetime) -> TimeStamp:
    stamp = TimeStamp(invariant=True)
    stamp.YMDhms = (moment.year, moment.month, moment.day, moment.hour, moment.minute,
                    moment.second)
    stamp.dhh = stamp.dmm = 0
    return stamp


class _FinalCanvas(Canvas):
    """Opens the PDF with its outline showing and its title in the window; stamps it."""

    def __init__(self, *args: Any, stamp: Stamp | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stamp = stamp
        document = self._doc  # type: ignore[attr-defined]  # the stubs omit the document
        info = _Info()
        info.__dict__.update({k: v for k, v in document.info.__dict__.items() if k != "extra"})
        document.info = info
        if stamp is not None:
            document._timeStamp = _time_stamp(stamp.produced_at)
            digest = bytes.fromhex(stamp.digest[:32])
            identity = pdfdoc.PDFText(digest, enc="raw").format(pdfdoc.DummyDoc())
            document._ID = b"\n[" + identity + identity + b"]\n"
        else:
            document._timeStamp = _time_stamp(datetime.now(UTC).replace(microsecond=0))

    def save(self) -> None:
        """Write the PDF, set to open with the outline showing."""
        self.showOutline()
        self.setViewerPreference("DisplayDocTitle", "true")
        if self.stamp is not None:
            self._embed(self.stamp)
        super().save()

    def _embed(self, stamp: Stamp) -> None:
        """The manifest as an embedded file, and compressed in the metadata."""
        document = self._doc  # type: ignore[attr-defined]
        content = stamp.manifest.encode("ascii")
        stream = pdfdoc.PDFStream(pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("EmbeddedFile"),
            "Subtype": pdfdoc.PDFName("application#2Fjson"),
            "Params": pdfdoc.PDFDictionary({"Size": len(content)})}), content)
        spec = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Filespec"), "F": pdfdoc.PDFString(MANIFEST_FILE),
            "UF": pdfdoc.PDFString(MANIFEST_FILE),
            "Desc": pdfdoc.PDFString("What this report counted and how it was made"),
            "AFRelationship": pdfdoc.PDFName("Data"),
            "EF": pdfdoc.PDFDictionary({"F": document.Reference(stream)})})
        reference = document.Reference(spec)
        document.Catalog.Names = pdfdoc.PDFDictionary({"EmbeddedFiles": pdfdoc.PDFDictionary(
            {"Names": pdfdoc.PDFArray([pdfdoc.PDFString(MANIFEST_FILE), reference])})})
        document.Catalog.AF = pdfdoc.PDFArray([reference])
        packed = base64.b64encode(zlib.compress(content, 9)).decode("ascii")
        document.info.extra = {MANIFEST_KEY: packed, **stamp.extra}


def read_stamp(path: Path) -> str | None:
    """The manifest (JSON) a PDF of auditapp's carries in its metadata, or None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    marker = f"/{MANIFEST_KEY} (".encode("ascii")
    start = data.find(marker)
    if start < 0:
        return None
    start += len(marker)
    end = data.find(b")", start)
    try:
        return zlib.decompress(base64.b64decode(data[start:end], validate=True)).decode("ascii")
    except (ValueError, zlib.error, UnicodeDecodeError):
        return None


def table_header(cells: Sequence[str], numbers_from: int | None = None) -> list[Paragraph]:
    """A table's header row as white bold text (for a dark header fill); columns from
    ``numbers_from`` on hold numbers and are right-aligned."""
    return [Paragraph(escape(c), STYLES["cell_head_right" if numbers_from is not None
                                        and i >= numbers_from else "cell_head"])
            for i, c in enumerate(cells)]
