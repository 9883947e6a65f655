"""Start-up to a usable window, and the light commands, each against a baseline measured in
the same run.

    .venv/bin/python benchmarks/bench_startup.py [--rounds 5] [--sizes 0,10000,50000]

Every figure is the median of ``--rounds`` fresh processes, the runs of each round
interleaved with their baselines so that a busy machine slows both alike; each line prints
the ratio to its baseline. Figures, not pass/fail: no test asserts a time.

* **window**: from process start to a usable main window: shown, with My work (the page
  it opens on) filled for the profile last used and painted, taking input. This is the
  path ``auditapp`` takes every day (:func:`auditapp.ui.shell.start.start_on_first_screen`:
  the first look at the file, the window, then the full open behind it). The time until
  the database is open behind the window, and until every audit is in the All audits list,
  follow in brackets; the start-up backup starts after that. Baseline: a bare PySide6
  window with a table, started the same way.

auditapp's modules are compiled to bytecode first (``compileall``), as an installed copy is
(pip and the packaged app both ship bytecode): with ``PYTHONDONTWRITEBYTECODE`` set, as on
the machine these figures come from, every start would otherwise compile them from source,
a cost the baselines (site-packages only) do not pay.
* **commands**: ``auditapp --db FILE stats --json`` and ``templates list``. Baseline: a bare
  SQLAlchemy script that opens the same file and counts its audits.
* **import**: ``import auditapp.cli.main``, against ``import sqlalchemy``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, demo_database, machine

WINDOW = """
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from auditapp.ui.shell.qt_application import create_application
from auditapp.ui.shell.start import start_on_first_screen
app = create_application()
usable, attached, loaded = [], [], []
class FirstPaint(QObject):  # My work's rows, painted: the window is usable
    def eventFilter(self, watched, event):
        if (not usable and event.type() == QEvent.Type.Paint
                and watched.objectName() == "my work rows"):
            usable.append(time.time() - t0)
        return False
first_paint = FirstPaint()
app.installEventFilter(first_paint)
started = start_on_first_screen(Path(sys.argv[1]), sys.argv[2])
assert started is not None, "the everyday start did not happen"
window, db, actor = started
attached.append(time.time() - t0)
window.audits_loaded.connect(lambda: loaded.append(time.time() - t0))
window.attach(db)
while not (usable and loaded):
    app.processEvents()
print(usable[0], attached[0], loaded[0], window.model.rowCount())
sys.stdout.flush()
os._exit(0)  # not waiting for the start-up backup, which runs on after the window is up
"""

#: Makes a database ready for the everyday start (a file at head, the shipped templates in)
#: and prints the profile the window is opened for: the first practice lead, whose My work
#: holds the moderation queue too (on an empty file, one made for the purpose).
PREPARE = """
import sys
from auditapp.models import Role
from auditapp.services.templates import install_shipped_templates
from auditapp.services.users import list_users, save_user
from auditapp.storage.database import open_database
db = open_database(sys.argv[1])  # makes the day's backup too, once
install_shipped_templates(db)
leads = [a for a in list_users(db) if a.role is Role.PRACTICE_LEAD]
print(leads[0].name if leads else save_user(db, "Bench", Role.PRACTICE_LEAD, None).name)
db.dispose()
"""

BARE_WINDOW = """
import os, time
t0 = float(os.environ["BENCH_T0"])
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication([])
window = QMainWindow(); window.setCentralWidget(QTableView()); window.show()
app.processEvents()
window.repaint()
print(time.time() - t0)
"""

BARE_QUERY = """
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
from sqlalchemy import create_engine, text
engine = create_engine("sqlite:///" + sys.argv[1])
with engine.connect() as connection:
    count = connection.execute(text("SELECT count(*) FROM audits")).scalar()
print(time.time() - t0, count)
"""

COMMAND = """
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
import contextlib, io
from auditapp.cli.main import main_cli
with contextlib.redirect_stdout(io.StringIO()):
    code = main_cli(sys.argv[1:])
