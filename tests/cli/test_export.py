"""``auditapp export``, run as a user runs it: a subprocess on a temporary database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.builders import ROOT, run_auditapp


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    result = run_auditapp(path, "demo", "--audits", "200", "--seed", "5", "--end", "2026-06-30")
    assert result.returncode == 0, result.stderr
    return path


def test_excel_summary_gives_the_same_numbers_as_stats(demo_file: Path, tmp_path: Path
                                                       ) -> None:
    out = tmp_path / "findings.xlsx"
    period = ["--from", "2025-07-01", "--to", "2026-06-30"]
    result = run_auditapp(demo_file, "export", "excel", "--out", str(out), *period)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote {out}"
    assert result.stderr == ""  # progress only when stderr is a terminal
    stats = json.loads(run_auditapp(demo_file, "stats", "--json", *period).stdout)
    rows = list(load_workbook(out)["Summary"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "Final grade") + 1
    assert {row[0]: row[1] for row in rows[start:start + 5]} == stats["by_grade"]
    assert rows[start + 5][:2] == ("Total", stats["audits"])


def test_audit_and_board_pdfs(demo_file: Path, tmp_path: Path) -> None:
    feedback = tmp_path / "feedback.pdf"
    result = run_auditapp(demo_file, "export", "audit-pdf", "7", "--out", str(feedback))
    assert result.returncode == 0, result.stderr
    assert "DEMO-00007" in PdfReader(feedback).pages[0].extract_text()
    board = tmp_path / "board.pdf"
    result = run_auditapp(demo_file, "export", "board-pdf", "--out", str(board),
                      "--to", "2026-06-30", "--suppress", "6")
    assert result.returncode == 0, result.stderr
    assert "(1 Jan 2026 to 30 Jun 2026, a draft not for release)" in result.stdout
    text = " ".join(page.extract_text() for page in PdfReader(board).pages)
    assert "shown as <6" in text and "DEMO-" not in text


@pytest.mark.parametrize(("threshold", "key"), [("2", "A count of 1 is shown as <2."),
                                                 ("50", "A count from 1 to 49 is shown as <50.")])
def test_board_pdf_across_the_whole_suppress_range(demo_file: Path, tmp_path: Path,
                                                   threshold: str, key: str) -> None:
    """--suppress 2 used to fail with a ProtectionError traceback."""
    board = tmp_path / "board.pdf"
    result = run_auditapp(demo_file, "export", "board-pdf", "--out", str(board),
                          "--from", "2025-07-01", "--to", "2026-06-30", "--suppress", threshold)
    assert result.returncode == 0, result.stderr
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(board).pages).split())
    assert key in text


@pytest.mark.parametrize(("args", "message"), [
    (["excel", "--from", "2030-01-01", "--to", "2030-06-30"],
     "auditapp: error: No audits submitted, moderated or closed in the period 1 Jan 2030 to "
     "30 Jun 2030; nothing was written."),
    (["excel", "--template", "nope"], "auditapp: error: No template with id 'nope'."),
    (["excel", "--from", "2026-02-01", "--to", "2026-01-01"],
     "auditapp: error: The period starts after it ends"),
    (["audit-pdf", "99999"], "auditapp: error: No audit with number 99999."),
    (["board-pdf", "--to", "2026-06-30", "--suppress", "1"],
     "auditapp: error: The suppression threshold must be between 2 and 50, not 1."),
    (["board-pdf", "--to", "2026-06-30", "--suppress", "51"],
     "auditapp: error: The suppression threshold must be between 2 and 50, not 51."),
    (["board-pdf", "--from", "2031-01-01", "--to", "2031-06-30"],
     "auditapp: error: No audits submitted, moderated or closed in the period"),
])
def test_mistakes_are_one_clear_line_and_no_file(demo_file: Path, tmp_path: Path,
                                                 args: list[str], message: str) -> None:
    out = tmp_path / "out.file"
    result = run_auditapp(demo_file, "export", *args[:1], "--out", str(out), *args[1:])
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_board_docx_from_a_words_file(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.docx"
    words = ROOT / "docs" / "board-words.example.yaml"
    result = run_auditapp(demo_file, "export", "board-docx", "--out", str(out), "--words",
                          str(words), "--to", "2026-06-30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (f"Wrote {out} (1 Jan 2026 to 30 Jun 2026, "
                                     "OFFICIAL-SENSITIVE, a draft not for release)")
    document = Document(str(out))
    assert document.paragraphs[1].text.startswith("Case file audits of care leavers'")
    assert "DEMO-" not in "\n".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize(("words", "extra", "message"), [
    ("title: [\n", [], "auditapp: error: {words}:2: "),
    ("committee: Board\n", [], "auditapp: error: {words}:1: the field "),
    (None, ["--marking", "official"], "auditapp: error: A paper marked OFFICIAL is for "
                                      "publication"),
])
def test_board_docx_mistakes_are_one_line_and_no_file(
        demo_file: Path, tmp_path: Path, words: str | None, extra: list[str],
        message: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = ROOT / "docs" / "board-words.example.yaml"
    if words is not None:
        path = tmp_path / "words.yaml"
        path.write_text(words, encoding="utf-8")
    result = run_auditapp(demo_file, "export", "board-docx", "--out", str(folder / "b.docx"),
                          "--words", str(path), "--to", "2026-06-30", *extra)
    assert result.returncode == 2
    assert result.stderr.startswith(message.format(words=path))
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(folder.iterdir()) == []
