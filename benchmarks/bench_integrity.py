"""What `auditapp check` costs now that it proves the data against the history.

    .venv/bin/python benchmarks/bench_integrity.py [--audits 10000]

Baseline: SQLite's own `PRAGMA integrity_check` of the same file, run in the same process,
which every `check` has always done; the ratios show what the chain and the sealed content
add to it.
"""

from __future__ import annotations

import argparse
import sqlite3

from common import demo_database, machine, peak_memory_mb, summary, timed

from auditapp.services.history import check_history
from auditapp.services.integrity import check_content
from auditapp.services.maintenance import check_database
from auditapp.storage.database import open_database


def main() -> None:
    """Time each part of `check` against SQLite's integrity check."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--audits", type=int, default=10000)
    args = parser.parse_args()
    print(f"bench_integrity: {machine()}")
    path = demo_database(args.audits)
    db = open_database(path, backup=False)
    bare = sqlite3.connect(path)
    baseline = timed(lambda: bare.execute("PRAGMA integrity_check").fetchall(), 3)
    base = sorted(baseline)[len(baseline) // 2]
    print(f"\n{args.audits} audits")
    print(f"  PRAGMA integrity_check (baseline)     {summary(baseline)}")
    for label, work in (
        ("the history chain (check_history)", lambda: check_history(db)),
        ("the data against its seals", lambda: check_content(db)),
        ("the whole of `check`", lambda: check_database(db)),
    ):
        times = timed(work, 3)
        median = sorted(times)[len(times) // 2]
        print(f"  {label:<37} {summary(times)}  x{median / base:6.1f} baseline")
    print(f"peak memory of this process: {peak_memory_mb():.0f} MB")
    db.dispose()
    bare.close()


if __name__ == "__main__":
    main()