assert code == 0, code
print(time.time() - t0)
"""

IMPORT = """
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
import {module}
print(time.time() - t0)
"""


def _run(code: str, *args: str) -> float:
    """Milliseconds from the process's start to the time it prints (the first it prints;
    the rest are kept in ``_EXTRA``)."""
    env = dict(os.environ, BENCH_T0=repr(time.time()), PYTHONPATH=str(ROOT),
               QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    _EXTRA.setdefault(code + " ".join(args), []).append(
        (float(out[1]) * 1000, float(out[2]) * 1000) if code == WINDOW else (0.0, 0.0))
    return float(out[0]) * 1000


_EXTRA: dict[str, list[tuple[float, float]]] = {}


def _rounds(rounds: int, runs: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, float]:
    """The median of each run over ``rounds`` rounds, the runs interleaved in each round."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (code, args) in runs.items():
            times[name].append(_run(code, *args))
    return {name: statistics.median(found) for name, found in times.items()}


def _medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs))


def _report(title: str, medians: dict[str, float], baseline: str,
            later: dict[str, tuple[float, float]] | None = None) -> None:
    print(f"\n{title}")
    base = medians[baseline]
    for name, value in medians.items():
        ratio = "baseline" if name == baseline else f"{value / base:4.2f}x baseline"
        after = (f"  (database open: {later[name][0]:5.0f} ms; every audit listed: "
                 f"{later[name][1]:6.0f} ms)" if later and name in later else "")
        print(f"  {name:<44} {value:7.0f} ms  {ratio}{after}")


def _load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # Windows
        return "load average: not reported here"
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min)"


def main() -> None:
    """Copy each demo database to a scratch folder (start-up backups land there), then time."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="0,10000,50000",
                        help="demo databases to start on, by number of audits")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"bench_startup: {machine()}; {_load()} at the start")
    compileall.compile_dir(ROOT / "auditapp", quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        files: dict[int, Path] = {}
        profiles: dict[int, str] = {}
        for size in sizes:
            files[size] = Path(folder) / f"demo-{size}.sqlite"
            if size:
                shutil.copyfile(demo_database(size), files[size])
            profiles[size] = subprocess.run(
                [sys.executable, "-c", PREPARE, str(files[size])], check=True, text=True,
                capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT))
            ).stdout.strip()
            _run(WINDOW, str(files[size]), profiles[size])  # warms the disk cache
        windows = {"bare PySide6 window (baseline)": (BARE_WINDOW, ())}
        windows.update({f"auditapp window, {size:,} audits": (WINDOW, (str(files[size]),
                                                                       profiles[size]))
                        for size in sizes})
        _EXTRA.clear()
        medians = _rounds(args.rounds, windows)
        later = {name: _medians(_EXTRA[WINDOW + " ".join(run_args)])
                 for name, (code, run_args) in windows.items() if code == WINDOW}
        _report("Start-up to a usable window (My work filled and painted)",
                medians, "bare PySide6 window (baseline)", later)
        for size in [s for s in sizes if s] or sizes:
            path = str(files[size])
            _report(f"Commands on {size:,} audits", _rounds(args.rounds, {
                "bare SQLAlchemy open and count (baseline)": (BARE_QUERY, (path,)),
                "auditapp stats --json": (COMMAND, ("--db", path, "stats", "--json")),
                "auditapp templates list": (COMMAND, ("--db", path, "templates", "list")),
            }), "bare SQLAlchemy open and count (baseline)")
        _report("Imports", _rounds(args.rounds, {
            "import sqlalchemy (baseline)": (IMPORT.format(module="sqlalchemy"), ()),
            "import auditapp.cli.main": (IMPORT.format(module="auditapp.cli.main"), ()),
        }), "import sqlalchemy (baseline)")
    print(f"\n{_load()} at the end")


if __name__ == "__main__":
    main()
