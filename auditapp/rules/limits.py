"""How much auditapp takes: the limits every way in (the editor, the services, imports of
templates, case samples and bundles, the command line) checks, and the database's columns
agree with.

A limit bounds memory and time whatever the input, and keeps a value inside its column on
PostgreSQL (SQLite does not enforce lengths). ``tests/rules/test_limits.py`` holds the model's
column lengths to these numbers; the README's "Limits" section lists them for people.
"""

from __future__ import annotations

from datetime import date

from auditapp.errors import UserError

# --- values stored in the database ----------------------------------------------------------

#: A person's name (profile, auditor, moderator, action owner), a team or a worker.
NAME_CHARS = 120
#: A case reference (pseudonymous: letters, digits, / _ . -).
REFERENCE_CHARS = 40
#: An answer's code on its scale ("Y", "NA", ...).
ANSWER_CODE_CHARS = 10
#: Free text: evidence, comments, rationale, narrative, action text, notes. Far beyond any
#: real note (a long evidence note is a few thousand characters), and small enough to hold.
LONG_TEXT_CHARS = 100_000
#: The dates auditapp takes anywhere (audit dates, due dates, periods).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
#: The name of a file a template or a bundle came from, as it is recorded.
FILE_NAME_CHARS = 255

# --- checklist templates --------------------------------------------------------------------

#: A template's id (kept across its versions).
TEMPLATE_ID_CHARS = 80
#: A template's or a section's title.
TITLE_CHARS = 200
#: A section's or a question's id.
ITEM_ID_CHARS = 40
#: A question's text, as the auditor reads it.
QUESTION_CHARS = 2_000
#: Guidance and descriptions.
GUIDANCE_CHARS = 20_000
#: An answer option's label ("Partly").
LABEL_CHARS = 80
#: A tag ("KLOE1", "Sch1.4"), and how many a section or a question may carry.
TAG_CHARS = 40
TAGS_PER_ITEM = 30
#: Sections and questions in one template, and named scales.
TEMPLATE_SECTIONS = 100
TEMPLATE_QUESTIONS = 1_000
TEMPLATE_SCALES = 20
#: Indicators a template may declare.
TEMPLATE_INDICATORS = 60
#: Options on one answer scale: one digit key each.
SCALE_OPTIONS = 9

# --- files read -----------------------------------------------------------------------------

#: A YAML template file. The largest shipped template is 42 KB.
TEMPLATE_FILE_BYTES = 2 * 1024 * 1024
#: The words of a board report (a YAML file): a long report is some tens of kilobytes.
BOARD_WORDS_FILE_BYTES = 1024 * 1024
#: YAML nesting (a template needs six levels), aliases (``*name``), and values after the
#: aliases are followed: together they stop a "billion laughs" file.
YAML_DEPTH = 20
YAML_ALIASES = 20
YAML_VALUES = 100_000
#: A spreadsheet cell: Excel's own maximum.
CELL_CHARS = 32_767
#: Columns read from a sheet (a case sample has eight, a template's checklist eleven).
SHEET_COLUMNS = 50
#: Rows of a template workbook's sheet.
TEMPLATE_SHEET_ROWS = TEMPLATE_SECTIONS + TEMPLATE_QUESTIONS + 1
#: A case sample file (.csv or .xlsx).
SAMPLE_FILE_BYTES = 64 * 1024 * 1024
#: Rows of a case sample that are read and checked (the header included).
SAMPLE_ROWS = 100_000
#: Cases one import may add: each starts a draft audit with a row for every question, all in
#: one transaction (a monthly sample is tens; a larger one is imported in parts).
IMPORT_CASES = 500
#: The audit programme: audits planned on one line (a team plans tens a quarter), a
#: programme sheet (.csv or .xlsx) and the rows of it that are read (the header included).
PLANNED_AUDITS_MAX = 1_000
PROGRAMME_FILE_BYTES = 16 * 1024 * 1024
PROGRAMME_ROWS = 10_000
#: An Excel workbook is a zip archive: how many parts, and how large once inflated.
ARCHIVE_MEMBERS = 1_000
WORKBOOK_UNPACKED_BYTES = 64 * 1024 * 1024
#: How much a part may grow when inflated (parts under 1 MiB are not held to it). Ordinary
#: spreadsheets and bundles inflate five to twenty times.
INFLATE_RATIO = 100
INFLATE_RATIO_FROM_BYTES = 1024 * 1024
#: An audit bundle file, and all its JSON parts inflated.
BUNDLE_FILE_BYTES = 256 * 1024 * 1024
BUNDLE_UNPACKED_BYTES = 256 * 1024 * 1024
#: A passphrase (read from a file, the environment or a prompt).
PASSPHRASE_CHARS = 1_024
#: Problems listed for one file; the rest are counted.
PROBLEMS_SHOWN = 100

