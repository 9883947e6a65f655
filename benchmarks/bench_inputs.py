"""Reading files auditapp did not write: a 100,000-row case sample and hostile inputs.

Each figure is measured in a fresh child process, so each peak memory is that work's alone.

- A valid case sample of 100,000 rows (the header and 99,999 cases: the most a sample may
  hold), as .csv and as .xlsx: every row read and checked (``read_case_sample``; the sample
  is then refused as more cases than one import may add, after every row was checked), in
  rows per second and peak memory, against reading the same file with no checks at all
  (:mod:`csv`; openpyxl's read-only mode) as the baseline.
- The import of the largest sample one import takes (500 cases, a draft audit each).
- Inputs of under 1 MB built to exhaust memory or time (YAML bombs and nesting, zip bombs
  and a million-cell row in workbooks, a bundle holding a 900 MB part, a bundle header asking
  for gigabytes of scrypt, a huge passphrase file, hostile CSV), through the real command
  line: the wall time, CPU time and peak memory of each, against ``auditapp --version`` and
  ``templates list`` in the same run, and whether the bound (10 s, 300 MB) was met. The
  load average is printed at the start and the end: on a busy machine the wall times grow.

    .venv/bin/python benchmarks/bench_inputs.py [--hostile-only]
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from common import CACHE, ROOT, machine, peak_memory_mb

ROWS = 99_999  # with the header: SAMPLE_ROWS
HEADER = ["reference", "category", "uasc", "age", "team", "worker", "audit date", "auditor"]
CATEGORIES = ["eligible", "relevant", "former relevant", "qualifying"]


def _row(i: int) -> list[object]:
    return [f"BENCH-{i:06d}", CATEGORIES[i % 4], "yes" if i % 4 == 0 else "no", 16 + i % 10,
            f"Team {i % 5}", f"Worker {i % 40}", "2026-03-01", f"Auditor {i % 7}"]


def sample(suffix: str, rows: int = ROWS) -> Path:
    """A valid case sample of ``rows`` cases, made once into benchmarks/.cache."""
    path = CACHE / f"sample-{rows}.{suffix}"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if suffix == "csv":
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(_row(i) for i in range(rows))
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Sample")
        sheet.append(HEADER)
        for i in range(rows):
            sheet.append(_row(i))
        book.save(partial)
    partial.rename(path)
    return path


# --- the work each child process does ------------------------------------------------------


def _auditapp_read(path: Path) -> int:
    from auditapp.errors import UserError
    from auditapp.services.cases import read_case_sample

    try:
        return len(read_case_sample(path, date(2026, 3, 1)))
    except UserError as exc:  # more cases than one import adds: said after every row passed
        if "one import may add" not in str(exc):
            raise
        return ROWS


def _bare_read(path: Path) -> int:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
    book.close()
    return count


def _import_500(path: Path) -> int:
    from auditapp.models.enums import Role
    from auditapp.rules.permissions import Actor
    from auditapp.services.cases import import_cases
    from auditapp.services.templates import find_template_id, install_shipped_templates
    from auditapp.storage.database import open_database

    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "bench.sqlite", backup=False)
        install_shipped_templates(db)
        template = find_template_id(db, "pathway-plan-quality")
        lead = Actor("Bench", Role.PRACTICE_LEAD)
        result = import_cases(db, path, template, lead, "Alex", date(2026, 3, 1))
        db.dispose()
    return result.rows


WORK = {"auditapp": _auditapp_read, "bare": _bare_read, "import": _import_500}


def _child(work: str, path: Path) -> None:
    started = time.perf_counter()
    rows = WORK[work](path)
    print(rows, time.perf_counter() - started, peak_memory_mb())


def _measure(work: str, path: Path) -> tuple[int, float, float]:
    out = subprocess.run([sys.executable, __file__, "--child", work, str(path)], check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


# --- hostile inputs through the command line ------------------------------------------------

#: The bound the issue sets for any input of under 1 MB, whatever the command.
LIMIT_S, LIMIT_MB, LIMIT_INPUT = 10.0, 300.0, 1_000_000
LAUGHS = "".join(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join(
    [f"*{chr(96 + i)}"] * 9 if i else ["x"] * 9) + "]\n" for i in range(9))
BUNDLE_MAGIC = b"AUDITAPP-BUNDLE 1\n"


def _zip(members: dict[str, bytes | tuple[bytes, int]]) -> bytes:
    """A deflated zip archive; a member given as (chunk, count) is ``chunk`` repeated
    ``count`` times, streamed in so that a bomb never sits in this process's memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            chunk, count = content
            with archive.open(name, "w", force_zip64=True) as member:
                for _ in range(count):
                    member.write(chunk)
    return buffer.getvalue()


