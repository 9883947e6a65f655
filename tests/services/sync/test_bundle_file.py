"""The bundle file as an attacker or a broken disk makes it: bombs, hostile key settings and
checksum-valid parts of the wrong shape are refused before anything is imported, each in
one line naming the part and the place."""

from __future__ import annotations

import base64
import copy
import json
import tempfile
import tracemalloc
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditapp.errors import UserError
from auditapp.services.audits.editing import ActionInput, add_action, submit_audit
from auditapp.services.moderation import finalise_moderation, record_blind_grades
from auditapp.services.sync import bundles
from auditapp.services.sync.bundle_file import (
    MAGIC,
    BundleError,
    read_bundle,
    write_bundle,
)
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    LEAD,
    MO,
    SMALL_TEMPLATE,
    add_people,
    complete_audit,
    make_audit,
    section_ids,
    zip_bytes,
)
from tests.figures import FIGURES

FOLDER = Path(tempfile.mkdtemp())
SCAFFOLD = ("parts", "format", "format_version")


def _source_bundle() -> Path:
    """A bundle of three audits: a draft with an action, a submitted one, a moderated one."""
    db = open_database(FOLDER / "source.sqlite", backup=False)
    add_people(db)
    import_template_file(db, SMALL_TEMPLATE, LEAD)
    template = find_template_id(db, "small-test")
    draft = make_audit(db, template, "CL-1")
    add_action(db, draft, ActionInput("Update the plan", "PA A", date(2026, 4, 1)), ALEX)
    for reference in ("CL-2", "CL-3"):
        audit = make_audit(db, template, reference)
        complete_audit(db, audit)
        submit_audit(db, audit, ALEX)
    graded = [section_ids(db, audit)[key] for key in ("A", "B")]
    record_blind_grades(db, audit, MO, {s: 3 for s in graded}, 3)
    finalise_moderation(db, audit, MO, {s: (3, "") for s in graded}, (3, ""))
    path = bundles.run_export(db, FOLDER / "source.auditbundle", LEAD).path
    db.dispose()
    return path


SOURCE = read_bundle(_source_bundle())
MANIFEST = {k: v for k, v in SOURCE.manifest.items() if k not in SCAFFOLD}


def _write(parts: dict[str, Any], manifest: dict[str, Any] | None = None,
           name: str = "shaped.auditbundle") -> Path:
    """A bundle whose checksums are all correct, whatever its parts hold."""
    return write_bundle(FOLDER / name, manifest if manifest is not None else MANIFEST, parts)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "target.sqlite", backup=False)
    add_people(db)
    yield db
    db.dispose()


def test_an_unchanged_bundle_opens_and_imports(target: Database) -> None:
    bundle = bundles.open_bundle(_write(SOURCE.parts))
    assert bundles.run_import(target, bundle, LEAD).count(bundles.ADDED) == 3


def test_history_json_holding_1_is_named_by_part_and_place() -> None:
    parts = {**SOURCE.parts, "history.json": [1]}
    with pytest.raises(BundleError) as caught:
        bundles.open_bundle(_write(parts))
    assert str(caught.value) == ("shaped.auditbundle: history.json [1]: input should be a valid "
                                 "dictionary, not 1. Nothing was imported.")


@pytest.mark.parametrize(("part", "path", "value", "expected"), [
    ("audits.json", (0, "snapshot", "audit", "status"), "deleted",
     "audits.json [1].snapshot.audit.status: 'deleted' is not one of draft, submitted"),
    ("audits.json", (0, "snapshot", "audit", "audit_date"), "9999-12-31",
     "audits.json [1].snapshot.audit.audit_date: the date 9999-12-31 is outside 1900 to 2100"),
    ("audits.json", (0, "snapshot", "case", "team"), "T" * 121,
     "audits.json [1].snapshot.case.team: string should have at most 120 characters"),
    ("audits.json", (0, "revision"), "7", "audits.json [1].revision: input should be a valid "
                                          "integer, not '7'"),
    ("cases.json", ("CL-1",), None, "cases.json ['CL-1']: input should be a valid string"),
    ("templates.json", (0, "version"), True, "templates.json [1].version: input should be a "
                                             "valid integer, not True"),
])
def test_a_value_of_the_wrong_shape_is_named_by_part_and_place(
        part: str, path: tuple[Any, ...], value: Any, expected: str) -> None:
    parts = copy.deepcopy(SOURCE.parts)
    node = parts[part]
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    with pytest.raises(BundleError) as caught:
        bundles.open_bundle(_write(parts))
    assert str(caught.value).startswith(f"shaped.auditbundle: {expected}"), str(caught.value)


