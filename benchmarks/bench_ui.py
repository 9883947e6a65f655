"""The desktop app at council scale: start-up, the audit list, opening and editing an audit.

    .venv/bin/python benchmarks/bench_ui.py [--audits 2000]

Prints figures, not pass/fail. Start-up is timed from process start to the main window
shown with its list loaded, against a bare PySide6 window started the same way in the
same run. The editor is timed on an 80-question audit in a database of ``--audits``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import (  # noqa: E402
    DEMO_END,
    ROOT,
    demo_database,
    machine,
    peak_memory_mb,
    summary,
    timed,
)

STARTUP_APP = """
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
from pathlib import Path
from typing import Any
from auditapp.ui.shell.qt_application import create_application
from auditapp.storage.database import open_database
from auditapp.models import Role
from auditapp.services.templates import install_shipped_templates
from auditapp.services.users import list_users, save_user
from auditapp.ui.shell.application import SessionGuard
from auditapp.ui.shell.main_window import MainWindow
app = create_application()
db = open_database(Path(sys.argv[1]), backup=False)  # as the app: backup in the background
install_shipped_templates(db)
users = list_users(db)
actor = users[0] if users else save_user(db, "Bench", Role.PRACTICE_LEAD, None)
window = MainWindow(db, actor)
window.show()
SessionGuard(db, window)
loaded = []
window.audits_loaded.connect(lambda: loaded.append(1))
while not loaded:
    app.processEvents()
