"""The attacker: from everything a board pack prints, and the sums that tie its figures
together (which any reader can see), bound every withheld small count with SciPy's linear and
integer programs. The pack fails if any count from 1 to N - 1 that it withholds or only
implies can be narrowed below the range its key promises (1 to N - 1).

The attacker reads what the pack prints (``Protection.count``: a number, ``<N``, ``c``, a
dash) and knows nothing of the choices made inside :mod:`auditapp.rules.suppression`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from datetime import date

import pytest

from auditapp.rules.suppression import SECONDARY, DisclosureModel, Key, Protection
from auditapp.services.demo import generate_demo
from auditapp.services.reporting.board_figures import board_figures, disclosure_model
from auditapp.services.reporting.figures import ReportScope
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from tests.builders import LEAD, add_people

optimize = pytest.importorskip("scipy.optimize")
np = pytest.importorskip("numpy")

END = date(2026, 6, 30)
#: The 60-audit database takes minutes to protect (see README): only when asked.
SIZES = [30, 45, *([60] if os.environ.get("AUDITAPP_ATTACK_LARGE") else [])]


def _reader_bounds(model: DisclosureModel, protection: Protection, key: Key
                   ) -> tuple[float, float]:
    """What the printed pack tells a reader of one figure."""
    try:
        printed = protection.count(key)
    except KeyError:  # never printed (a remainder, the audits of a quarter ...)
        return 0, math.inf
    if printed.startswith("<"):
        return 1, int(printed[1:]) - 1
    if printed == SECONDARY:
        return protection.threshold, math.inf
    if printed == "\u2013":
        return 0, math.inf
    value = int(printed.replace(",", ""))
    return value, value


def attack(model: DisclosureModel, protection: Protection) -> dict[Key, tuple[int, int]]:
    """Every sensitive count the pack lets a reader narrow, with the range the reader gets
    (from the tighter of the linear and the integer program)."""
    keys = list(model.values)
    index = {k: i for i, k in enumerate(keys)}
    rows = np.zeros((len(model.sums), len(keys)))
    for r, (total, parts) in enumerate(model.sums):
        rows[r, index[total]] += 1
        for p in parts:
            rows[r, index[p]] -= 1
    bounds = [_reader_bounds(model, protection, k) for k in keys]
    constraint = optimize.LinearConstraint(rows, 0, 0)
    box = optimize.Bounds([b[0] for b in bounds], [b[1] for b in bounds])
    narrowed = {}
    threshold = protection.threshold
    for key in model.sensitive():
        ends = []
        for sign in (1, -1):
            objective = np.zeros(len(keys))
            objective[index[key]] = sign
            results = [optimize.milp(objective, constraints=[constraint], bounds=box,
                                     integrality=np.full(len(keys), whole))
                       for whole in (0, 1)]
            assert all(r.status == 0 for r in results), "the pack contradicts its own key"
            # The integer program is the tighter: it is what the reader can prove.
            ends.append(round(sign * results[1].fun))
            assert sign * results[0].fun <= sign * results[1].fun + 1e-6
        low, high = ends
        if low > 1 or high < threshold - 1:
            narrowed[key] = (low, high)
    return narrowed


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Database]]:
    """Demo databases of 30 and 45 audits (and 60), built once for this module."""
    databases = {}
    for size in SIZES:
        path = tmp_path_factory.mktemp("attack") / f"demo{size}.sqlite"
        database = open_database(path)
        add_people(database)
        list(generate_demo(database, size, LEAD, seed=size, years=1.0, end=END))
        databases[size] = database
    yield databases
    for database in databases.values():
        database.dispose()


def _pack(db: Database, scope: ReportScope, threshold: int
          ) -> tuple[DisclosureModel, Protection]:
    model = disclosure_model(board_figures(db, scope, threshold, END))
    return model, model.protect()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("threshold", [3, 5])
def test_no_withheld_count_can_be_narrowed_in_a_pack(small_demo: dict[int, Database],
                                                     size: int, threshold: int) -> None:
    model, protection = _pack(small_demo[size], ReportScope(date(2025, 7, 1), END), threshold)
    assert model.sensitive(), "a pack of a small database has small counts to protect"
    assert attack(model, protection) == {}


def test_no_withheld_count_can_be_narrowed_in_a_pack_for_one_template(
        small_demo: dict[int, Database]) -> None:
    scope = ReportScope(date(2025, 7, 1), END, template_key="pathway-plan-quality")
    model, protection = _pack(small_demo[45], scope, 5)
    assert attack(model, protection) == {}


def test_the_attacker_finds_what_primary_suppression_alone_leaves_open(
        small_demo: dict[int, Database]) -> None:
    """The attack, before the defence: withholding only the small counts themselves (<N) and
    printing every other figure lets the reader narrow some of them."""
    model, protection = _pack(small_demo[45], ReportScope(date(2025, 7, 1), END), 5)
    naive = Protection(protection.threshold, protection.values, protection.primary,
                       frozenset(), protection.unprinted)
    assert attack(model, naive) != {}
