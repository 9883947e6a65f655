"""The words file of a board report: the shipped example reads, and every mistake is one
line naming the file and the line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditapp.errors import UserError
from auditapp.inputs.board_words import (
    narrative_of,
    parse_board_words,
    parse_report_words,
    read_board_words,
    read_report_words,
)
from auditapp.rules.limits import BOARD_WORDS_FILE_BYTES
from tests.builders import ROOT

EXAMPLE = ROOT / "docs" / "board-words.example.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")


def test_the_shipped_example_reads() -> None:
    words = read_board_words(EXAMPLE)
    assert words.committee == "Corporate Parenting Partnership Board"
    assert words.meeting_date == date(2026, 7, 21)
    assert words.author == ("Jo Example, Head of Service, Quality Assurance",)
    assert words.key_decision == "No" and words.wards == "Borough-wide"
    assert words.is_list("recommendations") and len(words.text("recommendations")) == 2
    assert words.text("recommendations")[0].startswith("That the Board notes the audit "
                                                       "findings and the control chart")
    assert not words.is_list("background") and len(words.text("background")) == 2


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(("change", "needle", "problem"), [
    (("committee: Corporate", "committe: Corporate"), "committe:", "unknown field 'committe'"),
    (("meeting_date: 2026-07-21", "meeting_date: 21/07/2026"), "meeting_date:",
     "'meeting_date' must be a date, YYYY-MM-DD"),
    (("meeting_date: 2026-07-21", "meeting_date: 2026-02-30"), "meeting_date:",
     "'meeting_date' must be a date"),
    (("title: Case file", "title: !!python/object:os.system Case file"), "title:",
     "YAML tags such as '!!python/object:os.system'"),
    (("wards: Borough-wide", "wards: [a, b]"), "wards:", "'wards' must be text"),
    (("key_decision: \"No\"", "key_decision: \"No\"\nkey_decision: \"Yes\""),
     "key_decision: \"Yes\"", "the field 'key_decision' is given twice"),
    ((TEXT[TEXT.index("risks: |"):], "risks: 3\n"), "risks:", "'risks' must be text"),
])
def test_a_mistake_is_one_line_with_its_place(tmp_path: Path, change: tuple[str, str],
                                              needle: str, problem: str) -> None:
    text = TEXT.replace(*change)
    path = tmp_path / "words.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_board_words(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{_line_of(text, needle)}: ")
    assert problem in message


def test_missing_and_empty_fields(tmp_path: Path) -> None:
    without = TEXT.replace("title: Case file audits of care leavers' pathway plans, January "
                           "to June 2026\n", "")
    first = _line_of(without, "council:")  # a missing field is told at the first field
    with pytest.raises(UserError, match=rf"words\.yaml:{first}: the field 'title' is missing"):
        parse_board_words(without, "words.yaml")
    with pytest.raises(UserError, match=r"words\.yaml:1: the file must be a list of fields"):
        parse_board_words("- a\n- b\n", "words.yaml")
    with pytest.raises(UserError, match="the file holds no template|is empty"):
        parse_board_words("", "words.yaml")


def test_control_characters_and_sizes_are_refused(tmp_path: Path) -> None:
    bell = TEXT.replace("This report gives", "This \x07report gives")
    with pytest.raises(UserError, match=rf"^w:{_line_of(bell, 'This')}: a control character "
                       r"\(U\+0007\) is not allowed$"):
        parse_board_words(bell, "w")
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (BOARD_WORDS_FILE_BYTES + 1))
    with pytest.raises(UserError, match="a words file may be at most"):
        read_board_words(path)
    path.write_bytes(TEXT.encode("utf-8").replace(b"Example Borough", b"Example \xff"))
    with pytest.raises(UserError, match=rf"{path.name}:9: not UTF-8 text"):
        read_board_words(path)
    with pytest.raises(UserError, match="cannot be read"):
        read_board_words(tmp_path / "absent.yaml")


def test_a_billion_laughs_is_refused_in_bounded_time() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9))
    with pytest.raises(UserError, match=r"w:\d+: more than"):
        parse_board_words(bomb, "w")


@given(st.text(max_size=400))
def test_any_text_is_words_or_one_located_line(text: str) -> None:
    message = ""
    try:
        parse_board_words(text, "w.yaml")
    except UserError as exc:
        message = str(exc)
    assert "\n" not in message and (not message or message.startswith("w.yaml"))


# --- the words of a report prepared in the app --------------------------------------------------


def test_a_report_words_file_gives_the_parts_as_the_editor_holds_them() -> None:
    words = parse_report_words("summary: |\n  One.\n\n  Two.\nrecommendations:\n  - Note\n"
                               "  - Agree\n", "w.yaml")
    assert words == {"summary": "One.\n\nTwo.", "recommendations": "- Note\n- Agree"}
    assert narrative_of(words["summary"]) == (("One.", "Two."), False)
    assert narrative_of(words["recommendations"]) == (("Note", "Agree"), True)
    assert narrative_of("1. First\n2) Second") == (("First", "Second"), True)
    assert narrative_of("- a point\nand a line that is not one") == (
        ("- a point and a line that is not one",), False)


@pytest.mark.parametrize(("text", "problem"), [
    ("title: A report\n", "w.yaml:1: unknown part 'title'"),
    ("summary: fine\nrisks: [1, 2]\n", "w.yaml:2: 'risks' must be text"),
    ("summary: ''\n", "w.yaml:1: 'summary' is empty"),
    ("", "w.yaml:1: the file is empty"),
    ("- a\n- list\n", "w.yaml:1: the file must be a list of parts"),
    ("summary: a\x00b\n", "w.yaml:1: a control character (U+0000)"),
    ("summary: !!python/object:os.system x\n", "w.yaml"),
])
def test_a_hostile_report_words_file_is_one_located_line(text: str, problem: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_report_words(text, "w.yaml")
    assert problem in str(refused.value) and "\n" not in str(refused.value)


def test_a_report_words_file_too_big_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"summary: " + b"x" * BOARD_WORDS_FILE_BYTES)
    with pytest.raises(UserError, match="a words file may be at most"):
        read_report_words(big)
