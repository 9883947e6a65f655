"""Time the Excel export and the board pack on demo data, against a bare openpyxl baseline.

    python3 dev.py bench bench_exports.py                   # 2,000 audits
    .venv/bin/python benchmarks/bench_exports.py --audits 10000

The demo database is built once per size and kept in benchmarks/.cache, so later runs
start at once. Each measurement runs in its own
process, so that its peak memory is its own. The baseline writes exactly the rows of the
Audits, Answers and Actions sheets with a bare write-only openpyxl loop (the rows are read
from the database first and are not timed); the ratio Excel export / baseline is the cost
of everything else: reading SQL, the summary sheet and charts, styles and widths.

openpyxl writes through lxml when it is installed (a dependency of auditapp for that
reason); ``baseline-etree`` is the same bare loop with lxml switched off
(``OPENPYXL_LXML=False``), to show what lxml buys. The baseline and the export alternate for
``--rounds`` rounds (medians), so that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import DEMO_END, demo_database, machine, peak_memory_mb
from openpyxl import LXML, Workbook

from auditapp.exporters.board_pdf import export_board_pack
from auditapp.exporters.xlsx import export_workbook
from auditapp.services.reporting import workbook_rows
from auditapp.services.reporting.board_figures import default_period
from auditapp.services.reporting.figures import ReportScope, months_before, templates_used
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database

PHASES = ("baseline", "excel", "baseline-etree", "board", "board-year")
ROUNDS = ("baseline", "excel")  # timed --rounds times, alternating


def _baseline(db: Database, out: Path) -> float:
    """Write the three data sheets' rows with a bare write-only loop; returns seconds."""
    scope = ReportScope()
    sheets = [
        (workbook_rows.AUDIT_HEADERS, list(workbook_rows.audit_rows(db, scope))),
        (workbook_rows.ANSWER_HEADERS,
         list(workbook_rows.answer_rows(db, scope, templates_used(db, scope)))),
        (workbook_rows.ACTION_HEADERS, list(workbook_rows.action_rows(db, scope, DEMO_END))),
    ]
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    for headers, rows in sheets:
        sheet = workbook.create_sheet()
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    workbook.save(out)
    return time.perf_counter() - started


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def run_phase(phase: str, db_path: Path, out_dir: Path) -> dict[str, float | None]:
    """One measurement in this process: seconds and peak memory."""
    db = open_database(db_path, backup=False)
    if phase.startswith("baseline"):
        seconds = _baseline(db, out_dir / "baseline.xlsx")
    elif phase == "excel":
        seconds = _timed(lambda: list(export_workbook(db, out_dir / "findings.xlsx",
                                                      ReportScope(), today=DEMO_END)))
    else:
        scope = (default_period(DEMO_END, None, DEMO_END) if phase == "board"
                 else ReportScope(months_before(DEMO_END, 12), DEMO_END))
        seconds = _timed(lambda: list(export_board_pack(db, out_dir / "board.pdf", scope,
                                                        today=DEMO_END)))
    db.dispose()
    return {"seconds": seconds, "peak_mb": peak_memory_mb(), "lxml": LXML}


def _in_child(phase: str, db_path: Path, out_dir: Path) -> dict[str, float | None]:
    env = dict(os.environ, OPENPYXL_LXML="False" if phase == "baseline-etree" else "True")
    result = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--db", str(db_path), "--out-dir",
         str(out_dir)], capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _rows(db_path: Path) -> workbook_rows.RowCounts:
    db = open_database(db_path, backup=False)
    counts = workbook_rows.row_counts(db, ReportScope())
    db.dispose()
    return counts


