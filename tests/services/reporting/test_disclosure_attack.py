"""The attacker: from everything a board pack prints, and the sums that tie its figures
together (which any reader can see), bound every withheld small count with SciPy's linear and
integer programs. The pack fails if any count from 1 to N - 1 that it withholds or only
implies can be narrowed below the range its key promises (1 to N - 1).

The attacker reads what the pack prints (``Protection.count``: a number, ``<N``, ``c``, a
dash; whether the agreement figures are printed) and knows nothing of the choices made inside
:mod:`auditapp.rules.suppression`.

Agreement figures (shares, kappa with its n) are not linear in the counts: they come from the
table of pairs of grades (auditor's, moderator's) of the moderated audits. Where a pack prints
them, the attacker here is given more than they tell: that whole table, exactly (so kept,
raised and lowered, and how many moderated audits have each final grade, each a part of that
grade's count). Nothing narrowed by this stronger reader means nothing narrowed by kappa.
Against a pack that printed kappa as packs did before, an exhaustive search over every table
of pairs shows what kappa alone gives away.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pytest

from auditapp.rules.agreement import weighted_kappa
from auditapp.rules.suppression import HEADLINE, SECONDARY, DisclosureModel, Key, Protection
from auditapp.services.demo import TEAMS, generate_demo
from auditapp.services.programme import PlannedLine, set_planned
from auditapp.services.reporting.board_figures import (
    BANDS,
    BoardPack,
    board_figures,
    disclosure_model,
)
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.reporting.manifest import audit_refs
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from tests.builders import LEAD, add_people

optimize = pytest.importorskip("scipy.optimize")
np = pytest.importorskip("numpy")

END = date(2026, 6, 30)
#: The 60-audit database takes minutes to protect (see README): only when asked.
#: More than any count in a pack: the reader's bound on a count nothing else bounds.
CAP = 10**6
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


def _agreement_knowledge(pack: BoardPack | None) -> dict[Key, int]:
    """What the stronger reader learns where the pack prints agreement figures: each overall
    grade count holds at least the moderated audits with that final grade (``{grade count:
    moderated part}``). Kept, raised and lowered are sums of the table the attacker is given;
    the pack must print them as numbers, and each section kappa's row of counts likewise
    (its pairs are some of those grades): else the pack gives the table's sums away."""
    if pack is None or not pack.agreement_printed():
        return {}
    moderation = pack.figures.current.moderation
    protection = pack.protection
    for name, value in (("same", moderation.same), ("raised", moderation.raised),
                        ("lowered", moderation.lowered)):
        assert protection.count(("moderation", name)) == f"{value:,}", \
            f"kappa printed beside a withheld {name} count"
    return {("overall", grade): part for grade, part in moderation.final_grades.items()}


def _section_kappas_only_on_exact_rows(pack: BoardPack) -> None:
    for section in pack.figures.current.agreement.sections:
        if pack.section_agreement_printed(section.template_key, section.section_key,
                                          section.agreement.pairs):
            for band in (*BANDS, "total"):
                key = ("section", f"{section.template_key}/{section.section_key}", band)
                assert pack.protection.count(key) == f"{pack.protection.values[key]:,}"


def pack_attack(model: DisclosureModel, pack: BoardPack) -> dict[Key, tuple[int, int]]:
    """:func:`attack` on a board pack, the reader knowing the table of pairs of grades
    wherever the pack prints agreement figures."""
    _section_kappas_only_on_exact_rows(pack)
    return attack(model, pack.protection, _agreement_knowledge(pack))


def _printed(name: str, model: DisclosureModel, pack: BoardPack) -> Printed:
    _section_kappas_only_on_exact_rows(pack)
    return Printed(name, model, pack.protection, _agreement_knowledge(pack))


def attack(model: DisclosureModel, protection: Protection,
           parts: Mapping[Key, int] | None = None) -> dict[Key, tuple[int, int]]:
    """Every sensitive count the pack lets a reader narrow, with the range the reader gets
    (from the tighter of the linear and the integer program). ``parts``: counts the reader
    knows to be part of a figure (``{figure: part}``)."""
    return joint_attack([Printed("", model, protection, dict(parts or {}))])