app.processEvents()
ready = time.time() - t0
import resource
from PySide6.QtCore import QThreadPool
QThreadPool.globalInstance().waitForDone()  # let the start-up backup finish before exit
print(ready, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
db.dispose()
"""

STARTUP_BARE = """
import os, time
t0 = float(os.environ["BENCH_T0"])
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication([])
window = QMainWindow(); window.setCentralWidget(QTableView()); window.show()
app.processEvents()
import resource
print(time.time() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _startup(code: str, *args: str) -> tuple[float, float]:
    env = dict(os.environ, BENCH_T0=repr(time.time()), PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    return float(out[0]) * 1000, float(out[1])


def bench_startup(db_path: Path, audits: int) -> None:
    print("\nStart-up: process start to main window shown and its list loaded")
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty.sqlite"
        _startup(STARTUP_APP, str(empty))  # first run creates the schema; not timed
        runs = {name: [_startup(code, *args) for _ in range(5)] for name, code, args in (
            ("bare PySide6 window (baseline)", STARTUP_BARE, ()),
            ("auditapp, empty database", STARTUP_APP, (str(empty),)),
            (f"auditapp, {audits} audits", STARTUP_APP, (str(db_path),)),
        )}
    baseline = sorted(t for t, _ in runs["bare PySide6 window (baseline)"])[2]
    for name, results in runs.items():
        times = sorted(t for t, _ in results)
        memory = max(m for _, m in results)
        print(f"  {name:<34} {summary(times)}  x{times[2] / baseline:4.1f} baseline"
              f"  peak {memory:5.0f} MB")


def _eighty_question_template(folder: Path) -> Path:
    sections = []
    for s in range(1, 11):
        questions = [{"id": f"B{s}.{q}", "text": f"Benchmark question {s}.{q} about the plan.",
                      "guidance": "What to look for on the file. " * 3, "tags": ["KLOE1"]}
                     for q in range(1, 9)]
        sections.append({"id": f"B{s}", "title": f"Benchmark section {s}",
                         "limiting": s == 1, "questions": questions})
    path = folder / "bench80.yaml"
    path.write_text(json.dumps({"id": "bench-eighty", "title": "Eighty questions",
                                "sections": sections}))  # JSON is valid YAML
    return path


def bench_editor(db_path: Path, audits: int) -> None:
    from PySide6.QtWidgets import QApplication

    from auditapp.models import CareLeaverCategory
    from auditapp.services.audits.editing import (
        AnswerChange,
        AuditChanges,
        create_audit,
        load_audit,
        save_changes,
    )
    from auditapp.services.cases import CaseInput, save_case
    from auditapp.services.templates import (
        find_template_id,
        import_template_file,
        template_info,
    )
    from auditapp.storage.database import open_database
    from auditapp.ui.editor.window import AuditEditorWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "bench.sqlite"
        copy.write_bytes(db_path.read_bytes())
        db = open_database(copy, backup=False)
        actor = _lead(db)
        result = import_template_file(db, _eighty_question_template(Path(folder)), actor)
        template_id = find_template_id(db, result.key)
        case_id = save_case(db, CaseInput("BENCH-1", CareLeaverCategory.ELIGIBLE), actor)
        audit_id = create_audit(db, case_id, template_id, actor.name, DEMO_END, actor)
        template = template_info(db, template_id)
        questions = [q for s in template.sections for q in s.questions]
        half = AuditChanges(answers={q.id: AnswerChange(q.id, "Y", "Seen on file.")
                                     for q in questions[::2]})
        save_changes(db, audit_id, half, actor, template)

        print(f"\nThe audit editor: an 80-question audit in a database of {audits} audits")

        def open_editor() -> AuditEditorWindow:
            editor = AuditEditorWindow(db, load_audit(db, audit_id, actor), actor)
            editor.show()
            app.processEvents()
            return editor

        editors: list[AuditEditorWindow] = []
        open_times = timed(lambda: editors.append(open_editor()), repeat=15)
        print(f"  open an audit (read, build, show)      {summary(open_times)}")
        editor = editors[-1]
        navigator = editor.navigator
        first_visit = []
        for index in range(1, 10):
            item = navigator.topLevelItem(index)
            first_visit += timed(lambda i=item: (navigator.setCurrentItem(i),
                                                 app.processEvents()))
        print(f"  switch section, first visit            {summary(first_visit)}")
        revisit = []
        for index in range(10):
            item = navigator.topLevelItem(index)
            revisit += timed(lambda i=item: (navigator.setCurrentItem(i), app.processEvents()))
        print(f"  switch section, again                  {summary(revisit)}")
        codes = ["P", "N", "Y"]
        saves = []
        for n, question in enumerate(questions[:40]):
            change = AuditChanges(answers={question.id: AnswerChange(
                question.id, codes[n % 3], "Evidence")})
            saves += timed(lambda c=change: save_changes(db, audit_id, c, actor, template))
        print(f"  autosave: one answer to its commit     {summary(saves)}")
        for window in editors:
            window.close()
        db.dispose()


def _lead(db: Any) -> Any:
    """The demo database's practice lead (made when it was built)."""
    from auditapp.models import Role
    from auditapp.services.users import list_users

    return next(a for a in list_users(db) if a.role == Role.PRACTICE_LEAD)


def bench_list(db_path: Path, audits: int) -> None:
    from auditapp.services.audits.editing import list_audits
    from auditapp.storage.database import open_database
    from auditapp.ui.widgets.table_models import AuditFilter, AuditFilterProxy, AuditTableModel

    db = open_database(db_path, backup=False)
    lead = _lead(db)
    print(f"\nThe audit list with {audits} audits")
    rows: list[object] = []
    print(f"  load the rows (query)                  "
          f"{summary(timed(lambda: rows.__setitem__(slice(None), list_audits(db, lead)), 5))}")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QTableView

    app = QApplication.instance() or QApplication([])
    model = AuditTableModel()
    proxy = AuditFilterProxy()
    proxy.setSourceModel(model)
    view = QTableView()  # a shown view, so that the figures include what a user waits for
    view.setModel(proxy)
    view.resize(1280, 600)
    view.show()

    def settle(work: object) -> None:
        work()  # type: ignore[operator]
        app.processEvents()

    print(f"  fill the model and paint               "
          f"{summary(timed(lambda: settle(lambda: model.set_rows(list(rows))), 5))}")
    orders = [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder]
    for column, name in ((4, "date"), (6, "grade"), (0, "case")):
        times = [t for n in range(6) for t in timed(
            lambda c=column, o=orders[n % 2]: settle(lambda: proxy.sort(c, o)))]
        print(f"  sort by {name:<31}{summary(times)}")
    none = AuditFilter()
    for label, criteria in (("filter by status", AuditFilter(statuses={"draft"})),
                            ("filter by search text", AuditFilter(text="priya")),
                            ("filter by date range", AuditFilter(
                                date_from=DEMO_END.replace(year=2025)))):
        times = []
        for _ in range(5):
            times += timed(lambda c=criteria: settle(lambda: proxy.set_criteria(c)))
            settle(lambda: proxy.set_criteria(none))
        print(f"  {label:<38} {summary(times)}")
    db.dispose()


def main() -> None:
    """Run every UI benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--audits", type=int, default=2000)
    args = parser.parse_args()
    print(f"bench_ui: {machine()}")
    db_path = demo_database(args.audits)
    bench_startup(db_path, args.audits)
    bench_list(db_path, args.audits)
    bench_editor(db_path, args.audits)
    print(f"\npeak memory of this process: {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
