"""Random and malformed input at the template loader, the case importer and the command line.

Each must end in a clear error (a UserError, or exit status 2) or a correct result: never a
traceback, and never a half-written database. Every input tried is counted in FIGURES.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditapp.checklists.format import load_template_text
from auditapp.cli.main import main_cli
from auditapp.errors import UserError, ValidationError
from auditapp.services.audits.editing import list_audits
from auditapp.services.cases import import_cases, list_cases
from auditapp.services.maintenance import check_database
from auditapp.services.template_list import list_templates
from auditapp.services.templates import import_template_spec
from auditapp.storage.engine import Database
from auditapp.storage.sqlite_files import is_encrypted
from tests.builders import LEAD, SMALL_TEMPLATE, node_paths
from tests.figures import FIGURES

SLOW_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 200), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["", "Y", "P", "N", "NA", "uasc",
                                                           "yes-no", "met", "[", "{"]))
yamlish = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20)
BASE = yaml.safe_load(SMALL_TEMPLATE.read_text(encoding="utf-8"))


PATHS = node_paths(BASE)[1:]


def _mutated(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return document


def _load_or_refuse(text: str) -> None:
    try:
        spec = load_template_text(text, "fuzz.yaml")
    except ValidationError as exc:
        problems = exc.problems
    else:
        assert spec.question_count >= 1
        return
    assert problems and all(p.startswith("fuzz.yaml") for p in problems)


@settings()  # the profile's number of examples: 250 quick, 2,000 in CI, 10,000 deep
@given(st.sampled_from(PATHS), yamlish)
def test_a_template_with_one_field_replaced_loads_or_is_refused(path: tuple[Any, ...],
                                                                value: Any) -> None:
    FIGURES["inputs tried: template loader (structured)"] += 1
    _load_or_refuse(yaml.safe_dump(_mutated(path, value), allow_unicode=True))


@settings()
@given(yamlish)
def test_any_yaml_structure_loads_or_is_refused(document: Any) -> None:
    FIGURES["inputs tried: template loader (structured)"] += 1
    _load_or_refuse(yaml.safe_dump(document, allow_unicode=True))


@settings()
@given(st.text(max_size=400))
def test_any_text_loads_or_is_refused(text: str) -> None:
    FIGURES["inputs tried: template loader (text)"] += 1
    _load_or_refuse(text)


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_FIXTURES)
@given(st.sampled_from(PATHS), yamlish)
def test_an_accepted_template_is_stored_whole(db: Database, path: tuple[Any, ...],
                                              value: Any) -> None:
    FIGURES["inputs tried: template import"] += 1
    before = len(list_templates(db))
    try:
        spec = load_template_text(yaml.safe_dump(_mutated(path, value)), "fuzz.yaml")
    except ValidationError:
        return
    result = import_template_spec(db, spec, "fuzz.yaml", LEAD)
    assert len(list_templates(db)) == before + int(result.created)
    assert check_database(db).ok


def _assert_all_or_nothing(db: Database, template_id: int, path: Path) -> None:
    before = (len(list_audits(db, LEAD)), len(list_cases(db)))
    try:
        result = import_cases(db, path, template_id, LEAD, "Alex")
    except UserError:
        assert (len(list_audits(db, LEAD)), len(list_cases(db))) == before
    else:
        FIGURES["case samples imported whole"] += 1
        assert len(list_audits(db, LEAD)) == before[0] + result.rows
        assert len(list_cases(db)) == before[1] + result.cases_created


csv_cells = st.one_of(st.text(max_size=12), st.sampled_from(
    ["CL-1", "CL-2", "eligible", "relevant", "former relevant", "yes", "no", "17", "2026-01-31",
     "31/01/2026", "", '"', ",", "\n"]))


plausible_row = st.tuples(
    st.one_of(st.from_regex(r"[A-Z]{2}-[0-9]{1,4}", fullmatch=True), csv_cells),
    st.sampled_from(["eligible", "Relevant", "former-relevant", "qualifying", "orphan", ""]),
    st.sampled_from(["yes", "no", "", "maybe"]), st.sampled_from(["16", "25", "", "15", "x"]),
    csv_cells, csv_cells, st.sampled_from(["2026-02-01", "01/02/2026", "", "2026-02-30"]),
    st.sampled_from(["Alex", "", "Sam"])).map(list)


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW_FIXTURES)
@given(st.lists(st.one_of(plausible_row, st.lists(csv_cells, max_size=9)), max_size=6),
       st.sampled_from(["reference,category,uasc,age,team,worker,audit date,auditor\n",
                        "ref,legal status\n", "", "reference;category\n"]))
def test_random_csv_samples_import_fully_or_not_at_all(
        db: Database, small_template_id: int, tmp_path_factory: pytest.TempPathFactory,
        rows: list[list[str]], header: str) -> None:
    FIGURES["inputs tried: case importer (csv)"] += 1
    path = tmp_path_factory.mktemp("csv") / "sample.csv"
    path.write_text(header + "\n".join(",".join(r) for r in rows), encoding="utf-8")
    _assert_all_or_nothing(db, small_template_id, path)


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_FIXTURES)
@given(st.binary(max_size=600), st.sampled_from(["sample.csv", "sample.xlsx", "sample.xlsm"]))
def test_random_bytes_as_a_sample_are_refused_cleanly(
        db: Database, small_template_id: int, tmp_path_factory: pytest.TempPathFactory,
        content: bytes, name: str) -> None:
    FIGURES["inputs tried: case importer (bytes as csv/xlsx)"] += 1
    path = tmp_path_factory.mktemp("bytes") / name
    path.write_bytes(content)
    _assert_all_or_nothing(db, small_template_id, path)


# --- the command line -------------------------------------------------------------------------

COMMANDS = [["templates", "list"], ["templates", "validate"], ["templates", "import"],
            ["cases", "import"], ["demo"], ["stats"], ["check"], ["backup"], ["restore"],
            ["history"], ["encrypt"], ["change-passphrase"], ["users", "list"], ["users", "add"],
            ["idle-lock"], ["reopen"], ["close"], ["bundle", "export"], ["bundle", "import"],
            ["export", "excel"], ["export", "audit-pdf"], ["moderation", "stats"], []]
WORDS = ["templates", "list", "validate", "import", "cases", "demo", "stats", "check", "backup",
         "restore", "history", "encrypt", "change-passphrase", "users", "add", "idle-lock",
         "reopen", "--from", "--to", "--json", "--audits", "--seed", "--years", "--end", "--out",
         "--template", "--template-version", "--auditor", "--date", "--role", "--reason",
         "--confirm", "--passphrase-file", "--new-passphrase-file", "--help", "--version",
         "--since", "--as-at", "--team", "--dry-run", "--prefer", "local", "remote", "--choose",
         "1=local", "--encrypt", "--bundle-passphrase-file",
         "auditor", "practice lead", "2026-01-01", "2026-13-45", "9999-12-31", "1899-12-31",
         "0001-01-01", "2100-12-31", "1", "2", "0", "-1", "1e308", "x.csv", "out.csv",
         "out.xlsx", "nope.yaml", "backup.sqlite", "template.yaml", "a\x00b", "\x00",
         "fuzz.sqlite", ".", "", "pass.txt", "nul.txt", "empty.sqlite", "notes.txt",
         "sample.csv", "laughs.yaml", "b.auditbundle", "x" * 300]
#: Files the command lines can name, made once per test in its own folder: a passphrase, one
#: with a NUL in it, an empty file, text, a case sample, a YAML bomb, a good template. (Every
#: name is relative: a command line such as ``history 1 --out FILE`` writes to it, so the
#: template is a copy, never the suite's own tests/data file.)
FILES = {"template.yaml": SMALL_TEMPLATE.read_bytes(),
         "pass.txt": b"correct horse battery\n", "nul.txt": b"correct\x00horse battery\n",
         "empty.sqlite": b"", "notes.txt": b"Dear diary, " * 100,
         "sample.csv": b"reference,category,auditor\nCL-1,eligible,Alex\n",
         "laughs.yaml": b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                        b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"}
#: Free text, but never a path outside the test's folder, and never a huge number.
free = st.text(max_size=15).filter(
    lambda t: "/" not in t and "\\" not in t and ".." not in t and not t.startswith("~")
    and not t.strip().lstrip("+-").isdigit())
argv_token = st.one_of(st.sampled_from(WORDS), free, st.integers(-3, 12).map(str))


#: Each command's arguments, and what each may be given: command lines a user could type,
#: with values that are good, odd or hostile.
OPTIONS: dict[str, list[str]] = {
    "templates list": [], "templates validate": ["FILE", "FILE"],
    "templates import": ["FILE"],
    "cases import": ["FILE", "--template", "--template-version", "--auditor", "--date"],
    "demo": ["--audits", "--seed", "--years", "--end"], "stats": ["--from", "--to", "--json"],
    "check": [], "backup": ["--out"], "restore": ["FILE"], "history": ["AUDIT", "--out"],
    "encrypt": ["--new-passphrase-file", "--confirm"],
    "change-passphrase": ["--new-passphrase-file"], "users list": [],
    "users add": ["NAME", "--role"], "idle-lock": ["NUMBER"], "reopen": ["AUDIT", "--reason"],
    "close": ["AUDIT"],
    "bundle export": ["--out", "--since", "--auditor", "--encrypt", "--bundle-passphrase-file"],
    "bundle import": ["FILE", "--prefer", "--choose", "--dry-run", "--bundle-passphrase-file"],
    "export excel": ["--out", "--from", "--to", "--team", "--template", "--as-at"],
    "export audit-pdf": ["AUDIT", "--out"],
    "moderation stats": ["--from", "--to", "--team", "--json"],
}
FLAGS = {"--json", "--confirm", "--dry-run", "--encrypt"}
DATES = ["2026-01-01", "2025-06-30", "2026-13-45", "9999-12-31", "1899-12-31", "2100-12-31",
         "0001-01-01", "today", ""]
NUMBERS = ["1", "2", "3", "0", "-1", "240", "241", "99999999999999999999", "1e308", "x"]
FILE_NAMES = ["pass.txt", "nul.txt", "empty.sqlite", "notes.txt", "sample.csv", "laughs.yaml",
              "b.auditbundle", "backup.sqlite", "out.xlsx", "nope", "template.yaml",
              "fuzz.sqlite", "."]
VALUES: dict[str, list[str]] = {
    # A database once encrypted stays checkable: its new passphrase is pass.txt's or none.
    "FILE": FILE_NAMES, "--out": FILE_NAMES,
    "--new-passphrase-file": ["pass.txt", "nul.txt", "empty.sqlite", "nope", "."],
    "--bundle-passphrase-file": FILE_NAMES, "--from": DATES, "--to": DATES, "--date": DATES,
    "--end": DATES, "--since": DATES, "--as-at": DATES, "--audits": NUMBERS,
    "--seed": NUMBERS, "--years": ["1", "0.5", "0", "21", "nan", "inf"],
    "--template-version": NUMBERS, "AUDIT": NUMBERS, "NUMBER": NUMBERS,
    "--template": ["pathway-plan-quality", "small-test", "nope", ""],
    "--auditor": ["Alex", "", "x" * 121], "NAME": ["Sam", "", "x" * 121, "a\x00b"],
    "--team": ["North", ""], "--role": ["auditor", "practice lead", "king"],
    "--reason": ["mistake", "", "x" * 100_001], "--prefer": ["local", "remote", "middle"],
    "--choose": ["1=local", "2=remote", "x=y"],
}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A command line: mostly one a user could type, with good, odd or hostile values; now
    and then a soup of words."""
    if draw(st.integers(0, 9)) < 3:
        return [*draw(st.sampled_from(COMMANDS)), *draw(st.lists(argv_token, max_size=5))]
    name = draw(st.sampled_from(sorted(OPTIONS)))
    argv = name.split()
    for option in draw(st.lists(st.sampled_from(OPTIONS[name] or ["--help"]), max_size=4,
                                unique=True)):
        value = draw(st.sampled_from(VALUES.get(option, [""])))
        argv += [option] if option in FLAGS else [value] if option.isupper() \
            else [option, value]
    if draw(st.booleans()):
        argv = ["--passphrase-file", draw(st.sampled_from(["pass.txt", "nul.txt", "notes.txt",
                                                           "nope"])), *argv]
    return argv


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


