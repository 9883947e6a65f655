"""``close``, ``reopen`` and ``history`` on a real database file, run as a user runs them."""

from __future__ import annotations

from pathlib import Path

from auditapp.services.history import audit_history
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.database import open_database
from tests.builders import LEAD, SMALL_TEMPLATE, add_people, run_auditapp, submitted_audit


def _submitted(path: Path) -> int:
    db = open_database(path)
    add_people(db)
    import_template_file(db, SMALL_TEMPLATE, LEAD)
    audit = submitted_audit(db, find_template_id(db, "small-test"))
    db.dispose()
    return audit


def _history(path: Path, audit: int) -> list[tuple[str, str | None, str | None]]:
    db = open_database(path, backup=False)
    rows = [(r.what, r.old_value, r.new_value) for r in audit_history(db, audit, LEAD)]
    db.dispose()
    return rows


def test_close_then_closing_again_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "cli.sqlite"
    audit = _submitted(path)
    closed = run_auditapp(path, "close", str(audit))
    assert closed.returncode == 0, closed.stderr
    assert f"Closed audit {audit}" in closed.stdout
    recorded = _history(path, audit)
    assert recorded[-1] == ("audit status", "submitted", "closed")
    again = run_auditapp(path, "close", str(audit))
    assert again.returncode == 2
    assert again.stderr.strip() == ("auditapp: error: Only a submitted or moderated audit can "
                                    "be closed; this one is closed.")
    assert _history(path, audit) == recorded  # the refused close recorded nothing
    reopened = run_auditapp(path, "reopen", str(audit), "--reason", "Wrong file")
    assert reopened.returncode == 0, reopened.stderr
    assert _history(path, audit)[-2:] == [("audit reopened", None, "Wrong file"),
                                          ("audit status", "closed", "draft")]


def test_closing_an_audit_that_is_not_there(tmp_path: Path) -> None:
    result = run_auditapp(tmp_path / "cli.sqlite", "close", "99")
    assert result.returncode == 2
    assert result.stderr.strip() == "auditapp: error: No audit with number 99."
