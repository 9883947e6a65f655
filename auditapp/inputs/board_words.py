"""The words of a board report, from a YAML file a practice lead writes: the front sheet's
details and the narrative sections (see ``docs/board-words.example.yaml``).

Read within limits (:mod:`auditapp.inputs.yaml_text`, at most
:data:`~auditapp.rules.limits.BOARD_WORDS_FILE_BYTES`); any problem is one line naming the
file and the line, as a :class:`~auditapp.errors.UserError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from auditapp.errors import UserError, ValidationError
from auditapp.inputs.yaml_text import Lines, read_yaml
from auditapp.rules.limits import (
    BOARD_WORDS_FILE_BYTES,
    EARLIEST_DATE,
    LATEST_DATE,
    LONG_TEXT_CHARS,
    TITLE_CHARS,
)

#: A narrative field: paragraphs (a blank line starts a new one), or a list of points.
Text = tuple[str, ...]

#: Narrative fields, in the order the report prints them, with their headings.
NARRATIVE = {
    "summary": "Report summary",
    "recommendations": "Recommendations",
    "background": "Background",
    "key_messages": "Key messages and learning",
    "next_steps": "Next steps and the next audit programme",
    "implications_for_children": "Implications for children and young people",
    "risks": "Risks and mitigation",
}
#: Front-sheet details: (required, default).
DETAILS = {
    "committee": (True, ""),
    "meeting_date": (True, ""),
    "title": (True, ""),
    "author": (True, ""),
    "approving_director": (False, "Not applicable"),
    "wards": (False, "Borough-wide"),
    "key_decision": (False, "No"),
    "background_papers": (False, "None"),
    "council": (False, ""),
}
_POINTS = 50
# Characters Word documents (XML 1.0) cannot hold: C0 controls but tab, newline and return.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: What YAML itself refuses to read (it would say where only as a character position).
_UNPRINTABLE = yaml.reader.Reader.NON_PRINTABLE


@dataclass(frozen=True)
class BoardWords:
    """Everything a person writes for a board report."""

    committee: str
    meeting_date: date
    title: str
    author: tuple[str, ...]
    approving_director: str
    wards: str
    key_decision: str
    background_papers: str
    council: str
    narrative: dict[str, tuple[Text, bool]]  # field -> (paragraphs or points, is a list)

    def text(self, field: str) -> Text:
        """A narrative field's paragraphs (or points)."""
        return self.narrative[field][0]

    def is_list(self, field: str) -> bool:
        """Whether the field was written as a list of points."""
        return self.narrative[field][1]


class _Reader:
    def __init__(self, source: str, lines: Lines) -> None:
        self.source = source
        self.lines = lines

    def fail(self, path: tuple[Any, ...], problem: str) -> UserError:
        while path and path not in self.lines:
            path = path[:-1]
        return UserError(f"{self.source}:{self.lines.get(path, 1)}: {problem}")

    def line(self, value: Any, path: tuple[Any, ...], limit: int) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float | date):
            raise self.fail(path, f"'{path[-1]}' must be text")
        text = str(value).strip()
        self._check(text, path, limit)
        if "\n" in text:
            raise self.fail(path, f"'{path[0]}' must be one line")
        return text

    def _check(self, text: str, path: tuple[Any, ...], limit: int) -> None:
        if not text:
            raise self.fail(path, f"'{path[0]}' is empty")
        if len(text) > limit:
            raise self.fail(path, f"'{path[0]}' is {len(text):,} characters; at most "
                            f"{limit:,}")
        if _FORBIDDEN.search(text):
            raise self.fail(path, f"'{path[0]}' holds a control character")

    def narrative(self, value: Any, path: tuple[Any, ...]) -> tuple[Text, bool]:
        if isinstance(value, list):
            if not value or len(value) > _POINTS:
                raise self.fail(path, f"'{path[0]}' must list 1 to {_POINTS} points")
            points = [self.paragraphs(item, (*path, i)) for i, item in enumerate(value)]
            return tuple(" ".join(p) for p in points), True
        return self.paragraphs(value, path), False

    def paragraphs(self, value: Any, path: tuple[Any, ...]) -> Text:
        if not isinstance(value, str):
            raise self.fail(path, f"'{path[0]}' must be text (use | for paragraphs) or a "
                            "list of points")
        self._check(value.strip(), path, LONG_TEXT_CHARS)
        parts = re.split(r"\n\s*\n", value.strip())
        return tuple(" ".join(part.split()) for part in parts if part.strip())

    def meeting_date(self, value: Any, path: tuple[Any, ...]) -> date:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                raise self.fail(path, "'meeting_date' must be a date, YYYY-MM-DD") from None
        if not isinstance(value, date) or not EARLIEST_DATE <= value <= LATEST_DATE:
            raise self.fail(path, "'meeting_date' must be a date, YYYY-MM-DD, between "
                            f"{EARLIEST_DATE.year} and {LATEST_DATE.year}")
        return value