# --- board packs ----------------------------------------------------------------------------

#: The suppression threshold N when none is chosen: counts from 1 to N - 1 are withheld
#: (:mod:`auditapp.rules.suppression`).
DEFAULT_THRESHOLD = 5
#: The thresholds a user may choose: below 2 nothing is withheld; far above 50 a board pack
#: would withhold nearly everything.
MIN_THRESHOLD, MAX_THRESHOLD = 2, 50


def length_problem(what: str, value: str, limit: int) -> str | None:
    """Why ``value`` is too long for ``what``, or None if it fits."""
    if len(value) <= limit:
        return None
    return f"{what} is {len(value):,} characters long; at most {limit:,} are allowed"


def date_problem(what: str, value: date) -> str | None:
    """Why ``value`` is outside the dates auditapp takes, or None if it is inside."""
    if EARLIEST_DATE <= value <= LATEST_DATE:
        return None
    return (f"{what} {value.isoformat()} is outside {EARLIEST_DATE.year} to "
            f"{LATEST_DATE.year}")


def require_length(what: str, value: str, limit: int) -> str:
    """``value``, or a :class:`~auditapp.errors.UserError` when it is too long for ``what``."""
    problem = length_problem(what, value, limit)
    if problem:
        raise UserError(problem + ".")
    return value


def check_threshold(threshold: int) -> int:
    """``threshold``, if a user may choose it; else a :class:`UserError` saying the range."""
    if not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise UserError(f"The suppression threshold must be between {MIN_THRESHOLD} and "
                        f"{MAX_THRESHOLD}, not {threshold}.")
    return threshold


def require_date(what: str, value: date | None) -> date | None:
    """``value``, or a :class:`~auditapp.errors.UserError` when it is outside the dates
    auditapp takes."""
    problem = date_problem(what, value) if value is not None else None
    if problem:
        raise UserError(problem + ".")
    return value


def inflate_problem(packed: int, unpacked: int) -> str | None:
    """Why a compressed part that says it inflates from ``packed`` to ``unpacked`` bytes is
    refused before it is read (a "zip bomb"), or None."""
    if unpacked >= INFLATE_RATIO_FROM_BYTES and unpacked > INFLATE_RATIO * max(packed, 1):
        return (f"it would inflate {unpacked // max(packed, 1):,} times (from {packed:,} to "
                f"{unpacked:,} bytes); at most {INFLATE_RATIO} times is allowed")
    return None


class Problems:
    """The problems found in one input: the first :data:`PROBLEMS_SHOWN` kept to list, the
    rest only counted, so that a file with a million bad rows costs no more to report than
    one with a hundred."""

    def __init__(self, shown: int = PROBLEMS_SHOWN) -> None:
        self.listed: list[str] = []
        self.more = 0
        self._shown = shown

    def add(self, problem: str) -> None:
        """Note one problem."""
        if len(self.listed) < self._shown:
            self.listed.append(problem)
        else:
            self.more += 1

    def extend(self, problems: list[str]) -> None:
        """Note several problems."""
        for problem in problems:
            self.add(problem)

    @property
    def count(self) -> int:
        """How many problems were found in all."""
        return len(self.listed) + self.more

    def __bool__(self) -> bool:
        return bool(self.listed)

    def summary(self, what: str) -> str:
        """``what`` with the count: "sample.csv: 3 problems"."""
        return f"{what}: {self.count:,} problem{'s' if self.count != 1 else ''}"
