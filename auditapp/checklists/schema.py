"""The template file format as one schema: what every field may hold.

Both loaders use it: a YAML file (:mod:`auditapp.checklists.format`) and an Excel workbook
(:mod:`auditapp.checklists.workbook`) become the same plain data, which is checked here
against these models. :func:`json_schema` turns them into the JSON Schema shipped as
``docs/template.schema.json``, which editors use to complete and check a template as it is
typed. Rules that tie one part of a template to another (unique ids, a question's scale and
its evidence codes) are checked beside the schema, in :mod:`auditapp.checklists.format`:
JSON Schema cannot say them.

Limits come from :mod:`auditapp.rules.limits`, so that a template never holds more than its
database columns do.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    model_validator,
)

from auditapp.rules import limits
from auditapp.rules.grades import GOOD_THRESHOLD, REQUIRES_IMPROVEMENT_THRESHOLD
from auditapp.rules.indicators import AGE_BANDS, CATEGORIES, DEFAULT_MIN_N, KINDS, MAX_MIN_N
from auditapp.rules.sections import CASE_CONDITIONS

TEMPLATE_ID_PATTERN = re.compile(rf"^[a-z0-9][a-z0-9-]{{1,{limits.TEMPLATE_ID_CHARS - 1}}}$")
ID_PATTERN = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{limits.ITEM_ID_CHARS - 1}}}$")
CODE_PATTERN = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{limits.ANSWER_CODE_CHARS - 1}}}$")


def _condition(value: str | None) -> str | None:
    if value is not None and value not in CASE_CONDITIONS:
        raise ValueError(f"unknown condition '{value}' (known: {', '.join(CASE_CONDITIONS)})")
    return value


#: Text that is more than spaces (JSON Schema's patterns, like pydantic's, match anywhere).
NOT_BLANK = r"\S"


def _words(max_length: int, *, pattern: re.Pattern[str] | None = None) -> StringConstraints:
    return StringConstraints(min_length=1, max_length=max_length,
                             pattern=pattern.pattern if pattern else NOT_BLANK)


TemplateId = Annotated[str, _words(limits.TEMPLATE_ID_CHARS, pattern=TEMPLATE_ID_PATTERN),
                       Field(description="Stable across versions: lower-case letters, digits, "
                                         "hyphens.")]
ItemId = Annotated[str, _words(limits.ITEM_ID_CHARS, pattern=ID_PATTERN),
                   Field(description="Letters, digits, '.', '_', '-'.")]
Code = Annotated[str, _words(limits.ANSWER_CODE_CHARS, pattern=CODE_PATTERN),
                 Field(description="An answer's code, as stored with each answer.")]
Title = Annotated[str, _words(limits.TITLE_CHARS),
                  Field(description="Shown in lists, the editor and every export.")]
Label = Annotated[str, _words(limits.LABEL_CHARS),
                  Field(description="The answer as the auditor reads it.")]
QuestionText = Annotated[str, _words(limits.QUESTION_CHARS), Field(description="The question.")]
Words = Annotated[str, StringConstraints(max_length=limits.GUIDANCE_CHARS),
                  Field(description="Words for the auditor.")]
Tag = Annotated[str, _words(limits.TAG_CHARS),
                Field(description="KLOE1-KLOE6, SP1-SP6, Sch1.1-Sch1.10 by convention.")]
Tags = Annotated[list[Tag], Field(max_length=limits.TAGS_PER_ITEM,
                                  description="Free labels; reports group by them.")]
Percent = Annotated[float, Strict(), Field(gt=0, le=100)]
Score = Annotated[float, Strict(), Field(ge=0)]


class _Part(BaseModel):
    """Every part of a template: unknown fields are errors (a misspelt ``critcal`` would
    otherwise be silently ignored), and text is text (``id: 1.10`` is the number 1.1 to YAML:
    it must be quoted). Exactly what the JSON Schema says, so that an editor and auditapp
    agree on the shape of a file."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Option(_Part):
    """One possible answer on a scale."""

    code: Code
    label: Label
    score: Score | None = Field(
        None, description="0 or more; no score means 'not applicable' (left out of grades).")


def _scored(options: list[Option]) -> list[Option]:
    if len({o.score for o in options if o.score is not None}) < 2:
        raise ValueError("a scale needs at least two options with different scores")
    return options


Scale = Annotated[list[Option], Field(min_length=2, max_length=limits.SCALE_OPTIONS),
                  AfterValidator(_scored)]


class Grading(_Part):
    """Thresholds of the section suggestion, in percent of the available score."""

    good: Percent | None = Field(None, description="At or above: Good (default 85).")
    requires_improvement: Percent | None = Field(
        None, description="At or above: Requires improvement; below: Inadequate (default 60).")

    @model_validator(mode="after")
    def _in_order(self) -> Grading:
        good = GOOD_THRESHOLD if self.good is None else self.good
        requires = (REQUIRES_IMPROVEMENT_THRESHOLD if self.requires_improvement is None
                    else self.requires_improvement)
        if requires >= good:
            raise ValueError("'requires_improvement' must be below 'good'")
        return self


