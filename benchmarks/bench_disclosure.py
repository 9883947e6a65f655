"""Disclosure control on board packs: how long protection takes against building the pack's
figures unprotected, and how much it withholds.

    .venv/bin/python benchmarks/bench_disclosure.py [--audits 300,2000] [--thresholds 5,3]

The demo databases are the other benchmarks' (two years of audits, fixed seed and end date,
built once into benchmarks/.cache); the pack is the default board period, the six months to
the end date (about 60 audits of the 300-audit database, 443 of the 2,000-audit one), or from
``--from``: ``--audits 2080 --from 2026-05-05`` is the 465-audit pack the README's figures of
information lost come from. For each size and threshold it prints, from the same run:

- *figures*: reading every figure of the pack (SQL) and building its disclosure model, the
  unprotected pack (the baseline);
- *protect*: choosing what to withhold (:meth:`DisclosureModel.protect`), and its ratio to
  the baseline;
- what is withheld: small counts (``<N``), further counts (``c``) and figures left out (a
  dash), out of every figure the pack prints as a count, and the line-of-enquiry and section
  cells of N or more among them.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from common import DEMO_END, demo_database, machine

from auditapp.rules.suppression import Protection
from auditapp.services.reporting.board_figures import (
    board_figures,
    default_period,
    disclosure_model,
)
from auditapp.storage.database import open_database


def _withheld(protection: Protection, printed: list[object]) -> str:
    threshold = protection.threshold
    primary = len(protection.primary)
    secondary = len(protection.secondary)
    folded = len(protection.folded)
    withheld = primary + secondary + folded
    large = [k for k in protection.secondary | protection.folded
             if isinstance(k, tuple) and k[0] in ("kloe", "section")
             and protection.values[k] >= threshold]
    lost = sum(protection.values[k] for k in protection.secondary | protection.folded)
    share = 100 * withheld / len(printed)
    return (f"further withheld counts sum to {lost:,}; withheld {withheld} of {len(printed)} "
            f"printed ({share:.1f}%): {primary} <{threshold}, {secondary} c, {folded} dash; "
            f"section/line-of-enquiry cells of {threshold} or more withheld: {len(large)}"
            + (f" (largest {max(protection.values[k] for k in large)})" if large else ""))


def run(audits: int, thresholds: list[int], start: date | None) -> None:
    db = open_database(demo_database(audits), backup=False)
    scope = default_period(DEMO_END, start, DEMO_END)
    for threshold in thresholds:
        started = time.perf_counter()
        figures = board_figures(db, scope, threshold, DEMO_END)
        model = disclosure_model(figures)
        baseline = time.perf_counter() - started
        printed = [k for k in model.values if model.shown(k)]
        started = time.perf_counter()
        protection = model.protect()
        protect = time.perf_counter() - started
        print(f"{audits:>6} audits in the database, {figures.current.overall.total} in the "
              f"pack, N = {threshold}: figures {baseline:6.2f} s, protect {protect:6.2f} s "
              f"({protect / baseline:5.1f}x); {_withheld(protection, printed)}", flush=True)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", default="300,2000")
    parser.add_argument("--thresholds", default="5,3")
    parser.add_argument("--from", dest="start", type=date.fromisoformat, default=None,
                        help="the first day of the pack's period (default: six months)")
    args = parser.parse_args()
    print(machine())
    for audits in (int(a) for a in args.audits.split(",")):
        run(audits, [int(t) for t in args.thresholds.split(",")], args.start)


if __name__ == "__main__":
    main()
