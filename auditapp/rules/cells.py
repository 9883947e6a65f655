"""How text goes into a spreadsheet cell: the one rule every workbook and CSV file auditapp
writes follows (the findings workbook, template workbooks, the history CSV).

Spreadsheet programs read some text as something else, and some text cannot be stored:

- A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is run as a
  formula by spreadsheet programs when a CSV file is opened or the cell is edited, and openpyxl
  stores any string that starts with ``=`` as a live formula. Text that looks like an error
  value (``#N/A``) would become one.
- XML, and so ``.xlsx``, cannot hold most control characters; Word's manual line break
  (vertical tab) is the one free text meets most often.
- A cell holds at most 32,767 characters (counted as Excel counts them, in UTF-16 units).

So text is always stored as text: in a workbook as a string cell marked as quoted text (the
``'`` Excel shows for typed text), in CSV with a leading ``'`` where a spreadsheet would run it.
Word's manual line and page breaks become line breaks, a carriage return becomes a line feed
(as XML reads it anyway), and any other character XML forbids becomes U+FFFD, the visible
replacement character. Text too long for one cell is continued in the next cells, each part
marked where it continues, or, where a layout has one cell only, cut with a marker that says
how much is missing. Nothing is changed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

#: The most characters (UTF-16 units, as Excel counts) one cell holds.
CELL_LIMIT = 32_767
#: Starts that make a spreadsheet program run a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Excel's error values: openpyxl would store text equal to one of these as that error.
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA"})
REPLACEMENT = "\ufffd"
#: Written at the end of a part that the next cell continues, and at the start of that cell.
CONTINUES = " [continues in the next cell]"
CONTINUED = "[continued] "
#: Written where text is cut because the layout has no further cell for it.
CUT = " [cut here: {missing:,} more characters do not fit in one cell]"
#: Word's manual line break (vertical tab) and page break (form feed): line breaks to a reader.
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
#: What XML 1.0 forbids: control characters but tab, line feed and carriage return; lone
#: surrogates (which cannot even be written as UTF-8); U+FFFE and U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


class TextCell(Protocol):
    """The parts of a spreadsheet cell (openpyxl's) that storing text needs."""

    data_type: str
    quotePrefix: bool  # noqa: N815 (openpyxl's name)

    @property
    def value(self) -> object:
        """What the cell holds."""

    @value.setter
    def value(self, value: str) -> None: ...


@dataclass(frozen=True)
class CellText:
    """Text as one cell holds it, and whether a spreadsheet would otherwise run it."""

    text: str
    formula_like: bool = False

    def store(self, cell: TextCell) -> None:
        """Put the text into a workbook cell as a string, never a formula or an error value,
        marked as quoted text where it starts like a formula (so that editing the cell in a
        spreadsheet program keeps it text)."""
        cell.value = self.text
        cell.data_type = "s"
        if self.formula_like:
            cell.quotePrefix = True

    @property
    def csv(self) -> str:
        """The text as a CSV field: with a leading ``'`` where a spreadsheet would run it."""
        return "'" + self.text if self.formula_like else self.text


def units(text: str) -> int:
    """The length of ``text`` as Excel counts it (UTF-16 code units)."""
    if text.isascii():
        return len(text)
    # A character beyond the Basic Multilingual Plane takes two units, and a lone surrogate
    # (text that has not been cleaned yet) one.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def clean(value: str) -> str:
    """``value`` with line ends as line feeds, Word's breaks as line breaks, and every other
    character XML forbids as U+FFFD."""
    if not _SPECIAL.search(value):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS)
    return _FORBIDDEN.sub(REPLACEMENT, text)


def needs_care(value: str) -> bool:
    """Whether ``value`` cannot go into a cell as it is (most text can, and is written as it
    is; this is the quick test that keeps big exports fast)."""
    return (value.startswith(FORMULA_START) or value in ERROR_VALUES
            or _SPECIAL.search(value) is not None or len(value) > CELL_LIMIT // 2)


def cell_value(value: str) -> str | CellText:
    """``value`` as one cell should hold it: the plain string where nothing needs care (a
    writer may store it directly), else a :class:`CellText` to :meth:`~CellText.store`."""
    if not needs_care(value):
        return value
    return cell_texts(value, 1)[0]


def cell_texts(value: str, cells: int, limit: int = CELL_LIMIT) -> list[CellText]:
    """``value`` spread over at most ``cells`` cells of at most ``limit`` units each: every
    part but the last ends with :data:`CONTINUES` and every part but the first starts with
    :data:`CONTINUED`; what still does not fit is cut, the last cell ending with :data:`CUT`.
    Gives one cell at least, and no more cells than the text needs."""
    formula_like = value.startswith(FORMULA_START)
    text = clean(value)
    parts: list[str] = []
    rest = text
    while rest:
        prefix = CONTINUED if parts else ""
        room = limit - units(prefix)
        if units(rest) <= room:
            parts.append(prefix + rest)
            rest = ""
        elif len(parts) == cells - 1:
            parts.append(prefix + _cut(rest, room))
            rest = ""
        else:
            head = _take(rest, room - units(CONTINUES))
            parts.append(prefix + head + CONTINUES)
            rest = rest[len(head):]
    parts = parts or [""]
    return [CellText(p, formula_like and i == 0) for i, p in enumerate(parts)]


def _take(text: str, room: int) -> str:
    """The longest start of ``text`` of at most ``room`` units."""
    end = max(0, min(len(text), room))
    while units(text[:end]) > room:
        end -= max(1, (units(text[:end]) - room) // 2)
    return text[:end]


def _cut(text: str, room: int) -> str:
    """``text`` cut to ``room`` units with the cut marker saying how much is missing."""
    head = text
    for _ in range(3):  # the marker's length depends on the number it gives
        marker = CUT.format(missing=len(text) - len(head))
        head = _take(text, room - units(marker))
    return head + CUT.format(missing=len(text) - len(head))


def pieces_needed(characters: int, limit: int = CELL_LIMIT) -> int:
    """How many cells :func:`cell_texts` uses for text of ``characters`` characters (each at
    most one UTF-16 unit; text with many emoji may need more, and is then cut visibly)."""
    first = limit - units(CONTINUES)
    middle = limit - units(CONTINUES) - units(CONTINUED)
    if characters <= limit:
        return 1
    rest = characters - first
    count = 1
    while rest > limit - units(CONTINUED):
        rest -= middle
        count += 1
    return count + 1
