"""The UI tests run with garbage collected on the UI thread, as the app does
(:func:`auditapp.ui.widgets.workers.collect_on_ui_thread`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from auditapp.ui.widgets.workers import collect_on_ui_thread


@pytest.fixture(autouse=True, scope="session")
def _garbage_on_the_ui_thread(qapp: QApplication) -> Iterator[None]:
    timer = collect_on_ui_thread(qapp)
    yield
    timer.stop()
    gc.enable()
