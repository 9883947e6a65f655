"""Windows sized to the screen they open on.

Council laptops are often 1366x768 at 125 % scaling: 1093x614 logical pixels, less the
taskbar. A window asks for a comfortable size and gets the free part of its screen where
that is smaller, so it never opens taller or wider than the screen.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: Room left for the window's title bar and frame, which the system draws around it.
FRAME_ALLOWANCE = 32


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` x ``height``, or to its screen's free area where that
    is smaller."""
    free = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    window.resize(min(width, free.width()), min(height, free.height() - FRAME_ALLOWANCE))
