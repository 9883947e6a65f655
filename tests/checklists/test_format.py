"""Reading and validating template files: every problem named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditapp.checklists.format import (
    DEFAULT_SCALE,
    load_template_file,
    load_template_text,
)
from auditapp.errors import ValidationError
from auditapp.rules.grades import GOOD_THRESHOLD, REQUIRES_IMPROVEMENT_THRESHOLD
from auditapp.services.shipped_templates import shipped_template_texts
from tests.builders import BROKEN_TEMPLATE, SMALL_TEMPLATE


def _problems(text: str, name: str = "broken.yaml") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_template_text(text, name)
    return caught.value.problems


def test_every_problem_is_reported_with_file_line_and_field() -> None:
    problems = _problems(BROKEN_TEMPLATE)
    expected = [
        "broken.yaml:1: id: 'Broken Template' is not a valid id",
        "broken.yaml:3: grading: 'requires_improvement' must be below 'good'",
        "broken.yaml:9: sections[1].limiting: must be true or false, not 'yes please'",
        "broken.yaml:13: sections[1].questions[1].critcal: unknown field 'critcal' "
        "(did you mean 'critical'?)",
        "broken.yaml:15: sections[1].questions[2].text: 'text' must not be empty",
        "broken.yaml:16: sections[1].questions[2].scale: unknown scale 'nope'",
        "broken.yaml:17: sections[2]: 'id' is required",
        "broken.yaml:18: sections[2].questions: a section needs a list of at least one question",
        "broken.yaml:24: sections[3].questions[1].evidence_required: 'Q' is not an answer",
        "broken.yaml:22: sections[3].questions[1].id: question id 'S1.1' is already used at "
        "broken.yaml:11",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)


def test_yaml_syntax_error_names_the_line() -> None:
    problems = _problems("id: x\ntitle: [unclosed\nsections: []\n")
    assert len(problems) == 1
    assert problems[0].startswith("broken.yaml:3:")


def test_odd_keys_are_named_not_crashed_on() -> None:
    assert "unknown field 'False'" in _problems("NO:\n")[0]  # YAML reads NO as false
    assert "unknown field '3'" in _problems("3: x\n")[0]


def test_empty_and_non_mapping_files() -> None:
    assert "holds no template" in _problems("")[0]
    assert "must be a mapping" in _problems("- just\n- a list\n")[0]


def test_missing_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        load_template_file(tmp_path / "absent.yaml")


def test_binary_file_is_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ValidationError, match="not UTF-8"):
        load_template_file(path)


def test_small_template_reads_with_defaults() -> None:
    spec = load_template_file(SMALL_TEMPLATE)
    assert [s.key for s in spec.sections] == ["A", "B", "C"]
    first = spec.sections[0].questions[0]
    assert first.scale == DEFAULT_SCALE
    assert first.critical
    assert first.evidence_required == ("P", "N", "NA")
    met = spec.sections[0].questions[2]
    assert [o.code for o in met.scale] == ["M", "NM"]
    assert met.evidence_required == ("NM",)
    assert spec.sections[2].applies_when == "uasc"
    # No grading in the file: the grading rule's own thresholds, not a copy of them.
    assert (spec.grading.good, spec.grading.requires_improvement) == (
        GOOD_THRESHOLD, REQUIRES_IMPROVEMENT_THRESHOLD)


def test_written_yaml_reads_back_identically() -> None:
    spec = load_template_file(SMALL_TEMPLATE)
    again = load_template_text(spec.to_yaml(), "round-trip.yaml")
    assert again == spec
    assert again.content_hash() == spec.content_hash()


def test_layout_changes_do_not_change_the_hash() -> None:
    text = SMALL_TEMPLATE.read_text()
    reformatted = text.replace("tags: [KLOE1]", "tags:\n      - KLOE1")
    assert load_template_text(reformatted, "x").content_hash() == \
        load_template_text(text, "y").content_hash()


@pytest.mark.parametrize("name", sorted(shipped_template_texts()))
def test_shipped_templates_are_valid(name: str) -> None:
    spec = load_template_text(shipped_template_texts()[name], name)
    assert spec.question_count >= 25
    assert all(q.guidance for s in spec.sections for q in s.questions)


def test_pathway_plan_template_covers_the_job() -> None:
    spec = load_template_text(shipped_template_texts()["pathway-plan-quality.yaml"], "ppq")
    assert spec.question_count >= 40
    tags = {t for s in spec.sections for q in s.questions for t in (*s.tags, *q.tags)}
    assert {f"KLOE{n}" for n in range(1, 7)} <= tags
    assert any(s.limiting for s in spec.sections)
    assert any(q.critical for s in spec.sections for q in s.questions)
    assert any(s.applies_when == "uasc" for s in spec.sections)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_template_or_a_validation_error(text: str) -> None:
    try:
        load_template_text(text, "fuzz.yaml")
    except ValidationError as exc:
        problems = exc.problems
    else:
        return
    assert problems
    assert all(p.startswith("fuzz.yaml") for p in problems)


def test_indicators_are_read_with_their_defaults_and_written_back() -> None:
    spec = load_template_file(SMALL_TEMPLATE)
    plan, voice, triple = spec.indicators
    assert (plan.question, plan.counts, plan.target, plan.min_n) == ("A.2", ("Y",), 90, 5)
    assert plan.eligibility.categories == ("eligible", "relevant", "former relevant")
    assert plan.eligibility.ages == ("16-17", "18-20")
    assert (voice.kind, voice.min_n, voice.target) == ("voice", 10, None)
    assert triple.eligibility.uasc is True
    assert load_template_text(spec.to_yaml(), "again") == spec


INDICATOR_TEXT = SMALL_TEMPLATE.read_text(encoding="utf-8") if SMALL_TEMPLATE.exists() else ""


@pytest.mark.parametrize(("change", "problem"), [
    (("question: A.2", "question: Z.9"),
     "indicators[1].question: no question 'Z.9' in this template"),
    (("counts: [Y]\n    eligible: {cat", "counts: [M]\n    eligible: {cat"),
     "indicators[1].counts[1]: 'M' is not an answer to question 'A.2'"),
    (("counts: [Y, P]", "counts: [Y, NA]"),
     "indicators[2].counts[2]: 'NA' is not scored"),
    (("id: voice-recorded", "id: plan-in-date"),
     "indicators[2].id: indicator id 'plan-in-date' is already used"),
    (("min_n: 5", "min_n: 0"), "indicators[1].min_n: must be a whole number from 1 to"),
    (("ages: [\"16-17\"", "ages: [\"16-19\""), "unknown age band '16-19'"),
    (("categories: [eligible", "categories: [leaver"), "unknown care leaver category"),
    (("target: 90", "target: 190"), "indicators[1].target: must be a percentage"),
])
def test_a_broken_indicator_is_one_located_problem(change: tuple[str, str], problem: str
                                                   ) -> None:
    text = INDICATOR_TEXT.replace(*change, 1)
    assert text != INDICATOR_TEXT
    with pytest.raises(ValidationError) as caught:
        load_template_text(text, "ind.yaml")
    assert len(caught.value.problems) == 1, caught.value.problems
    assert caught.value.problems[0].startswith("ind.yaml:"), caught.value.problems
    assert problem in caught.value.problems[0], caught.value.problems
