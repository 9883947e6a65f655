"""Every Alt+letter of every dialog has one owner, as each dialog stands when it opens (two
owners and Alt+letter only moves between them, pressing neither)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from auditapp.services.cases import list_cases
from auditapp.services.template_list import list_templates
from auditapp.services.templates import install_shipped_templates, template_info
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.bundles import BundleExportDialog, BundleImportDialog
from auditapp.ui.dialogs.export import ExportDialog, ExportKind
from auditapp.ui.dialogs.first_run import FirstRunDialog
from auditapp.ui.dialogs.import_cases import ImportCasesDialog
from auditapp.ui.dialogs.new_audit import NewAuditDialog
from auditapp.ui.dialogs.profiles import ProfilesDialog
from auditapp.ui.editor.action_dialog import ActionDialog
from tests.builders import LEAD, make_case, mnemonic_clashes

DIALOGS: dict[str, Callable[[Database, int], QDialog]] = {
    "workbook": lambda db, _t: ExportDialog(db, ExportKind.WORKBOOK, LEAD),
    "board pack": lambda db, _t: ExportDialog(db, ExportKind.BOARD_PACK, LEAD),
    "feedback": lambda db, _t: ExportDialog(db, ExportKind.FEEDBACK, LEAD, audit_id=1),
    "bundle export": lambda db, _t: BundleExportDialog(db, LEAD),
    "bundle import": lambda db, _t: BundleImportDialog(db, LEAD),
    "import cases": lambda db, _t: ImportCasesDialog(db, list_templates(db), LEAD),
    "profiles": lambda db, _t: ProfilesDialog(db, LEAD),
    "first run": lambda db, _t: FirstRunDialog("a.sqlite", [], True, offer_encryption=True),
    "new audit": lambda db, _t: NewAuditDialog(list_cases(db), list_templates(db), "Lee"),
    "action": lambda db, t: ActionDialog(template_info(db, t), save=lambda _v: None,
                                         question_id=template_info(db, t).sections[0]
                                         .questions[0].id),
}


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_each_alt_letter_has_one_owner(qtbot: QtBot, db: Database, small_template_id: int,
                                       name: str) -> None:
    install_shipped_templates(db)
    make_case(db, "C-1")
    dialog = DIALOGS[name](db, small_template_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert mnemonic_clashes(dialog) == {}
