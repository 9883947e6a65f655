"""Shared helpers for the benchmark scripts: demo databases, timing and memory."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
#: A fixed end date keeps every benchmark database identical from run to run.
DEMO_END = date(2026, 10, 31)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def demo_database(audits: int, years: float | None = None) -> Path:
    """A demo database with ``audits`` audits, built once and kept in benchmarks/.cache."""
    from auditapp.models import Role
    from auditapp.services.demo import generate_demo
    from auditapp.services.users import save_user
    from auditapp.storage.database import open_database

    years = years if years is not None else (5.0 if audits >= 5000 else 2.0)
    path = CACHE / f"demo-{audits}-{years:g}y.sqlite"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    db = open_database(partial, backup=False)
    lead = save_user(db, "Benchmark Lead", Role.PRACTICE_LEAD, None)
    for _ in generate_demo(db, audits, lead, seed=1, years=years, end=DEMO_END):
        pass
    db.dispose()
    print(f"  (built {path.name} in {time.perf_counter() - started:.1f} s)")
    partial.rename(path)
    return path


def timed(work: Callable[[], object], repeat: int = 1) -> list[float]:
    """Wall-clock milliseconds of each of ``repeat`` runs of ``work``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> str:
    """Median and worst of a list of milliseconds."""
    if len(times) == 1:
        return f"{times[0]:8.1f} ms"
    return f"{statistics.median(times):8.1f} ms median, {max(times):7.1f} ms worst"


def peak_memory_mb() -> float:
    """This process's peak resident memory in MB (where the platform reports it)."""
    try:
        import resource
    except ImportError:  # Windows: no resource module
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def machine() -> str:
    """A one-line description of the machine the figures came from."""
    import os
    import platform

    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}")
