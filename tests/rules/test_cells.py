"""The one rule for text in a spreadsheet cell: never a formula, nothing XML forbids, nothing
cut or changed without a visible mark."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditapp.rules.cells import (
    CELL_LIMIT,
    CONTINUED,
    CONTINUES,
    REPLACEMENT,
    CellText,
    cell_texts,
    cell_value,
    clean,
    pieces_needed,
    units,
)

XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULAS = ["=1+1", '=HYPERLINK("http://example.org","x")', "+1", "-1", "@SUM(A1)", "\t=1",
            "\r=1"]


class _Cell:
    """Just the attributes the rule sets, to see what it sets."""

    value: object = None
    data_type: str = "n"
    quotePrefix: bool = False  # noqa: N815


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_is_stored_as_quoted_text(text: str) -> None:
    safe = cell_value(text)
    assert isinstance(safe, CellText) and safe.formula_like
    cell = _Cell()
    safe.store(cell)
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert safe.csv == "'" + clean(text)


def test_error_values_stay_text_and_plain_text_passes_unchanged() -> None:
    cell = _Cell()
    safe = cell_value("#N/A")
    assert isinstance(safe, CellText) and not safe.formula_like
    safe.store(cell)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("#N/A", "s", False)
    assert cell_value("Plan reviewed 3 Mar; see notes.") == "Plan reviewed 3 Mar; see notes."


def test_word_breaks_become_line_breaks_and_other_controls_a_visible_mark() -> None:
    assert clean("one\x0btwo\x0cthree\r\nfour\rfive") == "one\ntwo\nthree\nfour\nfive"
    assert clean("bell\x07 nul\x00 esc\x1b") == f"bell{REPLACEMENT} nul{REPLACEMENT} " \
        f"esc{REPLACEMENT}"
    assert clean("lone \ud800 surrogate") == f"lone {REPLACEMENT} surrogate"


def test_long_text_continues_in_marked_parts_that_put_back_together_exactly() -> None:
    text = "word " * 20_000  # 100,000 characters, the most free text auditapp takes
    parts = [p.text for p in cell_texts(text, 4)]
    assert len(parts) == 4 == pieces_needed(len(text))
    assert all(units(p) <= CELL_LIMIT for p in parts)
    assert all(p.endswith(CONTINUES) for p in parts[:-1])
    assert all(p.startswith(CONTINUED) for p in parts[1:])
    rebuilt = "".join(p.removeprefix(CONTINUED).removesuffix(CONTINUES) for p in parts)
    assert rebuilt == text


def test_text_with_no_further_cell_is_cut_saying_how_much_is_missing() -> None:
    text = "x" * 50_000
    (part,) = cell_texts(text, 1)
    assert units(part.text) <= CELL_LIMIT
    missing = int(re.search(r"cut here: ([\d,]+) more characters", part.text)[1]
                  .replace(",", ""))
    assert part.text.startswith("x" * 30_000) and part.text.count("x") + missing == 50_000


def test_emoji_count_twice_towards_the_limit() -> None:
    text = "\U0001f600" * 20_000  # 40,000 UTF-16 units
    parts = cell_texts(text, 2)
    assert len(parts) == 2 and all(units(p.text) <= CELL_LIMIT for p in parts)


def _as_a_reader_sees_it(text: str) -> str:
    """The rule as the README states it: line ends and Word's breaks as line feeds, every
    other character XML forbids as U+FFFD, everything else as it is."""
    text = text.replace("\r\n", "\n")
    return "".join("\n" if c in "\r\x0b\x0c" else REPLACEMENT if XML_FORBIDDEN.match(c)
                   else c for c in text)


@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_every_text_is_unchanged_or_visibly_marked(text: str) -> None:
    (part,) = cell_texts(text, 1)
    assert not XML_FORBIDDEN.search(part.text)
    assert part.text == _as_a_reader_sees_it(text)
    if not XML_FORBIDDEN.search(text) and "\r" not in text:
        assert part.text == text
    assert part.formula_like == text.startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.text(max_size=80), st.integers(min_value=120, max_value=400),
       st.integers(min_value=1, max_value=6))
def test_parts_never_pass_the_limit_and_lose_nothing_unmarked(text: str, limit: int,
                                                              cells: int) -> None:
    body = clean(text * 20)
    parts = [p.text for p in cell_texts(text * 20, cells, limit)]
    assert 1 <= len(parts) <= cells and all(units(p) <= limit for p in parts)
    if "cut here" not in parts[-1]:
        assert "".join(p.removeprefix(CONTINUED).removesuffix(CONTINUES) if i else
                       p.removesuffix(CONTINUES) for i, p in enumerate(parts)) == body
