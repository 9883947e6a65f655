"""The page layout every auditapp PDF shares, read back from the PDF it writes."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from reportlab.platypus import Flowable, Spacer

from auditapp.exporters.pdf_layout import Grid, Heading, PageFrame, build_pdf, text

HEADER = "Age band header"


def _pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_a_table_split_after_its_heading_repeats_its_header_only_at_a_page_top(
        tmp_path: Path) -> None:
    """A heading, its lead-in and a table that starts at the foot of a page and goes on to
    the next: wherever on the page the heading falls, each page prints the table's header
    once (the heading's space before it once made the frame split the table's first part
    again, printing the header a second time mid-page)."""
    frame = PageFrame("Layout", "split tables", "footer")
    rows = [[HEADER, "Raised"], *([f"row {i}", str(i)] for i in range(12))]
    for filler in range(520, 670, 3):  # points of page used before the heading
        def story(filler: int = filler) -> list[Flowable]:
            lead = text("The actions raised by the audits, by age.", "note")
            lead.keepWithNext = 1  # a lead-in bound to its table, as the board pack's are
            return [Heading("Themes and actions"), Spacer(1, filler), text("Above"),
                    Heading("Actions by age band", level=1), lead,
                    Grid(rows, repeatRows=1, hAlign="LEFT")]
        path = tmp_path / f"split-{filler}.pdf"
        build_pdf(path, frame, story)
        pages = _pages(path)
        for number, page in enumerate(pages, start=1):
            assert page.count(HEADER) <= 1, (filler, number, page)
        assert sum(page.count("row ") for page in pages) == 12, filler
        heading_page = next(p for p in pages if "Actions by age band" in p)
        assert HEADER in heading_page and "row 0" in heading_page, filler  # never orphaned
