"""The history page: every change to the audit, listed and exported to a CSV file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from auditapp.storage.engine import Database
from auditapp.ui.editor.history_page import HistoryPage
from auditapp.ui.widgets import alerts
from tests.builders import (
    answer_button,
    choose_page,
    click,
    first_page,
    make_audit,
    open_editor,
)


def test_history_lists_the_changes_and_exports_them_to_csv(
        qtbot: QtBot, db: Database, small_template_id: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    audit = make_audit(db, small_template_id)
    editor = open_editor(qtbot, db, audit)
    click(qtbot, answer_button(first_page(editor).cards[0], "No"))
    history = choose_page(qtbot, editor, "History", HistoryPage)  # saves first
    rows = [[history.table.item(r, c).text() for c in range(5)]  # type: ignore[union-attr]
            for r in range(history.table.rowCount())]
    texts = [row[2] for row in rows]
    assert "answer A.1 response" in texts
    assert rows[texts.index("answer A.1 response")][4] == "N"
    asked: list[str] = []

    def pick(_parent: object, title: str, suggested: str, _filters: str) -> Path:
        asked.append(suggested)
        return tmp_path / "history.csv"

    monkeypatch.setattr(alerts, "pick_save_path", pick)
    click(qtbot, history.export_button)
    assert asked == [f"history-{audit}.csv"]
    assert "answer,A.1,response" in (tmp_path / "history.csv").read_text(encoding="utf-8-sig")

