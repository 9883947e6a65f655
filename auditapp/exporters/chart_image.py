"""The control chart as a PNG image, for documents that take pictures (the Word edition).

Drawn with Pillow (which reportlab already brings) at twice the size and scaled down, so
lines are smooth. Colours follow *Making Data Count*: grey for common-cause points, blue for
improvement and orange for concern; a withheld month or quarter is a hatched band labelled
"withheld", never a point at zero. Every colour has a word beside it: the legend, and the
table that follows the chart in the document.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from auditapp.exporters.pdf_layout import font_files
from auditapp.rules.statistics import Signal
from auditapp.services.reporting.control_chart import ControlChart

WIDTH, HEIGHT = 1500, 700  # the image, in pixels (17 cm wide at about 225 dpi)
_SCALE = 2
_INK = (26, 26, 26)
_MUTED = (90, 90, 90)
_GRID = (225, 225, 225)
_CENTRE = (60, 60, 60)
_LIMIT = (178, 34, 34)
_COMMON = (120, 120, 120)
_IMPROVEMENT = (41, 98, 178)
_CONCERN = (222, 109, 10)
_HATCH = (190, 190, 190)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    regular, heavy = font_files()
    return ImageFont.truetype(heavy if bold else regular, size * _SCALE)


def _colours(chart: ControlChart) -> list[tuple[int, int, int]]:
    """Each point's colour: the latest special cause it belongs to decides."""
    colours = [_COMMON] * len(chart.points)
    signals: Sequence[Signal] = chart.signals
    for signal in signals:
        colour = _IMPROVEMENT if signal.direction > 0 else _CONCERN
        for i in range(signal.first, signal.last + 1):
            colours[i] = colour
    return colours


def _hatched(width: int, height: int) -> Image.Image:
    """A box of diagonal grey lines: a withheld figure."""
    box = Image.new("RGB", (max(width, 1), max(height, 1)), "white")
    draw = ImageDraw.Draw(box)
    for k in range(-height, width, 12 * _SCALE):
        draw.line([(k, height), (k + height, 0)], fill=_HATCH, width=_SCALE)
    draw.rectangle((0, 0, width - 1, height - 1), outline=_HATCH, width=_SCALE)
    return box


