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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from auditapp.checklists import schema
from auditapp.errors import ValidationError
from auditapp.inputs.yaml_text import read_yaml
from auditapp.rules import limits
from auditapp.rules.grades import GOOD_THRESHOLD, REQUIRES_IMPROVEMENT_THRESHOLD
from auditapp.rules.indicators import DEFAULT_MIN_N, MAX_MIN_N, Eligibility
from auditapp.rules.limits import TEMPLATE_FILE_BYTES

#: Where a value came from, as text to put before a problem ("file.yaml:12").
Locator = Callable[[tuple[Any, ...]], str]



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
class IndicatorSpec:
    """An indicator as the template file defines it (see :mod:`auditapp.rules.indicators`)."""

    key: str
    title: str
    kind: str
    question: str
    counts: tuple[str, ...]
    eligibility: Eligibility
    target: float | None
    min_n: int

    def to_data(self) -> dict[str, Any]:
        """The indicator in the file format."""
        data: dict[str, Any] = {"id": self.key, "title": self.title, "kind": self.kind,
                                "question": self.question, "counts": list(self.counts)}
        eligible: dict[str, Any] = {}
        if self.eligibility.categories:
            eligible["categories"] = list(self.eligibility.categories)
        if self.eligibility.uasc is not None:
            eligible["uasc"] = self.eligibility.uasc
        if self.eligibility.ages:
            eligible["ages"] = list(self.eligibility.ages)
        if eligible:
            data["eligible"] = eligible
        if self.target is not None:
            data["target"] = self.target
        return data | {"min_n": self.min_n}


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
    indicators: tuple[IndicatorSpec, ...] = ()

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
            # Only when there are any: a template without indicators keeps the content hash
            # (and so the version) it had before templates could declare them.
            **({"indicators": [i.to_data() for i in self.indicators]} if self.indicators
               else {}),
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


# --- reading a YAML file ---------------------------------------------------------------------


def parse_yaml(text: str, source: str) -> tuple[Any, Locator]:
    """Parse YAML text into plain data and a locator giving ``source:line`` for any path
    (see :mod:`auditapp.inputs.yaml_text` for the limits)."""
    data, lines = read_yaml(text, source)

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
        size = path.stat().st_size
        if size > TEMPLATE_FILE_BYTES:
            raise ValidationError(f"{path} is too large", [
                f"{path}: {size:,} bytes; a template file may be at most "
                f"{TEMPLATE_FILE_BYTES:,}"])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValidationError(f"{path} does not exist", [f"{path}: no such file"]) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path} is not a text file", [f"{path}: not UTF-8 text ({exc.reason})"]
        ) from exc
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read",
                              [f"{path}: {exc.strerror or exc}"]) from exc
    return load_template_text(text, str(path))


# --- validation -----------------------------------------------------------------------------


