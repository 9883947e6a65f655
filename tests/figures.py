"""Counts the reliability tests add up, printed at the end of a run (see conftest)."""

from __future__ import annotations

from collections import Counter

#: "kills survived", "answers checked", "fuzz inputs: ..." and so on.
FIGURES: Counter[str] = Counter()
