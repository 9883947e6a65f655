"""Reading files auditapp did not write: a 100,000-row case sample and hostile inputs.

Each figure is measured in a fresh child process, so each peak memory is that work's alone.

- A valid case sample of 100,000 rows (the header and 99,999 cases: the most a sample may
  hold), as .csv and as .xlsx: every row read and checked (``read_case_sample``; the sample
  is then refused as more cases than one import may add, after every row was checked), in
  rows per second and peak memory, against reading the same file with no checks at all
  (:mod:`csv`; openpyxl's read-only mode) as the baseline.
- The import of the largest sample one import takes (500 cases, a draft audit each).
- Inputs of under 1 MB built to exhaust memory or time, through the real command line: the
  time and peak memory of each, against ``auditapp --version``.

    .venv/bin/python benchmarks/bench_inputs.py
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
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

LAUGHS = "".join(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join(
    [f"*{chr(96 + i)}"] * 9 if i else ["x"] * 9) + "]\n" for i in range(9))
HOSTILE = {
    "billion laughs (YAML, 371 bytes)": ("laughs.yaml", LAUGHS.encode(),
                                         ["templates", "validate"]),
    "50,000 nested [ (YAML)": ("deep.yaml", b"id: " + b"[" * 50_000, ["templates", "validate"]),
    "one row of 500,000 cells (CSV, 500 KB)": (
        "wide.csv", b"reference,category\n" + b"," * 500_000, ["cases", "import"]),
    "a cell of 900,000 characters (CSV)": ("cell.csv", b"reference,category\n"
                                           + b"x" * 900_000, ["cases", "import"]),
    "100,000 bad rows (CSV, 800 KB)": ("bad.csv", b"reference,category\n"
                                       + b"a b,x\n" * 100_000, ["cases", "import"]),
}


def _hostile(name: str, content: bytes, command: list[str], folder: Path) -> tuple[float, float,
                                                                                   int]:
    path = folder / name
    path.write_bytes(content)
    args = [*command, str(path)] if command else ["--version"]
    script = ("import resource, subprocess, sys, time; s = time.perf_counter(); "
              "r = subprocess.run(sys.argv[1:], capture_output=True); "
              "print(time.perf_counter() - s, resource.getrusage(resource.RUSAGE_CHILDREN)"
              ".ru_maxrss / 1024, r.returncode)")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", script, sys.executable, "-m", "auditapp",
                          "--db", str(folder / "bench.sqlite"), *args], capture_output=True,
                         text=True, check=True, cwd=ROOT, env=env).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return
    print(f"bench_inputs: {machine()}")
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
    print("\nhostile inputs under 1 MB, through the command line (limit: 10 s, 300 MB)")
    with tempfile.TemporaryDirectory() as folder:
        base_s, base_mb, _ = _hostile("none", b"", [], Path(folder))
        print(f"  {'baseline: auditapp --version':42} {base_s:5.2f} s, peak {base_mb:4.0f} MB")
        for label, (name, content, command) in HOSTILE.items():
            seconds, peak, status = _hostile(name, content, command, Path(folder))
            print(f"  {label:42} {seconds:5.2f} s, peak {peak:4.0f} MB, exit status {status}")


if __name__ == "__main__":
    main()
