"""Small-number suppression, on tables worked out by hand."""

from __future__ import annotations

import pytest

from auditapp.errors import UserError
from auditapp.rules.limits import DEFAULT_THRESHOLD, MAX_THRESHOLD, MIN_THRESHOLD, check_threshold
from auditapp.rules.suppression import (
    HEADLINE,
    TOTAL,
    DisclosureModel,
    Protection,
    key_text,
    withheld_symbol,
)

GRADES = ("O", "G", "RI", "I", "NG")


def _grade_row(values: tuple[int, ...], threshold: int = 5, good_or_better: bool = False
               ) -> Protection:
    """One row of final grades with its total (a pinned headline) and optionally the
    'Good or better' figure that a percentage shows."""
    model = DisclosureModel(threshold)
    for grade, value in zip(GRADES, values, strict=True):
        model.add(grade, value)
    model.add("N", sum(values), HEADLINE)
    model.add_sum("N", GRADES)
    if good_or_better:
        model.add("GoB", values[0] + values[1], HEADLINE)
        model.add_sum("GoB", ("O", "G"))
    return model.protect()


def _shown(protection: Protection, keys: tuple[str, ...]) -> list[str]:
    return [protection.count(k) for k in keys]


def test_nothing_small_nothing_suppressed() -> None:
    p = _grade_row((5, 40, 20, 10, 0))
    assert _shown(p, (*GRADES, "N")) == ["5", "40", "20", "10", "0", "75"]
    assert p.share("O", "N") == "7%"


def test_one_small_cell_needs_a_second_in_its_row() -> None:
    # 3 + 40 + 20 + 10 + 0 = 73: with the total shown, the 3 alone could be worked out, so the
    # smallest other non-zero cell (10) is withheld too: O + I = 13 with O in 1..4, I >= 5.
    p = _grade_row((3, 40, 20, 10, 0))
    assert _shown(p, (*GRADES, "N")) == ["<5", "40", "20", "c", "0", "73"]
    assert p.share("O", "N") == "<5" and p.share("I", "N") == "c"
    assert p.share("G", "N") == "55%"


def test_the_partner_must_not_pin_the_small_cell_by_its_bounds() -> None:
    # 1 + 5 + 20 + 0 + 0 = 26. Withholding the 5 would leave O + G = 6 with G >= 5, so O = 1:
    # the 20 is withheld instead (O + RI = 21, RI in 17..20, O in 1..4).
    p = _grade_row((1, 5, 20, 0, 0))
    assert _shown(p, (*GRADES, "N")) == ["<5", "5", "c", "0", "0", "26"]


def test_two_small_cells_protect_each_other() -> None:
    # 2 + 3 = 5 could be either split (1+4, 2+3, 3+2, 4+1): no secondary suppression needed.
    p = _grade_row((2, 3, 20, 10, 0))
    assert _shown(p, (*GRADES, "N")) == ["<5", "<5", "20", "10", "0", "35"]


def test_two_small_cells_at_the_edge_of_their_range_are_not_safe() -> None:
    # 1 + 1 = 2 can only be 1 + 1: the smallest other cell (10) must go too.
    p = _grade_row((1, 1, 20, 10, 0))
    assert _shown(p, (*GRADES, "N")) == ["<5", "<5", "20", "c", "0", "32"]


def test_good_or_better_share_cannot_reveal_outstanding() -> None:
    # Good or better = 32 is shown as a percentage, so O + G = 32. Withholding Inadequate
    # would not help (O = 32 - 30); Good is withheld: O in 1..4, G in 28..31.
    p = _grade_row((2, 30, 20, 8, 0), good_or_better=True)
    assert _shown(p, (*GRADES, "N", "GoB")) == ["<5", "c", "20", "8", "0", "60", "32"]
    assert p.share("GoB", "N") == "53%"


def test_the_total_goes_when_nothing_else_can_protect() -> None:
    # 1 + 5 with zeros elsewhere. Withholding the 5 is no use (O + G = 6 with G >= 5 gives
    # O = 1); withholding the total is: O = N - 5 with N >= 5 is anything from 1 to 4.
    p = _grade_row((1, 5, 0, 0, 0))
    assert _shown(p, (*GRADES, "N")) == ["<5", "5", "0", "0", "0", "c"]
    assert p.share("G", "N") == "c"


