"""The figures a practice lead asks for: `stats` and the dashboard's queries, for a year and
for five years of audits.

    .venv/bin/python benchmarks/bench_queries.py [--audits 10000]

Baseline: a bare SQL count of the same period's audits, run in the same process, so the
ratio shows what the grade logic and the grouping add to merely finding the audits.
"""

from __future__ import annotations

import argparse
import sqlite3

from common import DEMO_END, demo_database, machine, peak_memory_mb, summary, timed

from auditapp.services.actions import list_tracked_actions
from auditapp.services.moderation import agreement_figures
from auditapp.services.reporting.figures import ReportScope, months_before, period_figures
from auditapp.services.reporting.stats import grade_counts
from auditapp.storage.database import open_database


def main() -> None:
    """Time each query for one and for five years, against a bare count."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--audits", type=int, default=10000)
    args = parser.parse_args()
    print(f"bench_queries: {machine()}")
    path = demo_database(args.audits, years=5.0)
    db = open_database(path, backup=False)
    bare = sqlite3.connect(path)
    for years in (1, 5):
        scope = ReportScope(months_before(DEMO_END, 12 * years), DEMO_END)
        start, end = scope.date_from, scope.date_to
        count = bare.execute(
            "SELECT count(*) FROM audits WHERE status != 'draft' AND audit_date BETWEEN ? AND ?",
            (start.isoformat(), end.isoformat())).fetchone()[0]
        baseline = timed(lambda s=start, e=end: bare.execute(
            "SELECT count(*) FROM audits WHERE status != 'draft' AND audit_date BETWEEN ? AND ?",
            (s.isoformat(), e.isoformat())).fetchone(), 5)
        print(f"\n{years} year{'s' if years > 1 else ''} ({count} audits counted)")
        print(f"  bare SQL count (baseline)            {summary(baseline)}")
        base = sorted(baseline)[len(baseline) // 2]
        for label, work in (
            ("stats (grade counts)", lambda sc=scope: grade_counts(db, sc.date_from,
                                                                    sc.date_to)),
            ("dashboard: every period figure", lambda sc=scope: period_figures(db, sc,
                                                                               DEMO_END)),
            ("dashboard: moderation agreement", lambda sc=scope: agreement_figures(
                db, sc.date_from, sc.date_to)),
        ):
            times = timed(work, 5)
            median = sorted(times)[len(times) // 2]
            print(f"  {label:<36} {summary(times)}  x{median / base:6.1f} baseline")
    print(f"\nactions tracker, every action: {summary(timed(lambda: list_tracked_actions(db), 3))}")
    print(f"peak memory of this process: {peak_memory_mb():.0f} MB")
    db.dispose()
    bare.close()


if __name__ == "__main__":
    main()