def _read(text: str, source: str) -> tuple[Any, _Reader]:
    """The YAML of a words file, refused with one located line if it holds a control
    character, is empty or is not YAML; and a reader that places its values."""
    unprintable = _UNPRINTABLE.search(text)
    if unprintable:
        line = text[:unprintable.start()].count("\n") + 1
        raise UserError(f"{source}:{line}: a control character "
                        f"(U+{ord(unprintable.group()):04X}) is not allowed")
    if not text.strip():  # the YAML reader would say it "holds no template"
        raise UserError(f"{source}:1: the file is empty")
    try:
        data, lines = read_yaml(text, source)
    except ValidationError as exc:
        raise UserError(" ".join(exc.problems[0].split())) from None  # YAML's are multi-line
    reader = _Reader(source, lines)
    return data, reader


def parse_board_words(text: str, source: str) -> BoardWords:
    """The words of a board report from YAML ``text``; ``source`` names it in errors."""
    data, reader = _read(text, source)
    if not isinstance(data, dict):
        raise reader.fail((), "the file must be a list of fields (name: value), one a line")
    known = {*NARRATIVE, *DETAILS}
    for key in data:
        if key not in known:
            raise reader.fail((key,), f"unknown field '{key}'; the fields are "
                              + ", ".join(sorted(known)))
    for key, (required, _default) in ({k: (True, "") for k in NARRATIVE} | DETAILS).items():
        if required and data.get(key) in (None, ""):
            raise reader.fail((), f"the field '{key}' is missing")
    details = {key: reader.line(data[key], (key,), TITLE_CHARS) if key in data else default
               for key, (_required, default) in DETAILS.items()
               if key not in ("meeting_date", "author")}
    authors = data["author"] if isinstance(data["author"], list) else [data["author"]]
    if len(authors) > 10:
        raise reader.fail(("author",), "'author' names at most 10 people")
    return BoardWords(
        meeting_date=reader.meeting_date(data["meeting_date"], ("meeting_date",)),
        author=tuple(reader.line(a, ("author", i) if isinstance(data["author"], list)
                                 else ("author",), TITLE_CHARS)
                     for i, a in enumerate(authors)),
        narrative={key: reader.narrative(data[key], (key,)) for key in NARRATIVE},
        **details)


def read_board_words(path: Path) -> BoardWords:
    """The words of a board report from the YAML file ``path``."""
    return parse_board_words(_file_text(path), str(path))


def _file_text(path: Path) -> str:
    """A words file's text: at most :data:`BOARD_WORDS_FILE_BYTES`, UTF-8."""
    try:
        size = path.stat().st_size
        if size > BOARD_WORDS_FILE_BYTES:
            raise UserError(f"{path}: {size:,} bytes; a words file may be at most "
                            f"{BOARD_WORDS_FILE_BYTES:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise UserError(f"{path}:{line}: not UTF-8 text") from None


# --- the words of a report prepared in the app --------------------------------------------------

#: The points of a list, one a line, as the app's editor and a words file's list store them.
_POINT = re.compile(r"^\s*(?:[-\u2022*]|\d{1,2}[.)])\s+")


def text_problem(field: str, text: str) -> str | None:
    """Why ``text`` cannot be the narrative part ``field`` of a report, or None."""
    if field not in NARRATIVE:
        return f"'{field}' is not a part of a board report; the parts are " + ", ".join(NARRATIVE)
    if len(text) > LONG_TEXT_CHARS:
        return (f"'{NARRATIVE[field]}' is {len(text):,} characters; at most "
                f"{LONG_TEXT_CHARS:,}")
    if _FORBIDDEN.search(text):
        return f"'{NARRATIVE[field]}' holds a control character"
    return None


def narrative_of(text: str) -> tuple[Text, bool]:
    """A narrative part as typed (paragraphs split by a blank line; or, when every line is a
    point starting "- ", "* ", "\u2022 " or "1.", a list of points) as the editions print it."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if lines and all(_POINT.match(line) for line in lines):
        return tuple(" ".join(_POINT.sub("", line).split()) for line in lines), True
    parts = re.split(r"\n\s*\n", text.strip())
    return tuple(" ".join(part.split()) for part in parts if part.strip()), False


def parse_report_words(text: str, source: str) -> dict[str, str]:
    """The narrative parts of a report from YAML ``text`` (any of the :data:`NARRATIVE`
    fields, each text or a list of points), as the app's editor holds them: a list becomes
    one "- point" a line. The front sheet's details are the report's settings, not here."""
    data, reader = _read(text, source)
    if not isinstance(data, dict) or not data:
        raise reader.fail((), "the file must be a list of parts (name: text), such as "
                          "'summary: |' followed by its paragraphs")
    words = {}
    for key, value in data.items():
        if key not in NARRATIVE:
            raise reader.fail((key,), f"unknown part '{key}'; the parts are "
                              + ", ".join(NARRATIVE) + " (the title, committee, meeting "
                              "date and author are the report's settings: report start)")
        texts, is_list = reader.narrative(value, (key,))
        words[key] = "\n".join(f"- {point}" for point in texts) if is_list \
            else "\n\n".join(texts)
        if len(words[key]) > LONG_TEXT_CHARS:
            raise reader.fail((key,), f"'{key}' is longer than {LONG_TEXT_CHARS:,} characters")
    return words


def read_report_words(path: Path) -> dict[str, str]:
    """The narrative parts of a report from the YAML file ``path`` (see
    :func:`parse_report_words`), read within the words file's limits."""
    return parse_report_words(_file_text(path), str(path))
