"""auditapp's icon, drawn in code so that there is no image file to keep in step: a navy
tile holding a white checklist whose rows are ticked in green. Small sizes keep only the
tile and one bold tick, which is all that reads at 16 pixels.

The windows use :func:`app_icon`; the build turns :func:`render_icon` into the program's
``.ico`` (``packaging/make_icon.py``), so the taskbar, the Start menu and the file
association show the same picture.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPen, QPixmap

from auditapp.rules import palette

#: The sizes drawn, in pixels: those Windows asks an .ico for, up to the 256 of large views.
SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
#: Below this size only the tile and one tick are drawn.
DETAILED_FROM = 40
_GRID = 256.0  # the drawing's own units, scaled to the size asked for
TILE = QColor(f"#{palette.HEADER_FILL}")
PAGE = QColor("#FFFFFF")
TICK = QColor(f"#{palette.GRADE_COLOURS['Outstanding']}")
LINE = QColor("#C5CCD6")  # the clip and the rows: a light blue-grey


def render_icon(size: int) -> QImage:
    """The icon as a square image of ``size`` pixels, on a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / _GRID, size / _GRID)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(TILE)
    painter.drawRoundedRect(QRectF(8, 8, 240, 240), 48, 48)
    if size < DETAILED_FROM:
        _tick(painter, QPointF(58, 132), 56, PAGE, 34)
    else:
        _checklist(painter)
    painter.end()
    return image


def _checklist(painter: QPainter) -> None:
    painter.setBrush(PAGE)
    painter.drawRoundedRect(QRectF(56, 40, 144, 180), 16, 16)
    painter.setBrush(LINE)
    painter.drawRoundedRect(QRectF(98, 26, 60, 30), 10, 10)
    for row in range(3):
        top = 84 + row * 44
        _tick(painter, QPointF(72, top + 12), 15, TICK, 11)
        painter.setBrush(LINE)
        painter.drawRoundedRect(QRectF(126, top + 4, 56, 14), 7, 7)


def _tick(painter: QPainter, start: QPointF, unit: float, colour: QColor, width: float) -> None:
    """A tick whose short stroke starts at ``start``; ``unit`` is the short stroke's run."""
    path = QPainterPath(start)
    path.lineTo(start + QPointF(unit, unit))
    path.lineTo(start + QPointF(unit * 3, -unit * 1.25))
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.save()
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.restore()


def app_icon() -> QIcon:
    """The icon at every size, for the windows (needs the QApplication)."""
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(QPixmap.fromImage(render_icon(size)))
    return icon