def _describe(path: tuple[Any, ...]) -> str:
    """A field path as a reader would say it: sections[2].questions[5].text."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool) and parts:
            parts[-1] = f"{parts[-1]}[{part + 1}]"
        else:
            parts.append(str(part))
    return ".".join(parts) or "(top level)"


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
    text = str(value)
    return f"'{text if len(text) <= 60 else text[:60] + '...'}'"


def _part_at(path: tuple[Any, ...]) -> str:
    """Which part of a template a path leads to (a key of :data:`schema.PARTS`)."""
    kinds = {(): "template", ("grading",): "grading"}
    shape = tuple("#" if isinstance(p, int) and not isinstance(p, bool) else p for p in path)
    if shape in kinds:
        return kinds[shape]
    if len(shape) == 3 and shape[0] == "scales" and shape[2] == "#":
        return "option"
    if shape == ("sections", "#"):
        return "section"
    if shape == ("sections", "#", "questions", "#"):
        return "question"
    if shape == ("indicators", "#"):
        return "indicator"
    if shape == ("indicators", "#", "eligible"):
        return "eligible"
    return ""


_TOO_FEW = {"sections": "a template needs a list of at least one section",
            "questions": "a section needs a list of at least one question"}
_HINTS = {"id": "is not a valid id", "code": "is not a valid answer code",
          "scale": "is not a valid scale name"}
_PATTERNS = {schema.TEMPLATE_ID_PATTERN.pattern: "lower-case letters, digits and hyphens",
             schema.ID_PATTERN.pattern: f"letters, digits, '.', '_' and '-', at most "
                                        f"{limits.ITEM_ID_CHARS}",
             schema.CODE_PATTERN.pattern: f"letters, digits, '.', '_' and '-', at most "
                                          f"{limits.ANSWER_CODE_CHARS}"}


def _message(error: Any) -> tuple[tuple[Any, ...], str]:
    """One pydantic error as (where, what), in the words of this format."""
    loc = tuple(p for p in error["loc"] if p != "[key]")
    kind, value, context = error["type"], error.get("input"), error.get("ctx") or {}
    name = str(next((p for p in reversed(loc) if isinstance(p, str)), ""))
    if kind == "extra_forbidden":
        allowed = sorted(schema.PARTS[_part_at(loc[:-1])].model_fields) \
            if _part_at(loc[:-1]) else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return loc, f"unknown field '{loc[-1]}'{hint}"
    if kind == "missing":
        return loc, f"'{loc[-1]}' is required"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return loc, f"must be a mapping of fields, not {_kind(value)}"
    if kind == "list_type":
        return loc, f"must be a list, not {_kind(value)}"
    if kind == "string_type":
        if isinstance(value, bool):
            return loc, ("must be text, not true/false (YAML reads yes, no, on and off as "
                         "true/false: put the value in quotes)")
        if isinstance(value, int | float):
            return loc, f"must be text, not {_kind(value)} (put the value in quotes)"
        return loc, f"must be text, not {_kind(value)}"
    if kind == "string_too_short" or (kind == "string_pattern_mismatch"
                                      and context.get("pattern") == schema.NOT_BLANK):
        return loc, f"'{name}' must not be empty"
    if kind == "string_too_long":
        return loc, f"{_kind(value)[:40]}... is {len(str(value)):,} characters long; at most " \
                    f"{context.get('max_length', 0):,} are allowed"
    if kind == "string_pattern_mismatch":
        what = _HINTS.get(name, "is not valid here")
        return loc, f"{_kind(value)} {what} ({_PATTERNS.get(str(context.get('pattern')), '')})"
    if kind == "bool_type":
        return loc, f"must be true or false, not {_kind(value)}"
    if kind == "too_short" and name in _TOO_FEW:
        return loc, _TOO_FEW[name]
    if kind == "too_short":
        return loc, f"needs at least {context.get('min_length')} entries"
    if kind == "too_long":
        return loc, f"has {context.get('actual_length'):,} entries; at most " \
                    f"{context.get('max_length'):,} are allowed"
    if name == "min_n" and kind in ("int_type", "int_from_float", "greater_than_equal",
                                    "less_than_equal", "int_parsing"):
        return loc, f"must be a whole number from 1 to {MAX_MIN_N:,}, not {_kind(value)}"
    if kind in ("float_type", "finite_number", "greater_than", "less_than_equal",
                "greater_than_equal", "float_parsing"):
        if name == "score":
            return loc, f"must be a number of 0 or more, or empty, not {_kind(value)}"
        return loc, f"must be a percentage above 0 and at most 100, not {_kind(value)}"
    if kind == "value_error":
        return loc, str(context.get("error", error["msg"]))
    return loc, str(error["msg"])


def _is_text(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings in the list ``data[key]``, with their positions (others skipped: the
    schema names them)."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _scale_codes(data: Any) -> dict[str, list[tuple[tuple[Any, ...], str]]]:
    """Each scale's option codes, with where each is given."""
    raw = data.get("scales") if isinstance(data, dict) else None
    scales: dict[str, list[tuple[tuple[Any, ...], str]]] = {
        DEFAULT_SCALE_NAME: [((), o.code) for o in DEFAULT_SCALE]}
    if isinstance(raw, dict):
        for name, options in raw.items():
            scales[str(name)] = [(("scales", name, i, "code"), str(option.get("code")).strip())
                                 for i, option in enumerate(options or [])
                                 if isinstance(option, dict) and _is_text(option.get("code"))] \
                if isinstance(options, list) else []
    return scales