@dataclass
class Printed:
    """One pack as a reader has it, its figures' keys prefixed with ``name``."""

    name: str
    model: DisclosureModel
    protection: Protection
    parts: dict[Key, int]

    def key(self, key: Key) -> Key:
        return (self.name, key) if self.name else key


def joint_attack(packs: Sequence[Printed], within: Sequence[tuple[str, str]] = ()
                 ) -> dict[Key, tuple[int, int]]:
    """:func:`attack` on several packs read together. ``within``: pairs (smaller, larger) of
    packs whose audits the reader knows to be some of the other's (a draft of 1 Jan to 18 Jun
    inside a release of 1 Jan to 30 Jun): then each count of the larger is the smaller's
    count plus a count of the audits between them, not negative, adding up as the figures
    do. Packs not paired are taken as counting other audits (released packs: disjoint)."""
    keys = [p.key(k) for p in packs for k in p.model.values]
    sums = [(p.key(t), tuple(p.key(m) for m in members))
            for p in packs for t, members in p.model.sums]
    bounds = {p.key(k): _reader_bounds(p.model, p.protection, k)
              for p in packs for k in p.model.values}
    knowns = [({p.key(w): 1.0, ("unmoderated", p.key(w)): -1.0}, float(n))
              for p in packs for w, n in p.parts.items()]
    keys += [("unmoderated", p.key(w)) for p in packs for w in p.parts]
    by_name = {p.name: p for p in packs}
    for small, large in within:
        # Audits the programme does not plan are not "within": a plan that runs past the
        # smaller pack's end counts its audits as unplanned there and as planned in the larger.
        shared = {k for k in by_name[small].model.values.keys()
                  & by_name[large].model.values.keys() if k[:2] != ("programme", "unplanned")}
        between = {k: ("between", small, large, k) for k in shared}
        keys += list(between.values())
        knowns += [({by_name[large].key(k): 1.0, by_name[small].key(k): -1.0, d: -1.0}, 0.0)
                   for k, d in between.items()]
        sums += [(between[t], tuple(between[m] for m in members))
                 for t, members in by_name[large].model.sums
                 if t in between and all(m in between for m in members)]
    index = {k: i for i, k in enumerate(keys)}
    rows = np.zeros((len(sums) + len(knowns), len(keys)))
    constants = np.zeros(len(sums) + len(knowns))
    for r, (total, members) in enumerate(sums):
        rows[r, index[total]] += 1
        for m in members:
            rows[r, index[m]] -= 1
    for r, (coefficients, constant) in enumerate(knowns, start=len(sums)):
        for k, a in coefficients.items():
            rows[r, index[k]] += a
        constants[r] = constant
    # No count exceeds CAP: the reader may assume it, so every program is bounded (a count
    # only implied, such as what an indicator's share leaves over, may otherwise be
    # unbounded above where the figures around it are withheld as c).
    box = optimize.Bounds([bounds.get(k, (0, CAP))[0] for k in keys],
                          [min(bounds.get(k, (0, CAP))[1], CAP) for k in keys])
    constraint = optimize.LinearConstraint(rows, constants, constants)
    narrowed = {}
    for pack in packs:
        threshold = pack.protection.threshold
        for key in map(pack.key, pack.model.sensitive()):
            ends = []
            for sign in (1, -1):
                objective = np.zeros(len(keys))
                objective[index[key]] = sign
                results = [optimize.milp(objective, constraints=[constraint], bounds=box,
                                         integrality=np.full(len(keys), whole))
                           for whole in (0, 1)]
                assert all(r.status == 0 for r in results), "the packs contradict their key"
                # The integer program is the tighter: it is what the reader can prove.
                ends.append(round(sign * results[1].fun))
                # Both minimise sign * key: the relaxation's minimum is never above the
                # integer program's (for sign -1 the maximum is never below).
                assert results[0].fun <= results[1].fun + 1e-6
            low, high = ends
            if low > 1 or high < threshold - 1:
                narrowed[key] = (low, high)
    return narrowed


