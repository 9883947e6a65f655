"""The layout is the architecture: each folder of ``auditapp`` is one kind of thing, imports
run one way between them, and there are no import cycles.

    app, __main__            start-up
    ui, cli                  people's ways in
    exporters                rendering only
    services                 use cases
    rules, checklists, storage, migrations
    inputs                   files auditapp did not write, read within limits
    models, errors

A module may import its own folder and any folder below its own; nothing imports upwards.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tests.builders import SUBPROCESS_LIMIT

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "auditapp"

_BASE = {"errors", "models"}
_LOW = _BASE | {"rules", "checklists", "storage", "migrations", "inputs"}
#: For each folder (or root module) of the package, the folders it may import from.
MAY_IMPORT: dict[str, set[str]] = {
    "errors": set(),
    "models": set(),
    "rules": {"errors", "models"},
    "inputs": {"errors", "rules"},
    "checklists": {"errors", "rules", "inputs"},
    "migrations": {"models"},
    "storage": {"errors", "models", "migrations"},
    "services": _LOW - {"migrations"},
    "exporters": _LOW - {"migrations"} | {"services"},
    "cli": _LOW - {"migrations"} | {"services", "exporters"},
    "ui": _LOW - {"migrations"} | {"services", "exporters"},
    "app": {"cli", "ui"},
    "__main__": {"app"},
}
#: The one cycle allowed: two ORM classes that refer to each other.
ALLOWED_CYCLES = [{"auditapp.models.audit", "auditapp.models.case"}]
#: What a pure rule may not touch: the database, files, the clock's I/O cousins, Qt.
IMPURE = ("sqlalchemy", "sqlcipher3", "psycopg", "os", "io", "pathlib", "shutil", "sqlite3",
          "PySide6", "openpyxl", "reportlab", "yaml")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> Iterator[str]:
    """Every module named by an import in ``path`` (at any depth, in functions too)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield full if full in _modules() else node.module


@cache
def _graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(i for i in _imports(path) if i.startswith("auditapp"))
            for name, path in _modules().items()}


def _folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_domain_and_cli_import_no_qt() -> None:
    """Run in a fresh interpreter so pytest-qt's own imports do not count."""
    code = (
        "import sys, pkgutil, importlib, auditapp\n"
        "for m in pkgutil.walk_packages(auditapp.__path__, 'auditapp.'):\n"
        "    if not m.name.startswith(('auditapp.ui', 'auditapp.migrations.env', "
        "'auditapp.__main__')):\n"
        "        importlib.import_module(m.name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "assert not qt, qt\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_folder_has_a_place_in_the_layers() -> None:
    folders = {_folder(m) for m in _modules()} - {""}
    assert folders <= set(MAY_IMPORT), folders - set(MAY_IMPORT)


def test_imports_run_one_way() -> None:
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        for target in targets
        if _folder(target) not in {"", _folder(module)}
        and _folder(target) not in MAY_IMPORT[_folder(module)]
    )
    assert not wrong, "imports that run upwards or sideways:\n" + "\n".join(wrong)


def _cycles(graph: dict[str, frozenset[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}),
             "d": frozenset({"a"})}
    assert _cycles(graph) == [{"a", "b", "c"}]


def test_no_import_cycles() -> None:
    cycles = [c for c in _cycles(_graph()) if c not in ALLOWED_CYCLES]
    assert not cycles, cycles


def test_models_hold_orm_classes_only() -> None:
    for module, targets in _graph().items():
        if _folder(module) == "models":
            assert all(t.startswith("auditapp.models") for t in targets), module


def test_rules_are_pure() -> None:
    for module, path in _modules().items():
        if _folder(module) == "rules":
            impure = [i for i in _imports(path) if i.split(".")[0] in IMPURE]
            assert not impure, (module, impure)


def test_ui_builds_no_sql() -> None:
    for path in (PACKAGE / "ui").rglob("*.py"):
        imports = set(_imports(path))
        assert not [i for i in imports if i.startswith(("sqlalchemy", "sqlite3"))], path