@settings(suppress_health_check=SLOW_FIXTURES)
@given(command_lines())
def test_random_command_lines_end_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str],
                                          argv: list[str]) -> None:
    """One database through thousands of command lines: each ends in its result or one clear
    line (status 2), never a traceback or an internal error; a refused command leaves the
    database file as it was, and one that worked leaves it sound."""
    FIGURES["inputs tried: command line"] += 1
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUDITAPP_DATA_DIR", str(tmp_path))
    for name in ("AUDITAPP_PASSPHRASE", "AUDITAPP_NEW_PASSPHRASE", "AUDITAPP_BUNDLE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    # Given back as they were before every command line: a command that wrote over one (an
    # export's --out) would otherwise turn, say, the empty file into a bundle whose first
    # line is a passphrase, and the database's passphrase would no longer be pass.txt's.
    for name, content in FILES.items():
        given = tmp_path / name
        if given.is_dir() or not given.exists() or given.read_bytes() != content:
            if given.is_dir():
                shutil.rmtree(given)
            given.write_bytes(content)
    path = tmp_path / "fuzz.sqlite"
    before = _fingerprint(path)
    status = main_cli(["--db", str(path), *argv])
    captured = capsys.readouterr()
    assert status in (0, 1, 2), (argv, status, captured.err)
    FIGURES[f"command lines ending with status {status}"] += 1
    assert "Traceback" not in captured.err
    # The first command of a run finds no database and makes one, as any first command does,
    # even when it then refuses its arguments: that new database must be sound.
    after = _fingerprint(path)
    if status == 2 and before and argv[:1] != ["restore"]:
        assert after == before, (argv, captured.err)
    if after not in (before, "") and (status == 0 or not before):
        key = ["--passphrase-file", "pass.txt"] if is_encrypted(path) else []
        assert main_cli(["--db", str(path), *key, "check"]) == 0, capsys.readouterr()