def _cross_problems(data: Any, locate: Locator) -> list[tuple[tuple[Any, ...], str]]:
    """What ties one part of a template to another, which a schema cannot say: ids unique
    across the template, codes unique on a scale, questions on a known scale, evidence codes
    on the question's scale, and how many questions there are. Read leniently from the raw
    data, so these problems are listed with the schema's."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    scales = _scale_codes(data)
    for codes in scales.values():
        seen: set[str] = set()
        for path, code in codes:
            if code in seen:
                problems.append((path, f"code '{code}' is used twice in this scale"))
            seen.add(code)
    sections: dict[str, str] = {}
    questions: dict[str, str] = {}
    count = 0
    for s, section in _items(data, "sections"):
        _unique(section, ("sections", s), "section", sections, locate, problems)
        for q, question in _items(section, "questions"):
            count += 1
            path = ("sections", s, "questions", q)
            _unique(question, path, "question", questions, locate, problems)
            problems.extend(_scale_problems(question, path, scales))
    problems.extend(_indicator_problems(data, scales))
    if count > limits.TEMPLATE_QUESTIONS:
        problems.append((("sections",), f"{count:,} questions; a template may ask at most "
                                        f"{limits.TEMPLATE_QUESTIONS:,}"))
    return problems


def _unique(item: dict[str, Any], path: tuple[Any, ...], what: str, seen: dict[str, str],
            locate: Locator, problems: list[tuple[tuple[Any, ...], str]]) -> None:
    key = item.get("id")
    if not _is_text(key):
        return
    key = str(key).strip()
    if key in seen:
        problems.append(((*path, "id"), f"{what} id '{key}' is already used at {seen[key]}"))
    seen.setdefault(key, locate((*path, "id")))


def _scale_problems(question: dict[str, Any], path: tuple[Any, ...],
                    scales: dict[str, list[tuple[tuple[Any, ...], str]]]
                    ) -> list[tuple[tuple[Any, ...], str]]:
    name = question.get("scale")
    name = DEFAULT_SCALE_NAME if name is None else str(name).strip() if _is_text(name) else None
    if name is None:
        return []
    if name not in scales:
        return [((*path, "scale"), f"unknown scale '{name}' (known: {', '.join(sorted(scales))})")]
    codes = [code for _path, code in scales[name]]
    evidence = question.get("evidence_required")
    return [((*path, "evidence_required"),
             f"'{code}' is not an answer on scale '{name}' ({', '.join(codes)})")
            for code in (evidence if isinstance(evidence, list) else [])
            if _is_text(code) and str(code).strip() not in codes]


def _indicator_problems(data: Any, scales: dict[str, list[tuple[tuple[Any, ...], str]]]
                        ) -> list[tuple[tuple[Any, ...], str]]:
    """An indicator names a question of the template, counts answers on that question's
    scale that are scored (a 'not applicable' answer is never in the denominator), and has an
    id of its own."""
    questions: dict[str, dict[str, Any]] = {}
    for _s, section in _items(data, "sections"):
        for _q, question in _items(section, "questions"):
            if _is_text(question.get("id")):
                questions.setdefault(str(question["id"]).strip(), question)
    raw = data.get("scales") if isinstance(data, dict) else None
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: set[str] = set()
    for i, indicator in _items(data, "indicators"):
        path = ("indicators", i)
        key = indicator.get("id")
        if _is_text(key) and str(key).strip() in seen:
            problems.append(((*path, "id"), f"indicator id '{str(key).strip()}' is already "
                                            "used"))
        if _is_text(key):
            seen.add(str(key).strip())
        name = indicator.get("question")
        if not _is_text(name):
            continue
        found = questions.get(str(name).strip())
        if found is None:
            problems.append(((*path, "question"), f"no question '{str(name).strip()[:40]}' in "
                                                  "this template"))
            continue
        scale = found.get("scale")
        scale_name = DEFAULT_SCALE_NAME if scale is None else str(scale).strip()
        if scale_name not in scales:
            continue  # named at the question
        unscored = _unscored_codes(raw, scale_name)
        codes = [code for _p, code in scales[scale_name]]
        counts = indicator.get("counts")
        for c, code in enumerate(counts if isinstance(counts, list) else []):
            if not _is_text(code):
                continue
            code = str(code).strip()
            if code not in codes:
                problems.append(((*path, "counts", c), f"'{code}' is not an answer to question "
                                 f"'{str(name).strip()}' (scale '{scale_name}': "
                                 f"{', '.join(codes)})"))
            elif code in unscored:
                problems.append(((*path, "counts", c), f"'{code}' is not scored ('not "
                                 "applicable' answers are left out of an indicator)"))
    return problems


def _unscored_codes(raw: Any, scale_name: str) -> set[str]:
    if scale_name == DEFAULT_SCALE_NAME:
        return {o.code for o in DEFAULT_SCALE if o.score is None}
    options = raw.get(scale_name) if isinstance(raw, dict) else None
    return {str(o.get("code")).strip() for o in options or []
            if isinstance(o, dict) and _is_text(o.get("code")) and o.get("score") is None} \
        if isinstance(options, list) else set()


def _indicator(model: schema.Indicator) -> IndicatorSpec:
    eligible = model.eligible or schema.Eligible()
    return IndicatorSpec(
        model.id, model.title.strip(), model.kind, model.question, tuple(model.counts),
        Eligibility(tuple(eligible.categories or ()), eligible.uasc, tuple(eligible.ages or ())),
        model.target, DEFAULT_MIN_N if model.min_n is None else model.min_n)


def _spec(model: schema.Template) -> TemplateSpec:
    """The validated file as a template, text trimmed (so that a file's layout, such as a
    folded block's last line break, never changes its content hash)."""
    scales = {DEFAULT_SCALE_NAME: DEFAULT_SCALE}
    for name, options in (model.scales or {}).items():
        scales[name] = tuple(ScaleOption(o.code, o.label.strip(), o.score) for o in options)
    defaults = GradingSpec()
    grading = model.grading or schema.Grading()
    sections = []
    for section in model.sections:
        questions = []
        for q in section.questions:
            scale = scales[q.scale or DEFAULT_SCALE_NAME]
            evidence = tuple(q.evidence_required) if q.evidence_required is not None \
                else _default_evidence_required(scale)
            questions.append(QuestionSpec(q.id, q.text.strip(), _trim(q.guidance), scale,
                                          q.critical, evidence, _tags(q.tags)))
        sections.append(SectionSpec(section.id, section.title.strip(),
                                    _trim(section.description), section.limiting,
                                    section.applies_when, _tags(section.tags),
                                    tuple(questions)))
    used = {q.scale for s in sections for q in s.questions}
    named = {name: opts for name, opts in scales.items()
             if name != DEFAULT_SCALE_NAME and opts in used}
    return TemplateSpec(
        model.id, model.title.strip(), _trim(model.description),
        GradingSpec(defaults.good if grading.good is None else grading.good,
                    defaults.requires_improvement if grading.requires_improvement is None
                    else grading.requires_improvement),
        tuple(sections), named, tuple(_indicator(i) for i in model.indicators or ()))


def _trim(text: str | None) -> str:
    return (text or "").strip()


def _tags(tags: list[str] | None) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in tags or ())


