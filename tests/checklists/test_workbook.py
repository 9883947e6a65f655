"""Templates authored in Excel: round trips, and problems named by sheet, row and column."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from auditapp.checklists.format import load_template_file, load_template_text
from auditapp.checklists.workbook import load_template_workbook, write_template_workbook
from auditapp.errors import ValidationError
from auditapp.services.shipped_templates import shipped_template_texts
from auditapp.services.templates import (
    export_template_workbook,
    find_template_id,
    import_template_file,
    install_shipped_templates,
    template_spec,
)
from auditapp.storage.engine import Database
from tests.builders import (
    LEAD,
    SMALL_TEMPLATE,
    as_a_reader_sees_it,
    changed_workbook,
    workbook_parts,
)
from tests.figures import FIGURES


@pytest.mark.parametrize("name", [*sorted(shipped_template_texts()), "small"])
def test_every_template_survives_a_trip_through_excel(name: str, tmp_path: Path) -> None:
    spec = (load_template_file(SMALL_TEMPLATE) if name == "small"
            else load_template_text(shipped_template_texts()[name], name))
    path = tmp_path / "template.xlsx"
    write_template_workbook(spec, path)
    again = load_template_workbook(path)
    assert again == spec
    assert again.content_hash() == spec.content_hash()


def test_exported_workbook_reimports_as_the_same_version(db: Database, tmp_path: Path) -> None:
    install_shipped_templates(db)
    template_id = find_template_id(db, "pathway-plan-quality")
    path = tmp_path / "ppq.xlsx"
    export_template_workbook(db, template_id, path)
    sheets = load_workbook(path).sheetnames
    assert sheets == ["settings", "checklist", "scales", "indicators"]
    result = import_template_file(db, path, LEAD)
    assert (result.key, result.version, result.created) == ("pathway-plan-quality", 1, False)
    assert template_spec(db, template_id).question_count == result.questions


def _workbook(tmp_path: Path, checklist: list[list[object]],
              settings: list[object] | None = None) -> Path:
    workbook = Workbook()
    first = workbook.active
    first.title = "settings"
    first.append(["id", "title", "description", "good", "requires_improvement"])
    first.append(settings or ["peer-test", "Peer test", "", 85, 60])
    sheet = workbook.create_sheet("checklist")
    sheet.append(["type", "id", "text", "guidance", "critical", "limiting", "tags"])
    for row in checklist:
        sheet.append(row)
    path = tmp_path / "authored.xlsx"
    workbook.save(path)
    return path


def test_an_authored_workbook_imports_with_yes_no_flags(db: Database, tmp_path: Path) -> None:
    path = _workbook(tmp_path, [
        ["section", "K1", "Pathway plans", None, None, "yes", "KLOE1, SP2"],
        ["question", "K1.1", "Plans are timely.", "Look at dates.", "Yes", None, "KLOE1"],
        ["question", "K1.2", "Plans are robust.", None, "no", None, None],
    ])
    spec = load_template_workbook(path)
    assert spec.sections[0].limiting
    assert spec.sections[0].tags == ("KLOE1", "SP2")
    assert [q.critical for q in spec.sections[0].questions] == [True, False]
    assert import_template_file(db, path, LEAD).version == 1


def test_problems_name_sheet_row_and_column(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [
        ["question", "K0.1", "Orphan question"],
        ["section", "K1", "Pathway plans", None, None, "maybe"],
        ["question", "K1.1", None, None, "perhaps"],
        ["chapter", "K2", "What is this?"],
    ], settings=["Bad Id", "", "", 50, 70])
    with pytest.raises(ValidationError) as caught:
        load_template_workbook(path)
    problems = caught.value.problems
    expected = [
        "authored.xlsx checklist!A2: a question comes before any section",
        "authored.xlsx checklist!A5: type must be 'section' or 'question', not 'chapter'",
        "authored.xlsx settings!A2: id: 'Bad Id' is not a valid id",
        "authored.xlsx settings!A2: (top level): 'title' is required",
        "authored.xlsx settings!D2: grading: 'requires_improvement' must be below 'good'",
        "authored.xlsx checklist!F3: sections[1].limiting: must be true or false, not 'maybe'",
        "authored.xlsx checklist!A4: sections[1].questions[1]: 'text' is required",
        "authored.xlsx checklist!E4: sections[1].questions[1].critical: must be true or false",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ValidationError, match="cannot be read as an Excel workbook"):
        load_template_workbook(path)


def _exported_parts() -> dict[str, bytes]:
    folder = Path(tempfile.mkdtemp())
    write_template_workbook(load_template_file(SMALL_TEMPLATE), folder / "small.xlsx")
    return workbook_parts(folder / "small.xlsx")


EXPORTED = _exported_parts()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changed_workbook(EXPORTED))
def test_any_damaged_template_workbook_loads_or_is_refused_by_sheet_and_cell(
        tmp_path: Path, data: bytes) -> None:
    FIGURES["inputs tried: Excel template loader"] += 1
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(data)
    try:
        spec = load_template_workbook(path)
    except ValidationError as exc:
        problems = exc.problems
    else:
        assert spec.question_count >= 1
        return
    FIGURES["Excel templates refused"] += 1
    assert problems and all(p.startswith("fuzz.xlsx") for p in problems), problems
    assert len(problems) <= 100


def test_a_workbook_with_thousands_of_bad_rows_lists_a_hundred(tmp_path: Path) -> None:
    rows = [["section", "S1", "First"]] + [["question", f"Q{i}", ""] for i in range(900)]
    with pytest.raises(ValidationError) as caught:
        load_template_workbook(_workbook(tmp_path, rows))
    assert len(caught.value.problems) == 100
    assert caught.value.more == 800
    assert str(caught.value).endswith("... and 800 more problems")
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)
       .filter(lambda t: t.strip()))
def test_template_text_never_becomes_a_formula(tmp_path_factory: pytest.TempPathFactory,
                                               text: str) -> None:
    spec = load_template_file(SMALL_TEMPLATE)
    first = spec.sections[0]
    question = replace(first.questions[0], text=text, guidance=text)
    spec = replace(spec, description=text,
                   sections=(replace(first, title=text, questions=(question,
                                                                   *first.questions[1:])),
                             *spec.sections[1:]))
    path = tmp_path_factory.mktemp("template") / "template.xlsx"
    write_template_workbook(spec, path)
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type not in ("f", "e") for cell in row)
    checklist = book["checklist"]
    assert checklist["C2"].value == as_a_reader_sees_it(text)
    assert checklist["C3"].value == as_a_reader_sees_it(text)
    assert checklist["C3"].quotePrefix == text.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_template_text_longer_than_a_cell_is_cut_visibly(tmp_path: Path) -> None:
    spec = load_template_file(SMALL_TEMPLATE)
    first = spec.sections[0]
    guidance = "Look for this. " * 3_000  # 45,000 characters
    question = replace(first.questions[0], guidance=guidance)
    spec = replace(spec, sections=(replace(first, questions=(question, *first.questions[1:])),
                                   *spec.sections[1:]))
    path = tmp_path / "template.xlsx"
    write_template_workbook(spec, path)
    cell = load_workbook(path)["checklist"]["E3"].value
    assert cell.startswith("Look for this. ") and len(cell) <= 32_767
    assert "more characters do not fit in one cell]" in cell
