"""Import outcomes and conflict sides are closed sets that still read as their words."""

from __future__ import annotations

import json

import pytest

from auditapp.services.sync import bundles
from auditapp.services.sync.merge import FieldConflict, MergePlan, Side, resolve


def test_outcomes_print_and_serialise_as_before() -> None:
    assert [o.value for o in bundles.Outcome] == ["added", "updated", "merged", "unchanged",
                                                  "conflict"]
    assert (bundles.ADDED, bundles.CONFLICT) == ("added", "conflict")
    assert f"  {bundles.UPDATED:<9} C-1" == "  updated   C-1"  # the command line's report
    assert json.dumps([bundles.MERGED]) == '["merged"]'
    assert bundles.PREFERENCES == ("local", "remote")


def _plan() -> MergePlan:
    conflict = FieldConflict("audit", "auditor", "Alex", "Bea", "Cy")
    return MergePlan({"audit": {"auditor": "Bea"}}, [conflict])


@pytest.mark.parametrize(("choice", "auditor"), [
    (Side.LOCAL, "Bea"), ("local", "Bea"), (Side.REMOTE, "Cy"), ("remote", "Cy")])
def test_a_conflict_is_settled_by_a_side_or_its_word(choice: str, auditor: str) -> None:
    assert resolve(_plan(), {"audit|auditor": choice})["audit"]["auditor"] == auditor


def test_any_other_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="settled with 'local' or 'remote', not 'both'"):
        resolve(_plan(), {"audit|auditor": "both"})