def _default_evidence_required(scale: tuple[ScaleOption, ...]) -> tuple[str, ...]:
    """Anything short of full marks needs evidence, and so does 'not applicable'."""
    top = max((o.score for o in scale if o.score is not None), default=None)
    return tuple(o.code for o in scale if o.score != top)


def validate_template(data: Any, locate: Locator, source: str) -> TemplateSpec:
    """Check template data against the schema (:mod:`auditapp.checklists.schema`) and the
    rules that tie its parts together; raise one ValidationError listing every problem, each
    with its place (``locate``) and field, the first
    :data:`~auditapp.rules.limits.PROBLEMS_SHOWN` of them listed and the rest counted."""
    found: list[tuple[tuple[Any, ...], str]] = []
    model = None
    try:
        model = schema.Template.model_validate(data)
    except PydanticValidationError as exc:
        found.extend(_message(error) for error in exc.errors(include_url=False))
    found.extend(_cross_problems(data, locate))
    if not found:
        assert model is not None
        return _spec(model)
    problems = limits.Problems()
    # By line; on one line an unknown field first, since it often explains the rest.
    for path, message in sorted(found, key=lambda f: (_line(locate(f[0])),
                                                      not f[1].startswith("unknown field"))):
        where = path[:-1] if message.endswith("is required") else path
        problems.add(f"{locate(path)}: {_describe(where)}: {message}")
    raise ValidationError(f"{problems.summary(source)} in the template", problems.listed,
                          problems.more)


def _line(place: str) -> int:
    """The line (or row) number at the end of a place, for ordering problems."""
    digits = "".join(c if c.isdigit() else " " for c in place).split()
    return int(digits[-1]) if digits and len(digits[-1]) < 10 else 0