def _workbook(sheet: bytes | tuple[bytes, int], title: str = "Sample") -> bytes:
    """A real workbook (written by openpyxl) with its one sheet's XML replaced by ``sheet``
    (a template workbook's sheet is called "checklist")."""
    from openpyxl import Workbook

    book, buffer = Workbook(), io.BytesIO()
    book.active.title = title
    book.active.append(HEADER)
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts: dict[str, bytes | tuple[bytes, int]] = {
            i.filename: archive.read(i) for i in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet
    return _zip(parts)


def _sheet(row: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + row
            + b"</sheetData></worksheet>")


def _million_cells() -> bytes:
    """One row of a million empty cells, with random white space between them so that it
    deflates some twenty times, not a thousand (under the ratio limit: the reader meets it)."""
    spaces = random.Random(13).choices(b" \t\r\n", k=1_000_000)
    return b"<row>" + b"".join(b"<c/>" + bytes([c]) for c in spaces) + b"</row>"


def _plain_bundle(body: bytes) -> bytes:
    """A bundle whose checksum is right, whatever its zip holds."""
    head = BUNDLE_MAGIC + b'{"encrypted": false}\n'
    return head + body + hashlib.sha256(head + body).digest()


def _scrypt_heavy_bundle() -> bytes:
    """An encrypted bundle's header asking for scrypt n=2^20, r=16, p=4 (2.1 GB and half a
    minute of key derivation, then "wrong passphrase")."""
    header = {"encrypted": True, "cipher": "AES-256-GCM",
              "kdf": {"name": "scrypt", "n": 2**20, "r": 16, "p": 4,
                      "salt": base64.b64encode(bytes(16)).decode()},
              "nonce": base64.b64encode(bytes(12)).decode(), "check": "x"}
    return BUNDLE_MAGIC + json.dumps(header).encode() + b"\n" + os.urandom(4096)


#: label: (file name, its content (made when the benchmark runs), the command line, with
#: FILE for the file's path).
HOSTILE: dict[str, tuple[str, Callable[[], bytes], list[str]]] = {
    "billion laughs (YAML)": ("laughs.yaml", lambda: LAUGHS.encode(),
                              ["templates", "validate", "FILE"]),
    "a recursive alias &a [*a] (YAML)": ("alias.yaml", lambda: b"id: &a [*a]\n",
                                         ["templates", "validate", "FILE"]),
    "50,000 nested [ (YAML)": ("deep.yaml", lambda: b"id: " + b"[" * 50_000,
                               ["templates", "validate", "FILE"]),
    "zip bomb: a 900 MB sheet (case sample .xlsx)": (
        "bomb.xlsx", lambda: _workbook((b" " * 1_000_000, 900)), ["cases", "import", "FILE"]),
    "zip bomb: a 60 MB sheet, 1000x (template .xlsx)": (
        "ratio.xlsx", lambda: _workbook((b" " * 1_000_000, 60), "checklist"),
        ["templates", "validate", "FILE"]),
    "a row of 1,000,000 cells, 23x (template .xlsx)": (
        "cells.xlsx", lambda: _workbook(_sheet(_million_cells()), "checklist"),
        ["templates", "validate", "FILE"]),
    "a row of 1,000,000 cells, 23x (case sample .xlsx)": (
        "cells.xlsx", lambda: _workbook(_sheet(_million_cells())), ["cases", "import", "FILE"]),
    "a bundle holding a 900 MB part": (
        "huge.auditbundle", lambda: _plain_bundle(_zip({"manifest.json": b"{}",
                                                        "audits.json": (b" " * 1_000_000,
                                                                        900)})),
        ["bundle", "import", "--dry-run", "FILE"]),
    "a bundle header asking for scrypt n=2^20, r=16, p=4": (
        "scrypt.auditbundle", _scrypt_heavy_bundle,
        ["bundle", "import", "--bundle-passphrase-file", "PASS", "FILE"]),
    "a passphrase file of 900,000 characters": (
        "passphrase.txt", lambda: b"x" * 900_000, ["--passphrase-file", "FILE", "stats"]),
    "one row of 500,000 cells (CSV)": (
        "wide.csv", lambda: b"reference,category\n" + b"," * 500_000,
        ["cases", "import", "FILE"]),
    "a cell of 900,000 characters (CSV)": (
        "cell.csv", lambda: b"reference,category\n" + b"x" * 900_000,
        ["cases", "import", "FILE"]),
    "99,999 bad rows (CSV, the most a sample holds)": (
        "bad.csv", lambda: b"reference,category\n" + b"a b,x\n" * 99_999,
        ["cases", "import", "FILE"]),
}
#: Run in the wrapper process: the command's wall time, CPU time and peak resident memory
#: (``ru_maxrss`` of its only child) and exit status.
_WRAPPER = ("import resource, subprocess, sys, time; s = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], capture_output=True); "
            "w = time.perf_counter() - s; u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(w, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024, r.returncode); "
            "print((r.stderr.decode(errors='replace').strip().splitlines() or [''])[0])")


@dataclass
class Run:
    """One command's figures."""

    wall_s: float
    cpu_s: float
    peak_mb: float
    status: int
    first_line: str

    def within(self) -> bool:
        return self.wall_s <= LIMIT_S and self.peak_mb <= LIMIT_MB


def _run_cli(args: list[str], folder: Path) -> Run:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "auditapp",
                          "--db", str(folder / "bench.sqlite"), *args], capture_output=True,
                         text=True, check=True, cwd=ROOT, env=env).stdout.splitlines()
    wall, cpu, peak, status = out[0].split()
    return Run(float(wall), float(cpu), float(peak), int(status), out[1])


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) \
        if hasattr(os, "getloadavg") else "load average unknown"


