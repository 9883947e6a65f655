"""Set-up and day-to-day commands for a source checkout, on any platform.

    python3 dev.py app [ARGS...]   start auditapp (creates .venv and installs on first use)
    python3 dev.py test [ARGS...]  lint with ruff, check types with mypy, then run every test
    python3 dev.py bench [SCRIPT]  run the benchmarks (all, or one script)
    python3 dev.py package         build the one-folder program in dist/auditapp/ (PyInstaller)
    python3 dev.py smoke [ARGS...] smoke-test dist/auditapp/ with this Python, which the
                                   program under test never sees (packaging/smoke_test.py)

The virtual environment is rebuilt only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-from"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create .venv and install auditapp with its test and build tools, unless already up
    to date."""
    if STAMP.exists() and STAMP.read_text() == _fingerprint() and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing auditapp and its dependencies ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "--editable", f"{ROOT}[test,build]"], check=True)
    STAMP.write_text(_fingerprint())


def _run(*command: str) -> int:
    return subprocess.run(command, cwd=ROOT).returncode


def package() -> int:
    """Build dist/auditapp/ from packaging/auditapp.spec and say how big it is."""
    dist = ROOT / "dist" / "auditapp"
    code = _run(str(PYTHON), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                "--distpath", str(dist.parent), "--workpath", str(ROOT / "build" / "pyinstaller"),
                str(ROOT / "packaging" / "auditapp.spec"))
    if code == 0:
        size = sum(p.stat().st_size for p in dist.rglob("*")
                   if p.is_file() and not p.is_symlink())  # links to libraries counted once
        print(f"Built {dist}: {size / 2**20:.0f} MiB")
    return code


def main() -> int:
    """Dispatch ``app``, ``test``, ``bench``, ``package`` or ``smoke``."""
    if len(sys.argv) < 2 or sys.argv[1] not in {"app", "test", "bench", "package", "smoke"}:
        print(__doc__)
        return 2
    task, rest = sys.argv[1], sys.argv[2:]
    if task == "smoke":  # the system's Python, not the environment's: nothing to install
        return _run(sys.executable, str(ROOT / "packaging" / "smoke_test.py"),
                    str(ROOT / "dist" / "auditapp"), *rest)
    ensure_venv()
    if task == "package":
        return package()
    if task == "app":
        return _run(str(PYTHON), "-m", "auditapp", *rest)
    if task == "test":
        return (_run(str(PYTHON), "-m", "ruff", "check", ".")
                or _run(str(PYTHON), "-m", "mypy")
                or _run(str(PYTHON), "-m", "pytest", *rest))
    scripts = [ROOT / "benchmarks" / name for name in rest] or sorted(
        (ROOT / "benchmarks").glob("bench_*.py"))
    return max((_run(str(PYTHON), str(script)) for script in scripts), default=0)


if __name__ == "__main__":
    sys.exit(main())