def main() -> None:
    """Build or reuse the demo database, then time each phase in its own process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--demo-only", action="store_true",
                        help="time `auditapp demo` only, not the exports")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.db, args.out_dir)))
        return
    if args.demo_only:
        print(f"bench_exports: {machine()}")
        _demo(args.audits, args.rounds)
        return
    db_path = demo_database(args.audits)
    counts = _rows(db_path)
    print(f"bench_exports: {machine()}")
    print(f"{args.audits} demo audits: {counts.audits} counted, {counts.answers:,} answers, "
          f"{counts.actions:,} actions")
    with tempfile.TemporaryDirectory() as out:
        runs = [{phase: _in_child(phase, db_path, Path(out)) for phase in ROUNDS}
                for _ in range(args.rounds)]
        results = {phase: _in_child(phase, db_path, Path(out)) for phase in PHASES
                   if phase not in ROUNDS}
    for phase in ROUNDS:
        results[phase] = {
            "seconds": statistics.median(run[phase]["seconds"] for run in runs),  # type: ignore[misc]
            "peak_mb": max(run[phase]["peak_mb"] for run in runs),  # type: ignore[type-var]
            "lxml": runs[0][phase]["lxml"]}
    for phase in PHASES:
        result = results[phase]
        peak = f"{result['peak_mb']:.0f} MB"
        print(f"{phase:<14} {result['seconds']:7.2f} s   peak {peak}   lxml {result['lxml']}")
    excel, bare = results["excel"]["seconds"], results["baseline"]["seconds"]
    ratio = excel / bare  # type: ignore[operator]
    etree = results["baseline-etree"]["seconds"] / bare  # type: ignore[operator]
    print(f"Excel export / bare openpyxl baseline (both with lxml): {ratio:.2f}x "
          f"(median of {args.rounds} alternating rounds; target 1.15x: "
          f"{'met' if ratio <= 1.15 else 'not met'})")
    print(f"bare loop without lxml / with lxml: {etree:.2f}x")
    cells = counts.audits * len(workbook_rows.AUDIT_HEADERS) \
        + counts.answers * len(workbook_rows.ANSWER_HEADERS) \
        + counts.actions * len(workbook_rows.ACTION_HEADERS)
    verdict = "met" if excel < 5 else (  # type: ignore[operator]
        f"not met: the bare loop alone takes {bare:.1f} s for the same {cells:,} cells, "
        f"{cells / bare:,.0f} cells a second on this machine")  # type: ignore[operator]
    print(f"Excel export of {args.audits:,} demo audits: {excel:.2f} s (target under 5 s: "
          f"{verdict})")
    _demo(args.audits, args.rounds)


DEMO = [sys.executable, "-m", "auditapp", "--db"]


def _demo(audits: int, rounds: int) -> None:
    """``auditapp demo --audits N`` into a new database, against the same command's fixed
    part (``auditapp stats`` on a new database: create it, install the shipped templates,
    make the command line's profile), alternating, medians; wall time, and the CPU time
    (user + system) of the process, which a busy machine stretches less."""
    times: dict[str, list[tuple[float, float]]] = {"new database (fixed part)": [], "demo": []}
    with tempfile.TemporaryDirectory() as folder:
        for number in range(rounds):
            for name, command in (("new database (fixed part)", ["stats"]),
                                  ("demo", ["demo", "--audits", str(audits)])):
                path = Path(folder) / f"{name[:4]}-{number}.sqlite"
                cpu = _children_cpu()
                started = time.perf_counter()
                subprocess.run([*DEMO, str(path), *command], check=True, capture_output=True)
                times[name].append((time.perf_counter() - started, _children_cpu() - cpu))
    (fixed, fixed_cpu), (demo, demo_cpu) = (
        (statistics.median(t[0] for t in times[name]), statistics.median(t[1] for t in times[name]))
        for name in times)
    print(f"auditapp demo --audits {audits:,}: {demo:.2f} s ({demo_cpu:.2f} s CPU), of which a "
          f"new database's fixed part {fixed:.2f} s ({fixed_cpu:.2f} s CPU) (medians of "
          f"{rounds}; target under 3 s: {'met' if demo < 3 else 'not met'}; load "
          f"{os.getloadavg()[0]:.1f})")


def _children_cpu() -> float:
    """User and system seconds of the finished child processes so far."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


if __name__ == "__main__":
    main()
