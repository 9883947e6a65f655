"""The checklist template file format: reading, validating and writing it.

A template is a YAML file (see ``docs/template-format.md``). Reading it gives a
:class:`TemplateSpec`; every problem in the file is reported at once, each naming the
file, the line and the field. The same validation serves templates authored in Excel
(see :mod:`auditapp.checklists.workbook`), whose problems name the row and column instead.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditapp.errors import ValidationError
from auditapp.rules.grades import GOOD_THRESHOLD, REQUIRES_IMPROVEMENT_THRESHOLD
from auditapp.rules.sections import CASE_CONDITIONS

#: Where a value came from, as text to put before a problem ("file.yaml:12").
Locator = Callable[[tuple[Any, ...]], str]

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
TEMPLATE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
MAX_SCALE_OPTIONS = 9  # one digit key each


@dataclass(frozen=True)
class ScaleOption:
    """One possible answer. ``score`` None means the option is not scored (not applicable)."""

    code: str
    label: str
    score: float | None


DEFAULT_SCALE_NAME = "default"
DEFAULT_SCALE: tuple[ScaleOption, ...] = (
    ScaleOption("Y", "Yes", 2),
    ScaleOption("P", "Partly", 1),
    ScaleOption("N", "No", 0),
    ScaleOption("NA", "Not applicable", None),
)


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the template file defines it."""

    key: str
    text: str
    guidance: str
    scale: tuple[ScaleOption, ...]
    critical: bool
    evidence_required: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class SectionSpec:
    """A section as the template file defines it."""

    key: str
    title: str
    description: str
    limiting: bool
    applies_when: str | None
    tags: tuple[str, ...]
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class GradingSpec:
    """Thresholds (percent of the available score) for suggesting a section's grade."""

    good: float = GOOD_THRESHOLD
    requires_improvement: float = REQUIRES_IMPROVEMENT_THRESHOLD


@dataclass(frozen=True)
class TemplateSpec:
    """A whole checklist template, validated."""

    key: str
    title: str
    description: str
    grading: GradingSpec
    sections: tuple[SectionSpec, ...]
    scales: dict[str, tuple[ScaleOption, ...]] = field(default_factory=dict)

    @property
    def question_count(self) -> int:
        """How many questions the template asks."""
        return sum(len(s.questions) for s in self.sections)

    def to_data(self) -> dict[str, Any]:
        """The template as plain data in the file format, named scales kept by name."""
        return {
            "id": self.key,
            "title": self.title,
            "description": self.description,
            "grading": {
                "good": self.grading.good,
                "requires_improvement": self.grading.requires_improvement,
            },
            "scales": {
                name: [_option_data(o) for o in options] for name, options in self.scales.items()
            },
            "sections": [self._section_data(s) for s in self.sections],
        }

    def _section_data(self, section: SectionSpec) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": section.key,
            "title": section.title,
            "description": section.description,
            "limiting": section.limiting,
            "tags": list(section.tags),
            "questions": [self._question_data(q) for q in section.questions],
        }
        if section.applies_when:
            data["applies_when"] = section.applies_when
        return data

    def _question_data(self, question: QuestionSpec) -> dict[str, Any]:
        return {
            "id": question.key,
            "text": question.text,
            "guidance": question.guidance,
            "scale": self.scale_name(question.scale),
            "critical": question.critical,
            "evidence_required": list(question.evidence_required),
            "tags": list(question.tags),
        }

    def scale_name(self, scale: tuple[ScaleOption, ...]) -> str:
        """The name under which ``scale`` is defined in this template."""
        for name, options in self.scales.items():
            if options == scale:
                return name
        return DEFAULT_SCALE_NAME

    def content_hash(self) -> str:
        """A fingerprint of the content: equal for files that differ only in layout."""
        canonical = json.dumps(self.to_data(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_yaml(self) -> str:
        """The template written back in the file format."""
        return yaml.safe_dump(self.to_data(), sort_keys=False, allow_unicode=True, width=100)


def _option_data(option: ScaleOption) -> dict[str, Any]:
    return {"code": option.code, "label": option.label, "score": option.score}


# --- reading YAML with line numbers ---------------------------------------------------------


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _node_to_data(
    node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]
) -> Any:
    """Turn a composed YAML node into plain data, noting the line of every value (for a
    mapping's value, the line of its key, where a reader looks for the field)."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _node_to_data(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_node_to_data(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError:
        return node.value  # e.g. an invalid date: keep the text, validation will say why


def parse_yaml(text: str, source: str) -> tuple[Any, Locator]:
    """Parse YAML text into plain data and a locator giving ``source:line`` for any path."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ValidationError(
            f"{source} is not valid YAML", [f"{source}:{line}: {exc.problem or exc}"]
        ) from exc
    except yaml.YAMLError as exc:
        raise ValidationError(f"{source} is not valid YAML", [f"{source}: {exc}"]) from exc
    if node is None:
        raise ValidationError(f"{source} is empty", [f"{source}:1: the file holds no template"])
    lines: dict[tuple[Any, ...], int] = {}
    data = _node_to_data(node, (), lines)

    def locate(path: tuple[Any, ...]) -> str:
        while path not in lines and path:
            path = path[:-1]
        return f"{source}:{lines.get(path, 1)}"

    return data, locate


