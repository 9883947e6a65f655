"""Compliance and voice indicators declared in templates: who is eligible, and what a count
of answers says against a target.

An indicator counts the answers to one question of a template (see
``docs/template-format.md``): the *denominator* is every eligible young person's audit where
the question was answered with a scored option (a "not applicable" answer, or no answer, is
left out), the *numerator* those answered with one of the indicator's codes. It is reported
with its n, its percentage and a Wilson 95 % interval; below its ``min_n`` it is "too few to
judge" and is not set against its target, since the interval would be too wide to say.

Pure functions: numbers in, plain results out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from auditapp.models.enums import CareLeaverCategory
from auditapp.rules.statistics import Interval, wilson_interval

#: Age bands of the board report (domain.md section 8): the ages care leavers are supported
#: to, by the duties that apply (16-17 eligible or relevant, 18-20 former relevant, 21-25 on
#: request).
AGE_BANDS: dict[str, tuple[int, int]] = {"16-17": (16, 17), "18-20": (18, 20),
                                         "21-25": (21, 25)}
#: The care leaver categories an indicator's eligibility may name.
CATEGORIES = tuple(c.value for c in CareLeaverCategory)
#: The band of a case whose age at audit is not recorded, or outside every band.
OTHER_AGE = "other or not recorded"
#: The kinds of indicator: compliance (domain.md 8.5) and the voice of young people (8.7).
COMPLIANCE, VOICE = "compliance", "voice"
KINDS = (COMPLIANCE, VOICE)
#: The n below which an indicator is "too few to judge" when its template says nothing.
DEFAULT_MIN_N = 10
#: The largest ``min_n`` a template may state.
MAX_MIN_N = 1000
TOO_FEW = "too few to judge"


def age_band(age: int | None) -> str:
    """The board report's age band of an age at audit (:data:`OTHER_AGE` if none fits)."""
    if age is not None:
        for band, (low, high) in AGE_BANDS.items():
            if low <= age <= high:
                return band
    return OTHER_AGE


@dataclass(frozen=True)
class Eligibility:
    """Whose audits an indicator counts; an empty or None criterion lets everyone in."""

    categories: tuple[str, ...] = ()
    uasc: bool | None = None
    ages: tuple[str, ...] = ()

    def admits(self, category: str, uasc: bool, age: int | None) -> bool:
        """Whether a young person of this category, status and age is eligible."""
        return ((not self.categories or category in self.categories)
                and (self.uasc is None or uasc == self.uasc)
                and (not self.ages or age_band(age) in self.ages))

    def describe(self) -> str:
        """Who is eligible, in words ("" for everyone)."""
        parts = []
        if self.categories:
            parts.append(" or ".join(self.categories))
        if self.uasc is not None:
            parts.append("unaccompanied" if self.uasc else "not unaccompanied")
        if self.ages:
            parts.append("aged " + " or ".join(self.ages))
        return "; ".join(parts)


def counts_answer(code: str | None, score: float | None, counted: Collection[str]
                  ) -> tuple[bool, bool]:
    """(in the denominator, in the numerator) for one answer: a scored answer is in the
    denominator; it is in the numerator when its code is one the indicator counts."""
    if code is None or score is None:
        return False, False
    return True, code in counted


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator's figures: ``count`` of ``n`` against ``target`` percent."""

    count: int
    n: int
    target: float | None
    min_n: int

    def __post_init__(self) -> None:
        if not 0 <= self.count <= self.n:
            raise ValueError(f"{self.count} of {self.n} is not a count of a total")
        if self.min_n < 1:
            raise ValueError("min_n must be at least 1")

    @property
    def too_few(self) -> bool:
        """Whether n is below the least the indicator is judged on."""
        return self.n < self.min_n

    @property
    def percentage(self) -> float | None:
        """The share in percent, None of nothing."""
        return 100 * self.count / self.n if self.n else None

    @property
    def interval(self) -> Interval | None:
        """The Wilson 95 % interval of the share (as fractions), None of nothing."""
        return wilson_interval(self.count, self.n) if self.n else None

    @property
    def met(self) -> bool | None:
        """Whether the share reaches the target; None without a target, or too few."""
        if self.target is None or self.too_few or self.percentage is None:
            return None
        return self.percentage >= self.target


def judgement(result: IndicatorResult) -> str:
    """The indicator against its target in words: "met", "not met", "too few to judge" or
    "" (no target)."""
    if result.too_few:
        return TOO_FEW
    if result.met is None:
        return ""
    return "met" if result.met else "not met"