QUARTERS = ((date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 12, 31)),
            (date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), END))


def _plan(db: Database) -> None:
    """An audit programme for the year, so that every pack prints completed against planned
    (counts per team and template, tied to the template totals) for the attacker to try."""
    for period in QUARTERS:
        for team in TEAMS[:2]:
            for key in ("pathway-plan-quality", "uasc-pathway-plan"):
                set_planned(db, PlannedLine(*period, team, key, 3), LEAD)


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Database]]:
    """Demo databases of 30 and 45 audits (and 60), built once for this module."""
    databases = {}
    for size in SIZES:
        path = tmp_path_factory.mktemp("attack") / f"demo{size}.sqlite"
        database = open_database(path)
        add_people(database)
        list(generate_demo(database, size, LEAD, seed=size, years=1.0, end=END))
        _plan(database)
        databases[size] = database
    yield databases
    for database in databases.values():
        database.dispose()


def _pack(db: Database, scope: ReportScope, threshold: int, release: bool = False
          ) -> tuple[DisclosureModel, BoardPack]:
    figures = board_figures(db, scope, threshold, END, own_period_only=release)
    model = disclosure_model(figures)
    return model, BoardPack(figures, model.protect())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("threshold", [3, 5])
def test_no_withheld_count_can_be_narrowed_in_a_pack(small_demo: dict[int, Database],
                                                     size: int, threshold: int) -> None:
    model, pack = _pack(small_demo[size], ReportScope(date(2025, 7, 1), END), threshold)
    assert model.sensitive(), "a pack of a small database has small counts to protect"
    assert ("programme", "completed") in model.values, "the pack reports the programme"
    assert pack_attack(model, pack) == {}


def test_no_withheld_count_can_be_narrowed_in_a_pack_for_one_template(
        small_demo: dict[int, Database]) -> None:
    scope = ReportScope(date(2025, 7, 1), END, template_key="pathway-plan-quality")
    model, pack = _pack(small_demo[45], scope, 5)
    assert pack_attack(model, pack) == {}


H2_2025 = ReportScope(date(2025, 7, 1), date(2025, 12, 31))
H1_2026 = ReportScope(date(2026, 1, 1), END)


def test_nothing_withheld_is_narrowed_by_two_disjoint_releases_read_together(
        small_demo: dict[int, Database]) -> None:
    """Two consecutive half-years released from one database (the register allows it: they
    count disjoint audits), attacked together: every figure of both, every sum of both."""
    db = small_demo[45]
    refs = [{a.uid for a in audit_refs(db, [s])} for s in (H2_2025, H1_2026)]
    assert refs[0] and refs[1] and not refs[0] & refs[1]
    packs = [_printed(name, *_pack(db, scope, 5, release=True))
             for name, scope in (("h2", H2_2025), ("h1", H1_2026))]
    assert all(p.model.sensitive() for p in packs)
    assert joint_attack(packs) == {}


def test_a_draft_inside_a_release_narrows_what_the_release_withholds(
        small_demo: dict[int, Database]) -> None:
    """Why a draft stays a draft (the limit the README states): a draft of 1 Jan to 18 Jun
    read with the release of 1 Jan to 30 Jun gives away counts both withhold, since the
    reader subtracts them. The register refuses such a pack for release."""
    db = small_demo[45]
    release = _printed("release", *_pack(db, H1_2026, 5, release=True))
    draft = _printed("draft", *_pack(db, ReportScope(H1_2026.date_from, date(2026, 6, 18)),
                                     5))
    assert attack(release.model, release.protection, release.parts) == {}
    assert attack(draft.model, draft.protection, draft.parts) == {}
    assert joint_attack([release, draft], within=[("draft", "release")]) != {}