def load_template_text(text: str, source: str) -> TemplateSpec:
    """Read and validate a template given as YAML text; ``source`` names it in errors."""
    data, locate = parse_yaml(text, source)
    return validate_template(data, locate, source)


def load_template_file(path: Path) -> TemplateSpec:
    """Read and validate a template file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValidationError(f"{path} does not exist", [f"{path}: no such file"]) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path} is not a text file", [f"{path}: not UTF-8 text ({exc.reason})"]
        ) from exc
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read", [f"{path}: {exc.strerror}"]) from exc
    return load_template_text(text, str(path))


# --- validation -----------------------------------------------------------------------------

TEMPLATE_FIELDS = {"id", "title", "description", "grading", "scales", "sections"}
SECTION_FIELDS = {"id", "title", "description", "limiting", "applies_when", "tags", "questions"}
QUESTION_FIELDS = {"id", "text", "guidance", "scale", "critical", "evidence_required", "tags"}
OPTION_FIELDS = {"code", "label", "score"}
GRADING_FIELDS = {"good", "requires_improvement"}


def _describe(path: tuple[Any, ...]) -> str:
    """A field path as a reader would say it: sections[2].questions[5].text."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool) and parts:
            parts[-1] = f"{parts[-1]}[{part + 1}]"
        else:
            parts.append(str(part))
    return ".".join(parts) or "(top level)"


