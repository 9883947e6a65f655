"""The audits behind each bar or cell agree with the figure the bar or cell shows."""

from __future__ import annotations

from datetime import date

import pytest

from auditapp.services.reporting.figures import (
    FigureCell,
    ReportScope,
    audits_behind,
    lines_of_enquiry,
    period_figures,
)
from auditapp.storage.engine import Database
from tests.builders import DEMO_END

pytestmark = pytest.mark.both_backends

SCOPE = ReportScope(DEMO_END.replace(year=2025), DEMO_END)


def test_every_bar_and_cell_lists_as_many_audits_as_it_counts(demo_db: Database) -> None:
    figures = period_figures(demo_db, SCOPE, DEMO_END)
    for grade, count in figures.overall.counts.items():
        assert len(audits_behind(demo_db, SCOPE, FigureCell(grade=grade))) == count
    for quarter in figures.quarters[1:-1]:  # whole quarters
        for grade, count in quarter.counts.items():
            cell = FigureCell(grade=grade, quarter=date.fromisoformat(quarter.key))
            assert len(audits_behind(demo_db, SCOPE, cell)) == count, (quarter.label, grade)
    for team in figures.teams:
        assert len(audits_behind(demo_db, SCOPE, FigureCell(team=team.key))) == team.total
    for section in figures.sections[:5]:
        for grade in ("Good", "Inadequate"):
            behind = audits_behind(demo_db, SCOPE, FigureCell(
                grade=grade, section=(section.template_key, section.section_key)))
            assert len(behind) == section.counts[grade]
    kloe = lines_of_enquiry(figures.sections)[0]
    behind = audits_behind(demo_db, SCOPE, FigureCell(grade="Good", section=kloe.key))
    assert 0 < len(behind) <= kloe.counts["Good"]  # an audit may count in two sections
