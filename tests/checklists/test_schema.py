"""One definition of the template format: the JSON Schema shipped for editors is the one the
loaders use, the shipped templates point editors at it, and the two never disagree about the
shape of a file."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from auditapp.checklists.format import load_template_text, validate_template
from auditapp.checklists.schema import json_schema
from auditapp.errors import ValidationError
from auditapp.services.shipped_templates import shipped_template_texts
from tests.builders import ROOT, SMALL_TEMPLATE, node_paths
from tests.figures import FIGURES

SHIPPED_SCHEMA = ROOT / "docs" / "template.schema.json"
MODELINE = "# yaml-language-server: $schema="
VALIDATOR = jsonschema.Draft7Validator(json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8")))


def test_the_shipped_json_schema_is_the_one_generated_from_the_models() -> None:
    shipped = json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8"))
    assert shipped == json_schema(), "run: python tools/template_schema.py"
    jsonschema.Draft7Validator.check_schema(shipped)


@pytest.mark.parametrize("name", sorted(shipped_template_texts()))
def test_every_shipped_template_points_an_editor_at_the_schema(name: str) -> None:
    text = (ROOT / "audit_templates" / name).read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith(MODELINE), first
    target = (ROOT / "audit_templates" / first[len(MODELINE):]).resolve()
    assert target == SHIPPED_SCHEMA.resolve()
    VALIDATOR.validate(yaml.safe_load(text))


def test_what_the_schema_tells_an_editor() -> None:
    """Completion needs the fields and their descriptions; errors need the limits."""
    schema = json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8"))
    question = schema["definitions"]["Question"]
    assert question["additionalProperties"] is False
    assert {"id", "text", "guidance", "critical", "scale", "evidence_required",
            "tags"} == set(question["properties"])
    assert all("description" in json.dumps(p) for p in question["properties"].values())
    errors = sorted(VALIDATOR.iter_errors({"id": "x y", "title": "", "sections": [
        {"id": "S1", "title": "T", "critcal": True, "questions": []}]}), key=str)
    assert len(errors) >= 4


BASE = yaml.safe_load(SMALL_TEMPLATE.read_text(encoding="utf-8"))
PATHS = node_paths(BASE)[1:]
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=False),
              st.text(max_size=12), st.sampled_from(["", " ", "Y", "NA", "uasc", "met",
                                                      "S1", "x" * 41, "A B"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["id", "text", "code", "x"]),
                                            inner, max_size=3)), max_leaves=8)


@given(st.sampled_from(PATHS), values)
def test_the_editor_and_auditapp_agree_on_the_shape_of_a_template(path: tuple[Any, ...],
                                                                  value: Any) -> None:
    """Whatever auditapp takes, the editor takes; whatever the editor flags, auditapp refuses
    (auditapp checks more than a schema can say: unique ids, scales, evidence codes)."""
    FIGURES["inputs tried: template JSON Schema against the loader"] += 1
    document = copy.deepcopy(BASE)
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    editor_ok = VALIDATOR.is_valid(document)
    try:
        validate_template(document, lambda _p: "fuzz.yaml:1", "fuzz.yaml")
    except ValidationError:
        auditapp_ok = False
    else:
        auditapp_ok = True
    assert editor_ok or not auditapp_ok, (path, value)


def test_a_number_where_text_belongs_must_be_quoted() -> None:
    text = SMALL_TEMPLATE.read_text(encoding="utf-8").replace("id: small-test", "id: 1.10")
    with pytest.raises(ValidationError) as caught:
        load_template_text(text, "numbers.yaml")
    assert any("must be text, not the number 1.1 (put the value in quotes)" in p
               for p in caught.value.problems)


def test_a_shipped_template_is_unchanged_by_its_schema_line(tmp_path: Path) -> None:
    for name, text in shipped_template_texts().items():
        without = "\n".join(text.splitlines()[1:]) + "\n"
        assert load_template_text(without, name) == load_template_text(text, name)