class _Validator:
    """Walks template data, collecting every problem rather than stopping at the first."""

    def __init__(self, locate: Locator) -> None:
        self.locate = locate
        self.problems: list[str] = []

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(f"{self.locate(path)}: {_describe(path)}: {message}")

    def mapping(self, value: Any, path: tuple[Any, ...], allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(path, f"must be a mapping of fields, not {_kind(value)}")
            return {}
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problem((*path, key), f"unknown field '{key}'{hint}")
        return value

    def text(self, data: dict[str, Any], path: tuple[Any, ...], name: str, *, required: bool,
             pattern: re.Pattern[str] | None = None) -> str:
        value = data.get(name)
        if value is None:
            if required:
                self.problem((*path, name) if name in data else path, f"'{name}' is required")
            return ""
        if isinstance(value, bool):
            self.problem((*path, name), "must be text, not true/false (YAML reads yes, no, "
                         "on and off as true/false: put the value in quotes)")
            return ""
        if not isinstance(value, str | int | float):
            self.problem((*path, name), f"must be text, not {_kind(value)}")
            return ""
        result = str(value).strip()
        if required and not result:
            self.problem((*path, name), f"'{name}' must not be empty")
        elif pattern and not pattern.match(result):
            self.problem((*path, name), f"'{result}' is not a valid id ({_pattern_hint(pattern)})")
        return result

    def flag(self, data: dict[str, Any], path: tuple[Any, ...], name: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.problem((*path, name), f"must be true or false, not {value!r}")
            return False
        return value

    def text_list(self, data: dict[str, Any], path: tuple[Any, ...], name: str) -> tuple[str, ...]:
        value = data.get(name, [])
        if value is None:
            return ()
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list):
            self.problem((*path, name), f"must be a list, not {_kind(value)}")
            return ()
        items: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.problem((*path, name, i), f"must be text, not {_kind(item)}")
            else:
                items.append(str(item).strip())
        return tuple(items)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"'{value}'"


def _pattern_hint(pattern: re.Pattern[str]) -> str:
    if pattern is TEMPLATE_ID_PATTERN:
        return "lower-case letters, digits and hyphens"
    return "letters, digits, '.', '_' and '-', at most 40"


def _validate_scale(v: _Validator, value: Any, path: tuple[Any, ...]) -> tuple[ScaleOption, ...]:
    if not isinstance(value, list) or not value:
        v.problem(path, "a scale must be a non-empty list of options")
        return ()
    if len(value) > MAX_SCALE_OPTIONS:
        v.problem(path, f"a scale has at most {MAX_SCALE_OPTIONS} options (one digit key each)")
    options: list[ScaleOption] = []
    seen: set[str] = set()
    for i, raw in enumerate(value):
        option_path = (*path, i)
        data = v.mapping(raw, option_path, OPTION_FIELDS)
        code = v.text(data, option_path, "code", required=True, pattern=ID_PATTERN)
        label = v.text(data, option_path, "label", required=True)
        score = data.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)
                                  or score < 0):
            v.problem((*option_path, "score"), f"must be a number of 0 or more, or empty, "
                      f"not {_kind(score)}")
            score = None
        if code in seen:
            v.problem((*option_path, "code"), f"code '{code}' is used twice in this scale")
        seen.add(code)
        if code and label:
            options.append(ScaleOption(code, label, None if score is None else float(score)))
    scored = {o.score for o in options if o.score is not None}
    if options and len(scored) < 2:
        v.problem(path, "a scale needs at least two options with different scores")
    return tuple(options)


def _validate_grading(v: _Validator, value: Any) -> GradingSpec:
    if value is None:
        return GradingSpec()
    data = v.mapping(value, ("grading",), GRADING_FIELDS)
    defaults = GradingSpec()
    numbers: dict[str, float] = {}
    for name in GRADING_FIELDS:
        raw = data.get(name, getattr(defaults, name))
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= 100:
            v.problem(("grading", name), f"must be a percentage above 0 and at most 100, "
                      f"not {_kind(raw)}")
            raw = getattr(defaults, name)
        numbers[name] = float(raw)
    if numbers["requires_improvement"] >= numbers["good"]:
        v.problem(("grading",), "'requires_improvement' must be below 'good'")
    return GradingSpec(**numbers)


def _validate_question(
    v: _Validator, raw: Any, path: tuple[Any, ...], scales: dict[str, tuple[ScaleOption, ...]]
) -> QuestionSpec | None:
    data = v.mapping(raw, path, QUESTION_FIELDS)
    key = v.text(data, path, "id", required=True, pattern=ID_PATTERN)
    text = v.text(data, path, "text", required=True)
    guidance = v.text(data, path, "guidance", required=False)
    scale_name = v.text(data, path, "scale", required=False) or DEFAULT_SCALE_NAME
    scale = scales.get(scale_name)
    if scale is None:
        known = ", ".join(sorted(scales))
        v.problem((*path, "scale"), f"unknown scale '{scale_name}' (known: {known})")
        scale = DEFAULT_SCALE
    critical = v.flag(data, path, "critical")
    codes = [o.code for o in scale]
    if "evidence_required" in data:
        evidence = v.text_list(data, path, "evidence_required")
        for code in evidence:
            if code not in codes:
                v.problem((*path, "evidence_required"),
                          f"'{code}' is not an answer on scale '{scale_name}' ({', '.join(codes)})")
    else:
        evidence = _default_evidence_required(scale)
    tags = v.text_list(data, path, "tags")
    if not key or not text:
        return None
    return QuestionSpec(key, text, guidance, scale, critical, evidence, tags)