def hostile_inputs(folder: Path) -> None:
    """Each hostile input through the real command line, against ``auditapp --version`` and
    a command that opens the database (``templates list``) in the same run."""
    print(f"\nhostile inputs under 1 MB, through the command line "
          f"(bound: {LIMIT_S:.0f} s and {LIMIT_MB:.0f} MB each); {_load()}")
    (folder / "pass.txt").write_text("correct horse battery\n", encoding="utf-8")
    _run_cli(["templates", "list"], folder)  # the database made, untimed
    version = _run_cli(["--version"], folder)
    opening = _run_cli(["templates", "list"], folder)
    print(f"  {'what':52} {'bytes':>9} {'wall':>7} {'cpu':>7} {'peak':>7}  status  bound met")
    for label, run in (("baseline: auditapp --version", version),
                       ("baseline: templates list (opens the database)", opening)):
        print(f"  {label:52} {'':>9} {run.wall_s:6.2f}s {run.cpu_s:6.2f}s "
              f"{run.peak_mb:5.0f}MB  {run.status:^6}")
    met = 0
    for label, (name, make, command) in HOSTILE.items():
        path = folder / name
        path.write_bytes(make())
        size = path.stat().st_size
        assert size < LIMIT_INPUT, (label, size)
        args = [str(path) if a == "FILE" else str(folder / "pass.txt") if a == "PASS" else a
                for a in command]
        run = _run_cli(args, folder)
        met += run.within()
        print(f"  {label:52} {size:9,} {run.wall_s:6.2f}s {run.cpu_s:6.2f}s "
              f"{run.peak_mb:5.0f}MB  {run.status:^6}  {'yes' if run.within() else 'NO'}"
              f"  ({run.wall_s - version.wall_s:+.2f}s, {run.peak_mb - version.peak_mb:+.0f}MB"
              f" over --version)")
        print(f"  {'':52} {run.first_line[:110]}")
    print(f"  bound met by {met} of {len(HOSTILE)}; {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--hostile-only", action="store_true",
                        help="only the hostile inputs (not the 100,000-row samples)")
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    print(f"bench_inputs: {machine()}; {_load()}")
    if args.hostile_only:
        with tempfile.TemporaryDirectory() as folder:
            hostile_inputs(Path(folder))
        return
    for suffix in ("csv", "xlsx"):
        path = sample(suffix)
        size = path.stat().st_size / 1e6
        print(f"\n100,000-row case sample, .{suffix} ({size:.1f} MB)")
        rows, bare_s, bare_mb = _measure("bare", path)
        print(f"  baseline, read with no checks: {rows / bare_s:10,.0f} rows/s "
              f"({bare_s:5.2f} s), peak {bare_mb:5.0f} MB")
        rows, seconds, peak = _measure("auditapp", path)
        print(f"  auditapp, read and checked:    {rows / seconds:10,.0f} rows/s "
              f"({seconds:5.2f} s, {seconds / bare_s:.1f} x), peak {peak:5.0f} MB")
    rows, seconds, peak = _measure("import", sample("csv", 500))
    print(f"\na new database, its shipped templates, and an import of 500 cases (.csv) with a "
          f"draft audit each: {seconds:.2f} s, "
          f"peak {peak:.0f} MB")
    with tempfile.TemporaryDirectory() as folder:
        hostile_inputs(Path(folder))

if __name__ == "__main__":
    main()