def test_a_small_bundle_holding_a_huge_part_is_refused_before_it_is_read() -> None:
    """918 KB holding a 900 MB part used to be read whole (1.9 GB)."""
    body = zip_bytes({"manifest.json": json.dumps({**SOURCE.manifest}).encode(),
                      "audits.json": b" " * 900_000_000})
    head = MAGIC + b'{"encrypted": false}\n'
    import hashlib

    path = FOLDER / "bomb.auditbundle"
    path.write_bytes(head + body + hashlib.sha256(head + body).digest())
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(BundleError, match="the part audits.json is refused: it would inflate"):
            read_bundle(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak


@pytest.mark.parametrize(("n", "r", "p"), [(2**20, 16, 4), (2**17, 8, 2), (2**14, 8, 1),
                                           ("131072", 8, 1)])
def test_key_settings_other_than_auditapps_are_refused_before_any_work(n: Any, r: int,
                                                                       p: int) -> None:
    """n=2^20, r=16, p=4 would take 2.1 GB and half a minute before 'wrong passphrase'."""
    header = {"encrypted": True, "cipher": "AES-256-GCM",
              "kdf": {"name": "scrypt", "n": n, "r": r, "p": p,
                      "salt": base64.b64encode(bytes(16)).decode()},
              "nonce": base64.b64encode(bytes(12)).decode(), "check": "x"}
    path = FOLDER / "hostile.auditbundle"
    path.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + bytes(64))
    with pytest.raises(BundleError, match="asks for a cipher or key settings auditapp does "
                                          "not use"):
        read_bundle(path, "any passphrase at all")


@pytest.mark.parametrize("header", [b"[" * 3000, b'{"encrypted": false}' + b" " * 5000])
def test_a_header_that_is_not_one_is_one_line(header: bytes) -> None:
    path = FOLDER / "header.auditbundle"
    path.write_bytes(MAGIC + header + b"\nrest")
    with pytest.raises(BundleError, match="has a damaged header"):
        read_bundle(path)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


PLACES = [("manifest", p) for p in _paths(MANIFEST) if p] + [
    (part, p) for part, data in SOURCE.parts.items() for p in _paths(data) if p]
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
              st.sampled_from(["", "draft", "closed", "eligible", "2026-13-01", "9999-12-31",
                               "0" * 64, "x" * 200])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6)


def _kind(value: Any) -> str:
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) \
        else type(value).__name__


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(PLACES), json_values, st.booleans())
def test_checksum_valid_bundles_of_the_wrong_shape_are_refused_by_part_and_place(
        target: Database, place: tuple[str, tuple[Any, ...]], value: Any,
        remove: bool) -> None:
    """A value of another kind where one belongs, or a field taken away: every checksum is
    right, so only the shape check stands between the bundle and the import."""
    FIGURES["inputs tried: bundle parts of the wrong shape"] += 1
    part, path = place
    parts = copy.deepcopy(SOURCE.parts)
    manifest = copy.deepcopy(MANIFEST)
    node: Any = manifest if part == "manifest" else parts[part]
    for step in path[:-1]:
        node = node[step]
    if remove and isinstance(node, dict):
        del node[path[-1]]
    elif _kind(node[path[-1]]) != _kind(value):
        node[path[-1]] = value
    else:
        return
    try:  # the shape is checked as the bundle is read, the import's rules after it
        bundles.preview_import(target, bundles.open_bundle(_write(parts, manifest)), LEAD)
    except BundleError as exc:
        message = str(exc)
    else:
        FIGURES["bundles of a changed shape still fit (optional fields)"] += 1
        return
    FIGURES["bundles of the wrong shape refused (by shape, or by the import's rules)"] += 1
    assert message.startswith("shaped.auditbundle") and "\n" not in message, message


@given(st.binary(max_size=400))
def test_any_bytes_after_the_magic_line_are_refused_in_one_line(data: bytes) -> None:
    FIGURES["inputs tried: bundle reader (bytes)"] += 1
    path = FOLDER / "bytes.auditbundle"
    path.write_bytes(MAGIC + data)
    try:
        read_bundle(path, "a passphrase")
    except UserError as exc:
        message = str(exc)
    else:
        raise AssertionError("random bytes read as a bundle")
    assert message and "\n" not in message
