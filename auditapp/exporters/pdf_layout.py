"""What every auditapp PDF shares: fonts, styles, the page frame with protective marking and
"Page x of y", an outline entry per heading, and grade colours."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from auditapp.rules.grades import NOT_GRADED
from auditapp.rules.palette import GRADE_COLOURS, GRADE_TEXT_COLOURS, HEADER_FILL

MARGIN = 18 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MARKING = "OFFICIAL-SENSITIVE"
INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#5A5A5A")
RULE = colors.HexColor("#BFBFBF")
HEADER = colors.HexColor(f"#{HEADER_FILL}")

#: Fonts tried in order (regular, bold): wide Unicode coverage where the system has it,
#: else the Vera fonts that ship with reportlab, so a PDF can always be made.
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
    return "Helvetica", "Helvetica-Bold"


FONT, FONT_BOLD = _register_fonts()


def _style(name: str, size: float, bold: bool = False, **extra: object) -> ParagraphStyle:
    settings: dict[str, object] = {"fontName": FONT_BOLD if bold else FONT, "fontSize": size,
                                   "leading": size * 1.3, "textColor": INK}
    return ParagraphStyle(name, **(settings | extra))  # type: ignore[arg-type]


STYLES = {
    "title": _style("title", 20, bold=True, spaceAfter=4 * mm, textColor=HEADER),
    "h1": _style("h1", 14, bold=True, spaceBefore=5 * mm, spaceAfter=2.5 * mm,
                 textColor=HEADER),
    "h2": _style("h2", 11.5, bold=True, spaceBefore=4 * mm, spaceAfter=2 * mm),
    "body": _style("body", 9.5, spaceAfter=2 * mm),
    "small": _style("small", 8),
    "cell": _style("cell", 8.5),
    "cell_bold": _style("cell_bold", 8.5, bold=True),
    "cell_head": _style("cell_head", 8.5, bold=True, textColor=colors.white),
    "cell_head_right": _style("cell_head_right", 8.5, bold=True, textColor=colors.white,
                              alignment=TA_RIGHT),
    "note": _style("note", 8, textColor=MUTED, spaceAfter=1.5 * mm),
    "centre": _style("centre", 9.5, alignment=TA_CENTER),
    "big": _style("big", 26, bold=True, alignment=TA_CENTER, textColor=HEADER),
}


def text(value: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(value).replace("\n", "<br/>"), STYLES[style])


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
    """A heading that also gets an entry in the PDF's outline (bookmarks)."""

    def __init__(self, title: str, level: int = 0, outline: str | None = None) -> None:
        super().__init__(escape(title), STYLES["h1" if level == 0 else "h2"])
        self.outline_title = outline or title
        self.outline_level = level


@dataclass(frozen=True)
class PageFrame:
    """What is printed around every page."""

    title: str  # the document title, also the PDF's metadata title
    subject: str
    footer: str  # left of the page number
    marking: str = MARKING
    keywords: str = ""  # the PDF's metadata keywords: the history's head (ChainStamp)


class _Document(BaseDocTemplate):
    def __init__(self, target: str | io.BytesIO, frame: PageFrame, pages: int | None) -> None:
        super().__init__(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN + 2 * mm,
                         title=frame.title, subject=frame.subject, author="auditapp",
                         creator="auditapp",
                         keywords=[frame.keywords] if frame.keywords else [])
        self.frame_text = frame
        self.total_pages = pages
        self.bookmarks = 0
        body = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [body], onPage=self._decorate)])

    def afterFlowable(self, flowable: Flowable) -> None:
        """Bookmark each heading and add it to the outline."""
        if isinstance(flowable, Heading):
            self.bookmarks += 1
            key = f"h{self.bookmarks}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.outline_title, key, level=flowable.outline_level,
                                      closed=False)

    def _decorate(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 8)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 10 * mm, self.frame_text.marking)
        canvas.drawCentredString(PAGE_WIDTH / 2, 8 * mm, self.frame_text.marking)
        canvas.setFont(FONT, 8)
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, 15 * mm, PAGE_WIDTH - MARGIN, 15 * mm)
        canvas.drawString(MARGIN, 11 * mm, self.frame_text.footer)
        page = canvas.getPageNumber()
        total = f" of {self.total_pages}" if self.total_pages else ""
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 11 * mm, f"Page {page}{total}")
        canvas.restoreState()


def build_pdf(path: Path, frame: PageFrame, story: Callable[[], Sequence[Flowable]]) -> int:
    """Lay out ``story()`` twice, first to count the pages for "Page x of y", then into
    ``path``; returns the number of pages. The story is rebuilt for the second pass because
    reportlab consumes flowables as it lays them out."""
    counting = _Document(io.BytesIO(), frame, None)
    counting.build(list(story()))
    pages = counting.page
    document = _Document(str(path), frame, pages)
    document.build(list(story()), canvasmaker=_OutlineCanvas)
    return pages


class _OutlineCanvas(Canvas):
    """Opens the PDF with its outline (bookmarks) showing."""

    def save(self) -> None:
        """Write the PDF, set to open with the outline showing."""
        self.showOutline()
        super().save()


def table_header(cells: Sequence[str], numbers_from: int | None = None) -> list[Paragraph]:
    """A table's header row as white bold text (for a dark header fill); columns from
    ``numbers_from`` on hold numbers and are right-aligned."""
    return [Paragraph(escape(c), STYLES["cell_head_right" if numbers_from is not None
                                        and i >= numbers_from else "cell_head"])
            for i, c in enumerate(cells)]
