"""The layering rule: only the UI (and start-up) may import Qt; the domain never does."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "auditapp"


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


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_imports_run_one_way() -> None:
    """models import nothing above them; the domain never imports the UI."""
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).parts
        imports = _imports(path)
        if relative[0] == "models":
            assert not [i for i in imports if i.startswith("auditapp.")
                        and not i.startswith("auditapp.models")], path
        if relative[0] != "ui" and path.name != "app.py":
            assert not [i for i in imports if i.startswith(("auditapp.ui", "PySide6"))], path


def test_ui_builds_no_sql() -> None:
    for path in (PACKAGE / "ui").rglob("*.py"):
        imports = _imports(path)
        assert not [i for i in imports if i.startswith(("sqlalchemy", "sqlite3"))], path