def test_the_attacker_finds_what_primary_suppression_alone_leaves_open(
        small_demo: dict[int, Database]) -> None:
    """The attack, before the defence: withholding only the small counts themselves (<N) and
    printing every other figure lets the reader narrow some of them."""
    model, pack = _pack(small_demo[45], ReportScope(date(2025, 7, 1), END), 5)
    protection = pack.protection
    naive = Protection(protection.threshold, protection.values, protection.primary,
                       frozenset(), protection.unprinted)
    assert attack(model, naive) != {}


# --- agreement: kappa over few pairs ----------------------------------------------------------


def _tables(n: int) -> np.ndarray:
    """Every 4 x 4 table of whole counts adding up to ``n`` (auditor's grade by row, the
    moderator's by column, Inadequate first)."""
    cuts = np.array(list(itertools.combinations(range(n + 15), 15)))
    edges = np.hstack([np.full((len(cuts), 1), -1), cuts, np.full((len(cuts), 1), n + 15)])
    return (np.diff(edges, axis=1) - 1).reshape(-1, 4, 4)


def kappa_attack(n: int, kappa: str | None, printed: Mapping[str, tuple[int, int]]
                 ) -> set[int]:
    """Every value of "lowered" some table of ``n`` pairs allows, given the printed ranges
    of kept, raised and lowered and the kappa as printed to two places (None: a dash)."""
    tables = _tables(n)
    rows, columns = np.indices((4, 4))
    sums = {"same": np.trace(tables, axis1=1, axis2=2),
            "raised": (tables * (columns > rows)).sum(axis=(1, 2)),
            "lowered": (tables * (columns < rows)).sum(axis=(1, 2))}
    fits = np.ones(len(tables), dtype=bool)
    for name, (low, high) in printed.items():
        fits &= (sums[name] >= low) & (sums[name] <= high)
    if kappa is not None:
        for t in np.flatnonzero(fits):
            pairs = [(r + 1, c + 1) for r in range(4) for c in range(4)
                     for _ in range(tables[t, r, c])]
            value = weighted_kappa(pairs)
            fits[t] = value is not None and f"{value:.2f}" == kappa
    return {int(v) for v in sums["lowered"][fits]}


def _moderation_pack(same: int, raised: int, lowered: int) -> tuple[DisclosureModel, Protection]:
    """A pack's moderation figures at N = 5, protected as board packs are."""
    model = DisclosureModel(5)
    model.add(("moderation", "moderated"), same + raised + lowered, HEADLINE)
    for name, value in (("same", same), ("raised", raised), ("lowered", lowered)):
        model.add(("moderation", name), value)
    model.add_sum(("moderation", "moderated"),
                  [("moderation", n) for n in ("same", "raised", "lowered")])
    return model, model.protect()


def test_kappa_over_few_pairs_narrows_lowered_where_packs_printed_it() -> None:
    """The attack, before the defence: 7 moderated audits, kept 4, raised 2, lowered 1, each
    printed as <5, and kappa 0.57 (n = 7) as packs printed it whenever n was 5 or more. The
    sums alone leave lowered anywhere from 1 to 4; with kappa, only 1 or 2."""
    table = np.array([[0, 0, 0, 0], [0, 2, 0, 0], [0, 1, 0, 2], [0, 0, 0, 2]])
    pairs = [(r + 1, c + 1) for r in range(4) for c in range(4) for _ in range(table[r, c])]
    kappa = weighted_kappa(pairs)
    assert kappa is not None and f"{kappa:.2f}" == "0.57"
    model, protection = _moderation_pack(same=4, raised=2, lowered=1)
    printed = {name: _reader_bounds(model, protection, ("moderation", name))
               for name in ("same", "raised", "lowered")}
    assert printed == {name: (1, 4) for name in printed}
    assert attack(model, protection) == {}  # the sums alone narrow nothing
    assert kappa_attack(7, "0.57", {k: (int(a), int(b)) for k, (a, b) in printed.items()}) \
        == {1, 2}


