"""YAML read within limits: tags, aliases and nesting that used to raise tracebacks or eat
gigabytes are each one located line, in bounded memory."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditapp.errors import ValidationError
from auditapp.inputs.yaml_text import read_yaml
from auditapp.rules.limits import YAML_ALIASES, YAML_DEPTH, YAML_VALUES
from tests.figures import FIGURES

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _refusal(text: str) -> str:
    with pytest.raises(ValidationError) as caught:
        read_yaml(text, "t.yaml")
    (problem,) = caught.value.problems
    return problem


@pytest.mark.parametrize(("text", "expected"), [
    ("id: !!int abc\n", "t.yaml:1: YAML tags such as '!!int' are not used in templates"),
    ("id: !!timestamp x\n", "t.yaml:1: YAML tags such as '!!timestamp' are not used"),
    ("id: !!python/object:os.system x\n", "t.yaml:1: YAML tags such as"),
    ("a: &a [*a]\n", "t.yaml:1: nested more than 20 levels deep once aliases are followed"),
    ("[" * 50_000, "t.yaml:1: nested more than 20 levels deep"),
    ("x:\n" + "".join("  " * n + f"k{n}:\n" for n in range(1, 40)), "t.yaml:20: nested more"),
    ("id: a\nid: b\n", "t.yaml:2: the field 'id' is given twice"),
    ("? [a, b]\n: c\n", "t.yaml:1: a field name must be a single word or phrase"),
    ("a: [unclosed\n", "t.yaml:2:"),
    ("a: '\x07'\n", "t.yaml:"),
])
def test_hostile_yaml_is_one_located_line(text: str, expected: str) -> None:
    assert _refusal(text).startswith(expected)


def test_a_billion_laughs_is_refused_in_bounded_memory() -> None:
    tracemalloc.start()
    try:
        problem = _refusal(BILLION_LAUGHS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"more than {YAML_ALIASES} aliases" in problem
    assert peak < 5_000_000, peak


def test_aliases_within_the_limits_still_work() -> None:
    data, lines = read_yaml("s: &s [1, 2]\nt: [*s, *s]\n", "t.yaml")
    assert data == {"s": [1, 2], "t": [[1, 2], [1, 2]]}
    assert lines[("t",)] == 2


def test_few_aliases_that_multiply_are_stopped_by_the_count_of_values() -> None:
    text = "a: &a [" + ",".join(["x"] * 5000) + "]\n" + "b: [" + ",".join(["*a"] * 19) + "]\n"
    problem = _refusal(text)
    assert f"more than {YAML_VALUES:,} values" in problem


def test_values_yaml_cannot_build_are_kept_as_text() -> None:
    data, _ = read_yaml("d: 2026-02-30\nn: " + "9" * 5000 + "\n", "t.yaml")
    assert data["d"] == "2026-02-30"
    assert data["n"] == "9" * 5000


def test_keys_are_text_whatever_yaml_reads() -> None:
    data, lines = read_yaml("NO: 1\n3: x\n", "t.yaml")
    assert data == {"False": 1, "3": "x"}
    assert lines[("3",)] == 2


def test_depth_within_the_limit_is_read() -> None:
    text = "[" * (YAML_DEPTH - 1) + "]" * (YAML_DEPTH - 1)
    data: Any = read_yaml(text, "t.yaml")[0]
    for _ in range(YAML_DEPTH - 2):
        data = data[0]
    assert data == []


@given(st.text(alphabet=st.sampled_from("[]{}&*!:-, \n'\"ab1|>?#%@`\t"), max_size=300))
def test_any_yaml_punctuation_reads_or_is_one_located_refusal(text: str) -> None:
    FIGURES["inputs tried: YAML reader"] += 1
    try:
        read_yaml(text, "fuzz.yaml")
    except ValidationError as exc:
        problems = exc.problems
    else:
        return
    assert len(problems) == 1 and problems[0].startswith("fuzz.yaml")