def test_a_small_total_is_not_broken_down() -> None:
    # A section graded in 3 audits: 2 Good and 1 RI. Shown as <5, its parts could never each
    # reach 4 (G + RI <= 4 with both at least 1), and which grades are zero would say that
    # every audit got one of the others: the parts are left out, zeros too.
    p = _grade_row((0, 2, 1, 0, 0))
    assert _shown(p, (*GRADES, "N")) == ["\u2013"] * 5 + ["<5"]
    assert p.share("G", "N") == "\u2013" and not p.shown("G")


def test_the_partner_must_leave_room_for_the_whole_range() -> None:
    # 2 + 6 + 30 = 38. Withholding the 6 would leave O + G = 8 with G >= 5, so O could only
    # be 1 to 3, not 4: the 30 is withheld (O + RI = 32, RI from 28 to 31).
    p = _grade_row((2, 6, 30, 0, 0))
    assert _shown(p, (*GRADES, "N")) == ["<5", "6", "c", "0", "0", "38"]


def test_a_roll_up_below_the_threshold_is_left_out_not_its_parts() -> None:
    model = DisclosureModel()
    for key, value in (("S1", 12), ("S2", 30), ("S1 below", 2), ("S2 below", 1)):
        model.add(key, value)
    model.add("line below", 3)
    model.add_sum("line below", ["S1 below", "S2 below"], rollup=True)
    p = model.protect()
    assert p.count("line below") == "\u2013"
    assert (p.count("S1 below"), p.count("S2 below")) == ("<5", "<5")


def test_a_remainder_never_shown_is_protected_too() -> None:
    # 40 audits: 30 on one template, 9 on another, 1 on templates too rare to list. The
    # remainder (1) is not shown, but total minus the listed ones would give it: the
    # smaller listed template is withheld.
    model = DisclosureModel()
    model.add("all", 40, HEADLINE)
    model.add("A", 30)
    model.add("B", 9)
    model.add_implicit("other", 1)
    model.add_sum("all", ["A", "B", "other"])
    assert model.exposed(set()) == {"other"}
    p = model.protect()
    assert (p.count("all"), p.count("A"), p.count("B")) == ("40", "30", "c")
    assert model.exposed(p.withheld()) == set()


def test_a_kept_figure_is_never_withheld() -> None:
    model = DisclosureModel()
    for key, value in (("N", 26), ("a", 1), ("b", 5), ("c", 20)):
        model.add(key, value)
    model.add_sum("N", ["a", "b", "c"])
    model.keep("c")
    p = model.protect()
    assert (p.count("c"), p.count("N")) == ("20", "c")


@pytest.mark.parametrize("threshold", range(MIN_THRESHOLD, MAX_THRESHOLD + 1))
def test_every_threshold_protects(threshold: int) -> None:
    values = (1, threshold - 1, 2 * threshold, threshold + 3, 0)
    model = DisclosureModel(threshold)
    for grade, value in zip(GRADES, values, strict=True):
        model.add(grade, value)
    model.add("N", sum(values), HEADLINE)
    model.add_sum("N", GRADES)
    p = model.protect()
    assert model.exposed(p.withheld()) == set()
    assert p.count("O") == f"<{threshold}"


def test_the_key_says_what_each_symbol_means() -> None:
    assert key_text(5)[0] == "A count from 1 to 4 is shown as <5."
    assert key_text(2)[0] == "A count of 1 is shown as <2."
    assert "could be as small as 1 or as large as 4" in key_text(5)[-1]


def test_threshold_is_configurable() -> None:
    p = _grade_row((7, 40, 20, 12, 0), threshold=10)
    assert _shown(p, (*GRADES, "N")) == ["<10", "40", "20", "c", "0", "79"]


def test_the_default_threshold_is_five_within_two_to_fifty() -> None:
    assert (DEFAULT_THRESHOLD, MIN_THRESHOLD, MAX_THRESHOLD) == (5, 2, 50)
    assert DisclosureModel().threshold == DEFAULT_THRESHOLD
    assert [check_threshold(n) for n in (2, 5, 50)] == [2, 5, 50]


@pytest.mark.parametrize("threshold", [-5, 0, 1, 51, 1000])
def test_a_threshold_out_of_range_is_refused_saying_the_range(threshold: int) -> None:
    with pytest.raises(UserError, match=f"^The suppression threshold must be between 2 and 50, "
                                        f"not {threshold}.$"):
        check_threshold(threshold)


