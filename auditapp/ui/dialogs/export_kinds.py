"""The kinds of export the desktop offers, apart from their dialog (auditapp.ui.dialogs.export)
so that the main window can name them without importing the dialog before it is opened."""

from __future__ import annotations

from enum import Enum


class ExportKind(Enum):
    """What to export, with its title, file type and default file name."""

    WORKBOOK = ("Export findings to Excel", "Excel workbooks (*.xlsx)", "audit-findings.xlsx")
    BOARD_PACK = ("Board pack (PDF)", "PDF files (*.pdf)", "board-pack.pdf")
    FEEDBACK = ("Audit feedback (PDF)", "PDF files (*.pdf)", "audit-feedback.pdf")

    @property
    def title(self) -> str:
        """The dialog's title."""
        return self.value[0]
