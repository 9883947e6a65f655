"""The icon drawn in code: every size the .ico and the windows use, each readable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from auditapp.ui.shell.qt_application import create_application
from auditapp.ui.widgets.app_icon import DETAILED_FROM, PAGE, SIZES, TICK, TILE, render_icon


def _colours(image: QImage) -> set[str]:
    return {image.pixelColor(x, y).name() for x in range(image.width())
            for y in range(image.height()) if image.pixelColor(x, y).alpha() == 255}


@pytest.mark.parametrize("size", SIZES)
def test_each_size_is_a_tile_with_rounded_corners(size: int) -> None:
    image = render_icon(size)
    assert image.size() == QSize(size, size)
    assert image.pixelColor(0, 0).alpha() == 0  # a rounded corner, transparent
    assert image.pixelColor(size - 1, size - 1).alpha() == 0
    assert image.pixelColor(size * 24 // 256, size // 2) == TILE  # the tile, left of all
    colours = _colours(image)
    assert PAGE.name() in colours  # the tick (small) or the checklist's page (large)
    assert (TICK.name() in colours) == (size >= DETAILED_FROM)


def test_the_colours_are_far_enough_apart_to_read() -> None:
    def lightness(colour: QColor) -> float:
        return colour.lightnessF()

    assert lightness(PAGE) - lightness(TILE) > 0.6  # white on navy
    assert lightness(PAGE) - lightness(TICK) > 0.5  # green on white


def test_the_app_gives_every_window_the_icon_at_every_size(qtbot: QtBot) -> None:
    app = create_application()
    sizes = {size.width() for size in app.windowIcon().availableSizes()}
    assert sizes == set(SIZES)