def _label_lines(label: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    if font.getlength(label) <= width or " " not in label:
        return [label]
    head, tail = label.rsplit(" ", 1)
    return [head, tail]


def _dashed(draw: ImageDraw.ImageDraw, x0: float, x1: float, y: float, fill: tuple[int, ...],
            width: int) -> None:
    dash = 9 * _SCALE
    x = x0
    while x < x1:
        draw.line([(x, y), (min(x + dash, x1), y)], fill=fill, width=width)
        x += 2 * dash


def _legend(image: Image.Image, draw: ImageDraw.ImageDraw, y: float, left: float,
            chart: ControlChart) -> None:
    """What each mark means; improvement, concern and withheld only where the chart has
    them."""
    font = _font(24)
    x = left
    directions = {s.direction for s in chart.signals}
    entries: list[tuple[str, str, tuple[int, int, int]]] = [
        ("point", "Share Good or better", _COMMON), ("line", "Average (centre line)", _CENTRE),
        ("dash", "Control limits", _LIMIT)]
    if 1 in directions:
        entries.append(("point", "Improvement", _IMPROVEMENT))
    if -1 in directions:
        entries.append(("point", "Concern", _CONCERN))
    if any(p.withheld for p in chart.points):
        entries.append(("hatch", "Withheld", _HATCH))
    for kind, words, colour in entries:
        mid = y + 12 * _SCALE
        if kind == "point":
            r = 7 * _SCALE
            draw.ellipse([x + 10 * _SCALE - r, mid - r, x + 10 * _SCALE + r, mid + r],
                         fill=colour)
            x += 26 * _SCALE
        elif kind == "hatch":
            image.paste(_hatched(22 * _SCALE, 18 * _SCALE), (int(x), int(mid - 9 * _SCALE)))
            x += 30 * _SCALE
        else:
            if kind == "line":
                draw.line([(x, mid), (x + 30 * _SCALE, mid)], fill=colour, width=3 * _SCALE)
            else:
                _dashed(draw, x, x + 30 * _SCALE, mid, colour, 2 * _SCALE)
            x += 38 * _SCALE
        draw.text((x, mid), words, font=font, fill=_INK, anchor="lm")
        x += font.getlength(words) + 22 * _SCALE


def control_chart_png(chart: ControlChart) -> bytes:
    """The chart as PNG bytes, :data:`WIDTH` by :data:`HEIGHT` pixels."""
    w, h = WIDTH * _SCALE, HEIGHT * _SCALE
    image = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(image)
    left, right, top, bottom = 100 * _SCALE, w - 20 * _SCALE, 80 * _SCALE, h - 90 * _SCALE
    _legend(image, draw, 14 * _SCALE, left, chart)
    small = _font(26)

    def y_of(share: float) -> float:
        return bottom - share * (bottom - top)

    for percent in range(0, 101, 25):
        y = y_of(percent / 100)
        draw.line([(left, y), (right, y)], fill=_GRID, width=_SCALE)
        draw.text((left - 14 * _SCALE, y), f"{percent}%", font=small, fill=_MUTED, anchor="rm")
    slots = max(len(chart.points), 1)
    slot = (right - left) / slots
    xs = [left + slot * (i + 0.5) for i in range(slots)]
    for i, point in enumerate(chart.points):
        if point.withheld:
            pad = slot * 0.18
            x0, x1 = left + slot * i + pad, left + slot * (i + 1) - pad
            image.paste(_hatched(int(x1 - x0), int(bottom - top)), (int(x0), int(top)))
            width = small.getlength("withheld")
            draw.rectangle((xs[i] - width / 2 - 6 * _SCALE, y_of(0.5) - 18 * _SCALE,
                            xs[i] + width / 2 + 6 * _SCALE, y_of(0.5) + 18 * _SCALE),
                           fill="white")
            draw.text((xs[i], y_of(0.5)), "withheld", font=small, fill=_MUTED, anchor="mm")
        for n, line in enumerate(_label_lines(point.label, small, slot - 8 * _SCALE)):
            draw.text((xs[i], bottom + (12 + 32 * n) * _SCALE), line, font=small, fill=_INK,
                      anchor="ma")
    if chart.centre is not None:
        draw.line([(left, y_of(chart.centre)), (right, y_of(chart.centre))], fill=_CENTRE,
                  width=3 * _SCALE)
        draw.text((left + 8 * _SCALE, y_of(chart.centre) - 6 * _SCALE),
                  f"average {round(100 * chart.centre)}%", font=small, fill=_CENTRE,
                  anchor="lb")
    for i, point in enumerate(chart.points):
        if point.lower_limit is None or point.upper_limit is None:
            continue
        x0, x1 = left + slot * i + slot * 0.1, left + slot * (i + 1) - slot * 0.1
        for limit in (point.lower_limit, point.upper_limit):
            _dashed(draw, x0, x1, y_of(limit), _LIMIT, 2 * _SCALE)
    colours = _colours(chart)
    previous: tuple[float, float] | None = None
    for i, point in enumerate(chart.points):
        share = point.share
        if share is None:
            previous = None
            continue
        here = (xs[i], y_of(share))
        if previous is not None:
            draw.line([previous, here], fill=_COMMON, width=3 * _SCALE)
        previous = here
    for i, point in enumerate(chart.points):
        share = point.share
        if share is None:
            continue
        r = 9 * _SCALE
        x, y = xs[i], y_of(share)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colours[i], outline="white",
                     width=2 * _SCALE)
    draw.line([(left, bottom), (right, bottom)], fill=_MUTED, width=2 * _SCALE)
    draw.line([(left, top), (left, bottom)], fill=_MUTED, width=2 * _SCALE)
    out = io.BytesIO()
    image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()