def test_two_way_table_needs_a_rectangle() -> None:
    # Rows A-C by columns X-Z with every total shown. The 3 at (A, X) is protected only by a
    # rectangle of withheld cells, (A, X), (A, Y), (B, X), (B, Y): each row and column then
    # holds two, and (A, X) can be anything from 1 to 4 (it could be 1..6 by the sums alone).
    cells = {"A": {"X": 3, "Y": 10, "Z": 12},
             "B": {"X": 8, "Y": 9, "Z": 15},
             "C": {"X": 20, "Y": 7, "Z": 6}}
    model = DisclosureModel()
    model.add_table("t", cells)
    p = model.protect()
    withheld = {(r, c) for r in cells for c in cells[r] if not p.shown(("t", r, c))}
    assert withheld == {("A", "X"), ("A", "Y"), ("B", "X"), ("B", "Y")}
    assert p.count(("t", "A", "X")) == "<5" and p.count(("t", "B", "Y")) == "c"
    assert all(p.shown(("t", r, TOTAL)) for r in cells) and p.shown(("t", TOTAL, TOTAL))


def test_a_bridge_between_two_rectangles_is_still_found() -> None:
    # Linear algebra, not just row-by-row checks: two rows' sums minus two columns' sums
    # would give away a lone withheld cell linking two otherwise safe blocks.
    cells = {"A": {"X": 3, "Y": 9, "Z": 30},
             "B": {"X": 9, "Y": 9, "Z": 30},
             "C": {"X": 30, "Y": 30, "Z": 30}}
    model = DisclosureModel()
    model.add_table("t", cells)
    p = model.protect()
    withheld = {(r, c) for r in cells for c in cells[r] if not p.shown(("t", r, c))}
    for row in cells:
        in_row = [c for c in cells[row] if (row, c) in withheld]
        assert len(in_row) != 1, (row, withheld)
    for column in ("X", "Y", "Z"):
        in_column = [r for r in cells if (r, column) in withheld]
        assert len(in_column) != 1, (column, withheld)


def test_zeros_are_never_withheld() -> None:
    # 2 + 9 = 11: the zeros stay; the 9 is withheld (O in 1..4, I in 7..10).
    p = _grade_row((2, 0, 0, 9, 0))
    assert _shown(p, (*GRADES, "N")) == ["<5", "0", "0", "c", "0", "11"]


def test_sums_must_add_up() -> None:
    model = DisclosureModel()
    model.add("a", 1)
    model.add("b", 2)
    with pytest.raises(ValueError, match="not the sum"):
        model.add_sum("b", ["a"])


def test_a_lone_cell_bridging_two_safe_blocks_can_be_worked_out() -> None:
    # Two rectangles of withheld cells, joined by one withheld small cell at (B, Z): each row
    # and column holds two or more withheld cells, yet rows A + B minus columns X + Y give
    # the bridge exactly. Only the linear algebra sees it.
    cells = {"A": {"X": 20, "Y": 20, "Z": 30, "W": 30},
             "B": {"X": 20, "Y": 20, "Z": 3, "W": 30},
             "C": {"X": 30, "Y": 30, "Z": 20, "W": 20},
             "D": {"X": 30, "Y": 30, "Z": 20, "W": 20}}
    model = DisclosureModel()
    model.add_table("t", cells)
    blocks = {("t", r, c) for r in "AB" for c in "XY"} | {("t", r, c) for r in "CD" for c in "ZW"}
    assert model.exposed(blocks | {("t", "B", "Z")}) == {("t", "B", "Z")}
    protection = model.protect()
    assert model.exposed(protection.primary | protection.secondary) == set()


def test_a_count_never_shown_still_links_the_others() -> None:
    # Good or better, Inadequate and the total are shown; Requires improvement is not. With
    # 30 audits, 29 Good or better and Inadequate <5, RI = 1 - I >= 0 pins I to 1. Good or
    # better is withheld (at least 5, so I can be anything from 1 to 4 again).
    model = DisclosureModel()
    model.add("GoB", 29)
    model.add_unshown("RI", 0)
    model.add("I", 1)
    model.add("N", 30, HEADLINE)
    model.add_sum("N", ["GoB", "RI", "I"])
    p = model.protect()
    assert (p.count("GoB"), p.count("I"), p.count("N")) == ("c", "<5", "30")
    assert model.exposed({"I"}) == {"I"}


def test_the_withheld_symbols_are_told_from_numbers() -> None:
    assert all(withheld_symbol(v) for v in ("<5", "<10", "c", "\u2013"))
    assert not any(withheld_symbol(v) for v in ("0", "12", "1,145", "67%", "100%", ""))
