"""``auditapp report ...``: a board report prepared, released and produced from the command
line; a released report refused any change; a hostile words file one located line, status 2,
nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.builders import run_auditapp

START = ("report", "start", "--title", "Case file audits, January to June 2026",
         "--from", "2026-01-01", "--to", "2026-06-30", "--committee",
         "Corporate Parenting Partnership Board", "--meeting", "2026-07-21",
         "--author", "Jo Example, Head of Service", "--marking", "official")
WORDS = """\
summary: |
  The audits show plans reviewed on time in most files.

  The board is asked to note the findings.
recommendations:
  - That the Board notes the findings.
  - That the Board agrees the next audit programme.
key_messages: Plans written with young people are better plans.
next_steps: Forty audits a quarter from July.
"""


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "audit.sqlite"
    result = run_auditapp(path, "demo", "--audits", "200", "--seed", "5", "--end", "2026-06-30")
    assert result.returncode == 0, result.stderr
    return path


def _ok(*args: str, db: Path) -> str:
    result = run_auditapp(db, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _refused(*args: str, db: Path) -> str:
    result = run_auditapp(db, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    return result.stderr


def _listed(db: Path) -> list[dict[str, object]]:
    rows = json.loads(_ok("report", "list", "--json", db=db))
    assert isinstance(rows, list)
    return rows


def test_prepare_release_and_produce_again_identically(demo_file: Path, tmp_path: Path
                                                       ) -> None:
    assert "Council: Example Borough Council" in _ok("council", "Example Borough Council",
                                                     db=demo_file)
    assert "Started report 1" in _ok(*START, db=demo_file)
    words = tmp_path / "words.yaml"
    words.write_text(WORDS, encoding="utf-8")
    assert "Saved 4 part(s) of report 1" in _ok("report", "words", "1", str(words),
                                                 db=demo_file)
    draft = tmp_path / "draft.pdf"
    _ok("report", "produce", "1", "--pdf", str(draft), db=demo_file)
    assert "DRAFT" in PdfReader(draft).pages[0].extract_text()
    assert "Released report 1" in _ok("report", "release", "1", db=demo_file)
    [row] = _listed(demo_file)
    assert row["status"] == "Released" and row["marking"] == "OFFICIAL"
    for option, name in (("--pdf", "report.pdf"), ("--docx", "report.docx")):
        first, second = tmp_path / f"1-{name}", tmp_path / f"2-{name}"
        _ok("report", "produce", "1", option, str(first), db=demo_file)
        _ok("report", "produce", "1", option, str(second), "--as-at", "2027-01-01",
            db=demo_file)
        assert first.read_bytes() == second.read_bytes()
    cover = " ".join(PdfReader(tmp_path / "1-report.pdf").pages[0].extract_text().split())
    assert "Example Borough Council" in cover and "DRAFT" not in cover
    # Frozen: its words cannot change, and the refusal is one line.
    assert "can no longer change" in _refused("report", "words", "1", str(words),
                                              db=demo_file)
    assert "can no longer change" in _refused("report", "release", "1", db=demo_file)
    assert _listed(demo_file) == [row]


@pytest.mark.parametrize(("content", "where"), [
    (b"summary: fine\nverdict: guilty\n", ":2: unknown part 'verdict'"),
    (b"summary: fine\nnext_steps: \"a\\x07b\"\n", ":2: 'next_steps' holds a control"),
    (b"summary: [unclosed\n", "words.yaml"),
    (b"summary: ok\n\xff\xfe\n", ":2: not UTF-8"),
    (b"- just\n- a list\n", ":1: the file must be a list of parts"),
    (b"recommendations:\n" + b"  - x\n" * 51, ":1: 'recommendations' must list 1 to 50"),
])
def test_a_hostile_words_file_is_one_located_line_and_nothing_changes(
        demo_file: Path, tmp_path: Path, content: bytes, where: str) -> None:
    _ok(*START, db=demo_file)
    report = str(_listed(demo_file)[0]["id"])
    before = _listed(demo_file)
    words = tmp_path / "words.yaml"
    words.write_bytes(content)
    assert where in _refused("report", "words", report, str(words), db=demo_file)
    assert _listed(demo_file) == before


def test_bad_settings_and_a_missing_report_are_one_line(demo_file: Path) -> None:
    before = _listed(demo_file)
    wrong = run_auditapp(demo_file, *START[:-2], "--marking", "secret")
    assert wrong.returncode == 2 and "invalid choice: 'secret'" in wrong.stderr
    assert "first day must not be after" in _refused(
        *[("2026-07-01" if a == "2026-01-01" else a) for a in START], db=demo_file)
    assert "no board report 999" in _refused("report", "release", "999", db=demo_file)
    database = demo_file.read_bytes()
    assert "never writes an export over it" in _refused(
        "report", "produce", "1", "--pdf", str(demo_file), db=demo_file)
    assert demo_file.read_bytes() == database
    assert _listed(demo_file) == before
