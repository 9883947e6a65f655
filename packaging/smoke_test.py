"""The smoke test of a built auditapp: ``python3 packaging/smoke_test.py dist/auditapp``.

Run by the *system's* Python (it needs nothing but the standard library), it only starts the
built program, each time with a scrubbed environment as ``env -i`` would leave it: a new
temporary home folder, a PATH with no Python on it (checked), no PYTHON* variables, and on
Windows only the few variables Windows itself needs. So the program under test can lean on
nothing from a Python installation. (On Windows the settings, which Qt keeps in the
registry, are the runner's own: HKCU, Software, auditapp.) The same script runs in CI here
(Linux, ``.ci/run``) and in the Windows workflow (``.github/workflows/windows.yml``), there
on the built folder and again on the installed copy under Program Files.

It runs: ``--version``; ``templates list`` (the shipped templates are in the build); the
default data folder; ``demo``; ``check``; ``stats``; the three exports (each file read back
as what it claims to be); an encrypted bundle exported and imported into a second database
(same figures); the desktop app started offscreen on that database and on the bundle (the
file association's way in), closed by itself once ready (``--smoke-test PROFILE``);
encrypting the first database (``encrypt``, then ``stats`` refused without the passphrase
file and given with it); a connection refused by a PostgreSQL server that is not there (and,
with ``--postgres-url``, ``templates list`` and ``stats`` on a real one); which files the
program wrote in the home folder; and that it wrote nothing in its own folder.

``--trace-network`` (Linux, needs strace) runs every command under ``strace`` and fails if
any opens an internet socket (AF_INET or AF_INET6), except those given a PostgreSQL URL,
which must: so the check is shown to see a connection when there is one.

Any failure stops the test and exits with status 1. The last line says how many checks
passed, in the form CI reads ("smoke: N passed, N failed").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOWS = sys.platform == "win32"
#: How long one command may run: a guard against a hang, not a speed check.
COMMAND_LIMIT_S = 600
PROFILE = "Smoke Test"
PASSPHRASE = "smoke-test passphrase, not a secret"
BUNDLE_PASSPHRASE = "smoke-test bundle passphrase"
DEMO_AUDITS = "300"  # the first-run offer's size, enough for a board pack to withhold cells
#: A PostgreSQL URL that nothing answers: a connection must be tried and refused.
NOBODY_THERE = "postgresql+psycopg://smoke@127.0.0.1:1/none"
#: Names of a Python interpreter that must not be on the PATH the program gets.
PYTHON_NAMES = ("python", "python3", "py", f"python{sys.version_info[0]}.{sys.version_info[1]}")


class SmokeFailure(Exception):
    """A check that did not hold."""


def expected_version() -> str:
    """auditapp's version, as the source says it."""
    text = (ROOT / "auditapp" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise SmokeFailure("no __version__ in auditapp/__init__.py")
    return match.group(1)


def shipped_template_ids() -> list[str]:
    """The ids of the templates in audit_templates/."""
    ids = []
    for path in sorted((ROOT / "audit_templates").glob("*.yaml")):
        match = re.search(r"^id:\s*(\S+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            ids.append(match.group(1).strip("'\""))
    return ids


def scrubbed_environment(home: Path) -> dict[str, str]:
    """The whole environment the program gets: as ``env -i``, plus a home and a PATH."""
    empty_bin = home.parent / "bin"
    empty_bin.mkdir(exist_ok=True)
    if WINDOWS:
        system_root = os.environ.get("SYSTEMROOT", r"C:\Windows")
        local = home / "AppData" / "Local"
        roaming = home / "AppData" / "Roaming"
        temp = home / "AppData" / "Local" / "Temp"
        for folder in (local, roaming, temp):
            folder.mkdir(parents=True, exist_ok=True)
        env = {
            "SYSTEMROOT": system_root, "WINDIR": system_root,
            "PATH": str(Path(system_root) / "System32"),
            "PATHEXT": ".COM;.EXE;.BAT;.CMD",
            "USERPROFILE": str(home), "HOMEDRIVE": home.drive, "HOMEPATH": str(home)[2:],
            "LOCALAPPDATA": str(local), "APPDATA": str(roaming),
            "TEMP": str(temp), "TMP": str(temp),
            # Windows finds %LOCALAPPDATA% through its shell API, not the variable: this is
            # platformdirs' own way to point that known folder into the temporary home.
            "WIN_PD_OVERRIDE_LOCAL_APPDATA": str(local),
            "USERNAME": os.environ.get("USERNAME", "smoke"),
            "COMPUTERNAME": os.environ.get("COMPUTERNAME", "smoke"),
        }
    else:
        env = {"HOME": str(home), "PATH": str(empty_bin)}
    on_path = [name for name in PYTHON_NAMES if shutil.which(name, path=env["PATH"])]
    if on_path:
        raise SmokeFailure(f"the scrubbed PATH ({env['PATH']}) still finds {on_path}")
    return env


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and time of change."""
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in folder.rglob("*")}


def internet_sockets(trace: Path) -> list[str]:
    """The lines of an strace log that open or connect an AF_INET or AF_INET6 socket."""
    text = trace.read_text(encoding="utf-8", errors="replace") if trace.exists() else ""
    return [line for line in text.splitlines() if "AF_INET" in line]


def read_pdf(path: Path) -> int:
    """Check that ``path`` is a whole PDF; returns its number of pages."""
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise SmokeFailure(f"{path.name} is not a whole PDF")
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def read_workbook(path: Path) -> list[str]:
    """Check that ``path`` is an Excel workbook; returns its sheet names."""
    with zipfile.ZipFile(path) as workbook:
        if workbook.testzip() is not None:
            raise SmokeFailure(f"{path.name} has a damaged part")
        xml = workbook.read("xl/workbook.xml").decode("utf-8")
    return re.findall(r'<sheet [^>]*name="([^"]+)"', xml)


class Smoke:
    """Runs the built program and counts the checks."""

    def __init__(self, dist: Path, work: Path, trace_network: bool) -> None:
        self.dist = dist
        self.work = work
        self.home = work / "home"
        self.home.mkdir(parents=True)
        self.env = scrubbed_environment(self.home)
        suffix = ".exe" if WINDOWS else ""
        # Windows has a console program for commands and a windowed one for the desktop.
        self.cli = dist / f"auditapp{'-cli' if WINDOWS else ''}{suffix}"
        self.gui = dist / f"auditapp{suffix}"
        self.trace_network = trace_network
        self.program_files = folder_state(dist)
        self.passed = 0
        self.traces = 0

    def check(self, what: str, holds: bool, detail: str = "") -> None:
        """Count a check, or stop the test with what went wrong."""
        if not holds:
            raise SmokeFailure(f"{what}{': ' + detail if detail else ''}")
        self.passed += 1
        print(f"  ok  {what}", flush=True)

    def run(self, *args: str, expect: int = 0, gui: bool = False,
            extra_env: Mapping[str, str] | None = None,
            connects: bool = False) -> subprocess.CompletedProcess[str]:
        """Run the program with ``args`` and check its exit status (and, when tracing, its
        sockets: none unless ``connects``, which then needs one)."""
        program = self.gui if gui else self.cli
        command = [str(program), *args]
        trace = self.work / f"trace-{self.traces}.log"
        self.traces += 1
        if self.trace_network:
            strace = shutil.which("strace")
            if strace is None:
                raise SmokeFailure("--trace-network needs strace")
            command = [strace, "-f", "-qq", "-e", "trace=socket,connect", "-e",
                       "signal=none", "-o", str(trace), *command]
        shown = " ".join(re.sub(r"postgresql\+psycopg://\S+", "<postgresql-url>", a)
                         if a.startswith("postgresql") else a for a in args)
        started = time.monotonic()
        result = subprocess.run(command, cwd=self.work, env={**self.env, **(extra_env or {})},
                                capture_output=True, text=True, encoding="utf-8",
                                errors="replace", timeout=COMMAND_LIMIT_S)
        took = time.monotonic() - started
        what = f"auditapp {shown} exits {expect} ({took:.1f} s)"
        detail = f"exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        self.check(what, result.returncode == expect, detail)
        self.check(f"auditapp {shown} prints no traceback", "Traceback" not in result.stderr,
                   result.stderr[-4000:])
        if self.trace_network:
            sockets = internet_sockets(trace)
            if connects:
                self.check(f"auditapp {shown} was seen connecting", bool(sockets))
            else:
                self.check(f"auditapp {shown} opens no network socket", not sockets,
                           "\n".join(sockets[:5]))
        return result


def smoke_test(smoke: Smoke, postgres_url: str | None) -> None:
    """Every check, in order (later ones use what earlier ones made)."""
    work = smoke.work
    version = smoke.run("--version").stdout.strip()
    smoke.check("the version is the source's", version == f"auditapp {expected_version()}",
                version)
    check_layout(smoke)

    listed = smoke.run("templates", "list").stdout  # on the default database
    for template in shipped_template_ids():
        smoke.check(f"the shipped template {template} is listed", template in listed, listed)
    default_db = (smoke.home / "AppData" / "Local" / "auditapp" if WINDOWS
                  else smoke.home / ".local" / "share" / "auditapp") / "auditapp.sqlite"
    smoke.check(f"the default database is {default_db.relative_to(smoke.home)} in the home",
                default_db.is_file())

    # Files in the work folder, where the program runs, are named relative to it.
    first, second = work / "first.sqlite", work / "second.sqlite"
    db1, db2 = ("--db", first.name), ("--db", second.name)
    smoke.run(*db1, "demo", "--audits", DEMO_AUDITS, "--seed", "1")
    smoke.run(*db1, "check")
    figures = json.loads(smoke.run(*db1, "stats", "--json").stdout)
    smoke.check("stats counts the demo audits", figures["audits"] > 0, str(figures))
    check_exports(smoke, db1)

    secret = work / "bundle-passphrase.txt"
    secret.write_text(BUNDLE_PASSPHRASE + "\n", encoding="utf-8")
    bundle = work / "all.auditbundle"
    smoke.run(*db1, "bundle", "export", "--out", bundle.name, "--bundle-passphrase-file",
              secret.name)
    smoke.check("the bundle is encrypted (no case reference readable)",
                b"DEMO-" not in bundle.read_bytes())
    smoke.run(*db2, "bundle", "import", bundle.name, "--bundle-passphrase-file", secret.name)
    imported = json.loads(smoke.run(*db2, "stats", "--json").stdout)
    smoke.check("the second database has the same figures", imported == figures,
                f"{imported} != {figures}")

    smoke.run(*db2, "users", "add", PROFILE, "--role", "practice lead")
    smoke.run(*db2, "--smoke-test", PROFILE, bundle.name, gui=True,
              extra_env={"QT_QPA_PLATFORM": "offscreen"})

    check_encryption(smoke, db1, first, figures)
    smoke.run("--db", NOBODY_THERE, "stats", expect=2, connects=True)
    if postgres_url is not None:
        smoke.run("--db", postgres_url, "templates", "list", connects=True)
        smoke.run("--db", postgres_url, "stats", "--json", connects=True)
    check_home(smoke)
    changed = sorted(set(folder_state(smoke.dist).items()) ^ set(smoke.program_files.items()))
    smoke.check("the program wrote nothing in its own folder (Program Files stays as installed)",
                not changed, str(changed[:5]))


def check_layout(smoke: Smoke) -> None:
    """What the spec must have put in the folder besides the code."""
    internal = smoke.dist / "_internal"
    versions = internal / "auditapp" / "migrations" / "versions"
    source = ROOT / "auditapp" / "migrations" / "versions"
    wanted = sorted(p.name for p in source.glob("*.py"))
    smoke.check("every migration is in the build", wanted == sorted(
        p.name for p in versions.glob("*.py")), str(wanted))
    for schema in sorted((ROOT / "docs").glob("*.schema.json")):
        smoke.check(f"docs/{schema.name} is in the build",
                    (internal / "auditapp" / "docs" / schema.name).is_file())
    left_out = [p.name for p in internal.rglob("*")
                if re.search(r"Qt6?(Quick|Qml|VirtualKeyboard|Pdf|Network|WebEngine|3D|"
                             r"Multimedia)", p.name)]
    smoke.check("no unused Qt module is in the build", not left_out, str(left_out))


def check_exports(smoke: Smoke, db: tuple[str, str]) -> None:
    """The three exports, each read back as what it claims to be."""
    work = smoke.work
    smoke.run(*db, "export", "excel", "--out", "findings.xlsx")
    sheets = read_workbook(work / "findings.xlsx")
    smoke.check("the workbook has its sheets", sheets[:2] == ["Summary", "Audits"], str(sheets))
    smoke.run(*db, "export", "board-pdf", "--out", "board.pdf")
    smoke.check("the board pack has pages", read_pdf(work / "board.pdf") >= 3)
    smoke.run(*db, "export", "audit-pdf", "1", "--out", "audit.pdf")
    smoke.check("the feedback PDF has a page", read_pdf(work / "audit.pdf") >= 1)


def check_encryption(smoke: Smoke, db: tuple[str, str], path: Path,
                     figures: dict[str, object]) -> None:
    """Encrypt the database; it then opens only with its passphrase."""
    secret = smoke.work / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    smoke.run(*db, "encrypt", "--new-passphrase-file", secret.name)
    smoke.check("the database file is no longer plain SQLite",
                not path.read_bytes()[:16].startswith(b"SQLite format 3"))
    refused = smoke.run(*db, "stats", "--json", expect=2)
    smoke.check("without its passphrase it says so in one line",
                len(refused.stderr.strip().splitlines()) == 1, refused.stderr)
    opened = smoke.run(*db, "--passphrase-file", secret.name, "stats", "--json")
    smoke.check("with it, the same figures", json.loads(opened.stdout) == figures)
    smoke.run(*db, "--passphrase-file", secret.name, "encrypt", "--confirm")
    smoke.run(*db, "--passphrase-file", secret.name, "check")


def check_home(smoke: Smoke) -> None:
    """The program wrote in the home folder only its data folder and its settings (and, on
    Linux, fontconfig's font cache)."""
    allowed = ((r"AppData\Local\auditapp", r"AppData\Local\Temp") if WINDOWS else
               (".local/share/auditapp", ".config/auditapp", ".cache/fontconfig"))
    written = [p.relative_to(smoke.home) for p in smoke.home.rglob("*") if p.is_file()]
    stray = [str(p) for p in written if not any(str(p).startswith(a) for a in allowed)]
    smoke.check("nothing written in the home but the data folder and the settings",
                not stray, str(stray))


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run every check, say how it went."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dist", type=Path, help="the built folder (dist/auditapp)")
    parser.add_argument("--postgres-url", help="also use a real PostgreSQL database")
    parser.add_argument("--trace-network", action="store_true",
                        help="run every command under strace (Linux) and fail on a socket")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="auditapp-smoke-"))
    smoke = Smoke(args.dist.resolve(), work, args.trace_network)
    started = time.monotonic()
    failed = 0
    try:
        smoke_test(smoke, args.postgres_url)
    except (SmokeFailure, subprocess.TimeoutExpired, OSError, ValueError, KeyError) as exc:
        failed = 1
        print(f"FAIL {exc}", file=sys.stderr, flush=True)
    print(f"Smoke test of {args.dist} took {time.monotonic() - started:.0f} s; work folder "
          f"{work}{'' if args.keep or failed else ' (removed)'}")
    if not (args.keep or failed):
        shutil.rmtree(work, ignore_errors=True)
    print(f"smoke: {smoke.passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