class Question(_Part):
    """A question the auditor answers."""

    id: ItemId
    text: QuestionText
    guidance: Words | None = Field(None, description="What to look for; what counts as evidence.")
    critical: StrictBool = Field(False, description="Lowest answer: section and audit Inadequate.")
    scale: ItemId | None = Field(None, description="A name from 'scales', or 'default' (Yes / "
                                 "Partly / No / Not applicable).")
    evidence_required: Annotated[list[Code], Field(max_length=limits.SCALE_OPTIONS)] | None = (
        Field(None, description="Answer codes that need an evidence note (default: every "
                                "answer short of the best, and not applicable)."))
    tags: Tags | None = None


class Section(_Part):
    """A section of questions, graded as one."""

    id: ItemId
    title: Title
    description: Words | None = None
    limiting: StrictBool = Field(False, description="Inadequate here makes the audit Inadequate.")
    applies_when: Annotated[str | None, AfterValidator(_condition)] = Field(
        None, description="The section applies only to such cases.",
        json_schema_extra={"enum": [*CASE_CONDITIONS, None]})
    tags: Tags | None = None
    questions: Annotated[list[Question], Field(min_length=1,
                                               max_length=limits.TEMPLATE_QUESTIONS)]


def _one_of(name: str, known: tuple[str, ...]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in known:
            raise ValueError(f"unknown {name} '{value}' (known: {', '.join(known)})")
        return value
    return AfterValidator(check)


Category = Annotated[str, Strict(), _one_of("care leaver category", CATEGORIES),
                     Field(json_schema_extra={"enum": list(CATEGORIES)})]
AgeBand = Annotated[str, Strict(), _one_of("age band", tuple(AGE_BANDS)),
                    Field(json_schema_extra={"enum": list(AGE_BANDS)})]


class Eligible(_Part):
    """Whose audits an indicator counts; a criterion left out lets everyone in."""

    categories: Annotated[list[Category], Field(min_length=1, max_length=len(CATEGORIES))] | \
        None = Field(None, description="Care leaver categories counted.")
    uasc: StrictBool | None = Field(None, description="true: unaccompanied asylum-seeking "
                                    "young people only; false: all but them.")
    ages: Annotated[list[AgeBand], Field(min_length=1, max_length=len(AGE_BANDS))] | None = \
        Field(None, description="Age bands at audit counted.")


class Indicator(_Part):
    """A compliance or voice indicator over the answers to one question: of the eligible
    young people whose audit answered the question (not 'not applicable'), how many were
    answered with one of ``counts``."""

    id: ItemId
    title: Title
    kind: Annotated[str, Strict(), _one_of("kind", KINDS)] = Field(
        KINDS[0], description="compliance (the default) or voice (the voice of young "
                              "people).", json_schema_extra={"enum": list(KINDS)})
    question: ItemId = Field(description="The id of the question whose answers it counts.")
    counts: Annotated[list[Code], Field(min_length=1, max_length=limits.SCALE_OPTIONS)] = Field(
        description="The answer codes that count towards the indicator (the numerator).")
    eligible: Eligible | None = None
    target: Percent | None = Field(None, description="The target share, in percent.")
    min_n: Annotated[int, Strict(), Field(ge=1, le=MAX_MIN_N)] | None = Field(
        None, description=f"Below this many answers: too few to judge (default "
                          f"{DEFAULT_MIN_N}).")


class Template(_Part):
    """An auditapp checklist template (see docs/template-format.md)."""

    model_config = ConfigDict(title="auditapp checklist template")

    id: TemplateId
    title: Title
    description: Words | None = None
    grading: Grading | None = None
    scales: Annotated[dict[ItemId, Scale], Field(max_length=limits.TEMPLATE_SCALES)] | None = (
        Field(None, description="Named answer scales besides 'default'."))
    sections: Annotated[list[Section], Field(min_length=1, max_length=limits.TEMPLATE_SECTIONS)]
    indicators: Annotated[list[Indicator],
                          Field(max_length=limits.TEMPLATE_INDICATORS)] | None = Field(
        None, description="Compliance and voice indicators the board report prints.")


#: The model of each part of a template, by the kind of path that leads to it (for the names
#: of the fields a part may have).
PARTS: dict[str, type[_Part]] = {"template": Template, "grading": Grading, "option": Option,
                                 "section": Section, "question": Question,
                                 "indicator": Indicator, "eligible": Eligible}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a template file (draft 7, which editors' YAML support reads)."""
    schema = Template.model_json_schema(ref_template="#/definitions/{model}")
    schema["definitions"] = schema.pop("$defs", {})
    return {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
