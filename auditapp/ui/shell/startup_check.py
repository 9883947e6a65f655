"""The start-up check behind ``auditapp --smoke-test PROFILE``: the desktop app starts as
usual, then closes by itself once it is ready, so that a script can prove a built program
opens its windows (``packaging/smoke_test.py`` runs it offscreen, with no display).

Ready means: the main window is shown and its audit list has been filled from the
database; the dashboard (Qt Charts) has been opened and has drawn its figures; and, when a
bundle file was named, its import dialog is open on that file. Then every window is closed,
background work is let finish, and the app exits with status 0. If that has not happened
within :data:`LIMIT_S` seconds (a dialog in the way, say), the check says on stderr what it
was waiting for and what is in the way, and the app exits with status 1.

It cannot start by accident: only the command-line option starts it (no environment
variable or setting does), the option is left out of ``--help``, and it names a profile
that must already be in the database. It grants nothing: any profile can be picked at first
run anyway (profiles have no passwords; the database passphrase is what keeps people out).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from auditapp.ui.shell.main_window import MainWindow

#: How long the app may take to be ready: a guard against a hang, not a speed check.
LIMIT_S = 300
EXIT_NOT_READY = 1


class StartupCheck(QObject):
    """Watches the start-up and closes the app once it is ready (see the module)."""

    def __init__(self, bundle: Path | None = None, limit_s: float = LIMIT_S) -> None:
        super().__init__()
        self.bundle = bundle
        self.window: MainWindow | None = None
        self.waiting_for = "the main window"
        self.passed = False
        self.failed = False
        self.limit_s = limit_s
        self.deadline = QTimer(self)
        self.deadline.setSingleShot(True)
        self.deadline.timeout.connect(self._give_up)
        self.deadline.start(int(limit_s * 1000))
        # Asks every event loop that runs, a dialog's or the app's, to end, until the app's
        # has: the check may end while a dialog is open, before the app's loop has started.
        self.quitter = QTimer(self)
        self.quitter.setInterval(50)
        self.quitter.timeout.connect(lambda: QApplication.exit(0))

    def watch(self, window: MainWindow) -> None:
        """Follow the main window, just created, to its filled list."""
        self.window = window
        if self.failed:  # gave up on a dialog before the window came
            window.close()
            return
        self.waiting_for = "the audit list to be filled"
        window.audits_loaded.connect(self._list_filled)

    def _list_filled(self) -> None:
        assert self.window is not None
        if self.passed or self.failed:
            return
        self.waiting_for = "the dashboard's figures"
        dashboard = self.window.show_dashboard()
        dashboard.figures_shown.connect(self._dashboard_drawn)

    def _dashboard_drawn(self) -> None:
        if self.passed or self.failed:
            return
        if self.bundle is not None and not self._bundle_offered():
            self.waiting_for = f"the import dialog of {self.bundle}"
            return
        self.passed = True
        self.deadline.stop()
        self._close_everything()

    def _bundle_offered(self) -> bool:
        assert self.bundle is not None
        from auditapp.ui.dialogs.bundles import BundleImportDialog

        return any(isinstance(widget, BundleImportDialog) and widget.isVisible()
                   and Path(widget.path.text()) == self.bundle
                   for widget in QApplication.topLevelWidgets())

    def _give_up(self) -> None:
        self.failed = True
        blocking = QApplication.activeModalWidget()
        in_the_way = f"; in the way: '{blocking.windowTitle()}'" if blocking else ""
        print(f"auditapp: smoke test: not ready after {self.limit_s:g} s, still waiting for "
              f"{self.waiting_for}{in_the_way}", file=sys.stderr, flush=True)
        self._close_everything()

    def _close_everything(self) -> None:
        if self.window is not None:
            self.window.close()  # first, so that its editors save
        for widget in QApplication.topLevelWidgets():
            widget.close()
        QThreadPool.globalInstance().waitForDone()  # the start-up backup, say
        self.quitter.start()

    def exit_code(self, code: int) -> int:
        """The app's exit status, once its event loop has ended: ``code`` if the check
        passed or the app failed on its own (a database that would not open), else
        :data:`EXIT_NOT_READY`."""
        self.deadline.stop()
        self.quitter.stop()
        return code if self.passed or code != 0 else EXIT_NOT_READY