#: Libraries that talk to a network. auditapp imports none: the one connection it makes is
#: to a PostgreSQL server named by --db, through SQLAlchemy and psycopg's own libpq.
NETWORK = ("ssl", "http", "urllib", "ftplib", "smtplib", "imaplib", "poplib", "xmlrpc",
           "asyncio", "webbrowser", "requests", "httpx", "aiohttp", "psycopg",
           "PySide6.QtNetwork", "PySide6.QtWebEngineCore", "PySide6.QtWebSockets")


def _network_imports(path: Path) -> list[str]:
    """The network libraries a module imports (``from PySide6 import QtNetwork`` too)."""
    named: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named.add(node.module)
            named.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(i for i in named if any(i == n or i.startswith(f"{n}.") for n in NETWORK))


def _socket_uses(path: Path) -> Iterator[str]:
    """What a module takes from ``socket``: names imported from it, attributes read."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "socket":
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "socket":
            yield node.attr


def _urls_opened(path: Path) -> Iterator[str]:
    """The source of every argument given to ``openUrl`` (Qt's way to hand a URL to the
    system)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "openUrl":
            yield from (ast.unparse(arg) for arg in node.args)


def test_nothing_opens_a_network_connection() -> None:
    """The README promises that auditapp never opens a network connection unless --db names
    a PostgreSQL server (the built program is watched doing so: packaging/smoke_test.py
    --trace-network). Here: no module imports a network library; ``socket`` gives the
    computer's name for the lock's owner note and nothing else; every URL handed to the
    system is a local file's."""
    for name, path in _modules().items():
        assert not _network_imports(path), (name, _network_imports(path))
        assert set(_socket_uses(path)) <= {"gethostname"}, (name, set(_socket_uses(path)))
        assert all(url.startswith("QUrl.fromLocalFile(") for url in _urls_opened(path)), \
            (name, list(_urls_opened(path)))


def test_the_network_check_sees_what_it_forbids(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("import socket\nimport urllib.request\nfrom PySide6 import QtNetwork\n"
                      "socket.create_connection(('example.org', 80))\n"
                      "QDesktopServices.openUrl(QUrl('https://example.org'))\n")
    assert _network_imports(sneaky) == ["PySide6.QtNetwork", "urllib.request"]
    assert set(_socket_uses(sneaky)) == {"create_connection"}
    assert list(_urls_opened(sneaky)) == ["QUrl('https://example.org')"]


def test_only_start_up_lives_at_the_package_root() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "app.py", "errors.py"]


def test_readme_layout_names_every_folder() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    named = set(re.findall(r"^\s*(auditapp/[\w/]+/)", block, re.MULTILINE))
    folders = {f"{p.parent.relative_to(ROOT).as_posix()}/" for p in PACKAGE.rglob("__init__.py")
               if p.parent not in (PACKAGE, PACKAGE / "migrations" / "versions")}
    assert named == folders, (sorted(folders - named), sorted(named - folders))


def test_tests_mirror_the_package() -> None:
    """Each test module sits in the folder of the package part it tests; only checks of the
    whole project (this one, of the repository, and of its build) stand at the top."""
    tests = ROOT / "tests"
    whole = {"test_architecture.py", "test_repository.py", "test_packaging.py"}
    misplaced = [p.relative_to(tests).as_posix() for p in tests.rglob("test_*.py")
                 if p.parent != tests and p.relative_to(tests).parts[0] not in MAY_IMPORT
                 or p.parent == tests and p.name not in whole]
    assert not misplaced, misplaced


def test_the_models_package_loads_its_names_once_on_first_use() -> None:
    """The enums load no SQLAlchemy (the first screen and the light commands use them
    before it has loaded); the first mapped class loads them all, and every name is then
    the package's own attribute, so later uses do not go through the loader again."""
    code = ("import json, sys\n"
            "import auditapp.models as models\n"
            "from auditapp.models import Role\n"
            "before = 'sqlalchemy' in sys.modules\n"
            "from auditapp.models import Audit\n"
            "names = [n for n in models.__all__ if n not in vars(models)]\n"
            "print(json.dumps([before, names, Audit.__tablename__, Role.AUDITOR.value]))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=SUBPROCESS_LIMIT, check=True)
    assert json.loads(result.stdout) == [False, [], "audits", "auditor"]
