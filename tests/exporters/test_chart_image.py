"""The control chart's picture: its size, a withheld quarter drawn as a hatched band (never
as a point at zero), and special causes in Making Data Count's colours."""

from __future__ import annotations

import io

from PIL import Image

from auditapp.exporters.chart_image import HEIGHT, WIDTH, control_chart_png
from auditapp.services.reporting.control_chart import PeriodCount, build_chart

LEFT, RIGHT = 100, WIDTH - 20  # the plot's edges, in the picture's pixels


def _picture(goods: list[int], graded: int = 40) -> Image.Image:
    counts = [PeriodCount(f"k{i}", f"Q{i} 2026", graded, good) for i, good in enumerate(goods)]
    return Image.open(io.BytesIO(control_chart_png(build_chart(counts, 5, "quarter"))))


def _column(image: Image.Image, slot: int, slots: int) -> list[tuple[int, int, int]]:
    """The pixels down the middle of a quarter's slot, a quarter of its width off centre
    (beside the point and its line), over the plot's height."""
    x = int(LEFT + (RIGHT - LEFT) / slots * (slot + 0.25))
    return [image.getpixel((x, y)) for y in range(120, HEIGHT - 120)]  # type: ignore[misc]


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int], within: int = 40) -> bool:
    return all(abs(a - b) <= within for a, b in zip(pixel, colour, strict=True))


def test_a_withheld_quarter_is_a_hatched_band() -> None:
    """Q1's 2 below Good would show at 5: it is withheld, its slot hatched from top to
    bottom; Q0's slot beside its point is white plot area."""
    image = _picture([20, 38, 22, 25])
    assert image.size == (WIDTH, HEIGHT) and image.format == "PNG"
    hatched = [p for p in _column(image, 1, 4) if _near(p, (190, 190, 190), 30)]
    plain = [p for p in _column(image, 0, 4) if _near(p, (190, 190, 190), 30)]
    assert len(hatched) > 20 > len(plain)


def _count(image: Image.Image, colour: tuple[int, int, int]) -> int:
    """How many pixels are near ``colour``."""
    data = image.convert("RGB").tobytes()
    return sum(_near(p, colour) for p in zip(data[0::3], data[1::3], data[2::3], strict=True))


def test_special_causes_are_coloured() -> None:
    """Seven quarters at 9 of 40 then seven at 31 of 40: the first run is concern (orange),
    the second improvement (blue); no common-cause grey point is left."""
    image = _picture([9] * 7 + [31] * 7)
    assert _count(image, (222, 109, 10)) > 500 and _count(image, (41, 98, 178)) > 500
    common = _picture([20, 22, 21, 19])  # no special cause: no orange, not even in the legend
    assert _count(common, (222, 109, 10)) < 50