def test_kappa_is_withheld_where_it_would_narrow_a_withheld_count() -> None:
    """The defence: the same figures, as a pack prints them now. Kept, raised and lowered are
    withheld, so kappa is not printed, and lowered could again be anything from 1 to 4."""
    model, protection = _moderation_pack(same=4, raised=2, lowered=1)
    keys = [("moderation", n) for n in ("moderated", "same", "raised", "lowered")]
    assert not protection.hides_nothing_of(keys, {})
    assert kappa_attack(7, None, {n: (1, 4) for n in ("same", "raised", "lowered")}) \
        == {1, 2, 3, 4}
    # With every moderation count printed as its number, the table's sums are known anyway.
    model, protection = _moderation_pack(same=5, raised=6, lowered=0)
    assert protection.hides_nothing_of(keys, {})


def test_kappa_is_withheld_where_the_moderated_grades_would_narrow_a_grade_count() -> None:
    """Knowing the table of pairs tells how many moderated audits have each final grade,
    some of the audits with that grade: 2 moderated audits finally Inadequate make a printed
    <5 Inadequate at least 2. So kappa is printed only where no such part exceeds the least
    its grade's printed symbol allows."""
    model = DisclosureModel(5)
    model.add(("overall", "Good"), 28, HEADLINE)
    model.add(("overall", "Inadequate"), 2, HEADLINE)
    model.add(("overall", "total"), 30, HEADLINE)
    model.add_sum(("overall", "total"), [("overall", "Good"), ("overall", "Inadequate")])
    protection = model.protect()
    assert protection.count(("overall", "Inadequate")) == "<5"
    for moderated, allowed in (({"Good": 5, "Inadequate": 2}, False),
                               ({"Good": 5, "Inadequate": 1}, True)):
        parts = {("overall", g): n for g, n in moderated.items()}
        assert protection.hides_nothing_of([], parts) == allowed
        assert (attack(model, protection, parts) == {}) == allowed
    assert attack(model, protection, {("overall", "Inadequate"): 2}) \
        == {("overall", "Inadequate"): (2, 4)}


# --- the findings: priorities, cohorts, indicators, actions by age and priority ----------------

FINDINGS = ("priority", "cohort", "indicator", "actions_age", "actions_priority")


def _findings_keys(model: DisclosureModel) -> set[Key]:
    return {k for k in model.values if isinstance(k, tuple) and k[0] in FINDINGS}


def test_the_attacker_reads_the_findings_tables(small_demo: dict[int, Database]) -> None:
    """The attacker above reads every figure and sum in the model, so the tables by
    priority, cohort, indicator and action breakdown are in what it attacks, tied to the
    rest of the pack (cohort rows add up to the period's grade counts, actions by age to the
    actions by state ...)."""
    model, pack = _pack(small_demo[45], ReportScope(date(2025, 7, 1), END), 5)
    keys = _findings_keys(model)
    assert {k[0] for k in keys} == set(FINDINGS)
    tied = {m for total, members in model.sums for m in (total, *members)
            if m in keys}
    assert {k[0] for k in tied} == set(FINDINGS)
    assert any(k in keys for k in model.sensitive()), "the findings hold small counts"
    assert any(total[0] in ("overall", "actions") and members[0] in keys
               for total, members in model.sums), "findings tied to the pack's totals"


def test_the_findings_printed_with_only_their_small_counts_withheld_give_counts_away(
        small_demo: dict[int, Database]) -> None:
    """The attack, before the defence: the new tables printed as a pack without their own
    suppression would print them (every small count <N, every other count as its number,
    the rest of the pack as protected) let a reader narrow withheld counts; with the pack's
    protection, nothing."""
    model, pack = _pack(small_demo[45], ReportScope(date(2025, 7, 1), END), 5)
    protection = pack.protection
    keys = _findings_keys(model)
    assert protection.secondary & keys, "the findings needed suppression of their own"
    naive = Protection(protection.threshold, protection.values, protection.primary,
                       protection.secondary - keys, protection.unprinted, protection.folded)
    assert attack(model, naive) != {}
    assert pack_attack(model, pack) == {}