def _default_evidence_required(scale: tuple[ScaleOption, ...]) -> tuple[str, ...]:
    """Anything short of full marks needs evidence, and so does 'not applicable'."""
    top = max((o.score for o in scale if o.score is not None), default=None)
    return tuple(o.code for o in scale if o.score != top)


def _validate_section(
    v: _Validator, raw: Any, path: tuple[Any, ...], scales: dict[str, tuple[ScaleOption, ...]]
) -> SectionSpec | None:
    data = v.mapping(raw, path, SECTION_FIELDS)
    key = v.text(data, path, "id", required=True, pattern=ID_PATTERN)
    title = v.text(data, path, "title", required=True)
    description = v.text(data, path, "description", required=False)
    limiting = v.flag(data, path, "limiting")
    applies_when = v.text(data, path, "applies_when", required=False) or None
    if applies_when and applies_when not in CASE_CONDITIONS:
        v.problem((*path, "applies_when"),
                  f"unknown condition '{applies_when}' (known: {', '.join(CASE_CONDITIONS)})")
    tags = v.text_list(data, path, "tags")
    raw_questions = data.get("questions")
    questions: list[QuestionSpec] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        v.problem((*path, "questions") if "questions" in data else path,
                  "a section needs a list of at least one question")
    else:
        for i, raw_question in enumerate(raw_questions):
            question = _validate_question(v, raw_question, (*path, "questions", i), scales)
            if question:
                questions.append(question)
    if not key or not title:
        return None
    return SectionSpec(key, title, description, limiting, applies_when, tags, tuple(questions))


def _check_unique_ids(v: _Validator, sections: list[tuple[tuple[Any, ...], SectionSpec]]) -> None:
    seen_sections: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    for path, section in sections:
        where = v.locate((*path, "id"))
        if section.key in seen_sections:
            v.problem((*path, "id"), f"section id '{section.key}' is already used at "
                      f"{seen_sections[section.key]}")
        seen_sections.setdefault(section.key, where)
        for i, question in enumerate(section.questions):
            qpath = (*path, "questions", i, "id")
            if question.key in seen_questions:
                v.problem(qpath, f"question id '{question.key}' is already used at "
                          f"{seen_questions[question.key]}")
            seen_questions.setdefault(question.key, v.locate(qpath))


def validate_template(data: Any, locate: Locator, source: str) -> TemplateSpec:
    """Check template data in full; raise one ValidationError listing every problem."""
    v = _Validator(locate)
    top = v.mapping(data, (), TEMPLATE_FIELDS)
    key = v.text(top, (), "id", required=True, pattern=TEMPLATE_ID_PATTERN)
    title = v.text(top, (), "title", required=True)
    description = v.text(top, (), "description", required=False)
    grading = _validate_grading(v, top.get("grading"))
    scales: dict[str, tuple[ScaleOption, ...]] = {DEFAULT_SCALE_NAME: DEFAULT_SCALE}
    raw_scales = top.get("scales") or {}
    if not isinstance(raw_scales, dict):
        v.problem(("scales",), f"must be a mapping of scale names to options, "
                  f"not {_kind(raw_scales)}")
        raw_scales = {}
    for name, options in raw_scales.items():
        scales[str(name)] = _validate_scale(v, options, ("scales", name))
    raw_sections = top.get("sections")
    sections: list[tuple[tuple[Any, ...], SectionSpec]] = []
    if not isinstance(raw_sections, list) or not raw_sections:
        v.problem(("sections",) if "sections" in top else (),
                  "a template needs a list of at least one section")
    else:
        for i, raw_section in enumerate(raw_sections):
            section = _validate_section(v, raw_section, ("sections", i), scales)
            if section:
                sections.append((("sections", i), section))
    _check_unique_ids(v, sections)
    if v.problems:
        count = len(v.problems)
        raise ValidationError(
            f"{source}: {count} problem{'s' if count > 1 else ''} in the template", v.problems
        )
    used = {s for _, sec in sections for q in sec.questions for s in [q.scale]}
    named = {name: opts for name, opts in scales.items()
             if name != DEFAULT_SCALE_NAME and opts in used}
    return TemplateSpec(key, title, description, grading, tuple(s for _, s in sections), named)
