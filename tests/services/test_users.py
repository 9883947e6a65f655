"""People are profiles: names unique ignoring case and spacing, every "own audit" rule by id,
and a person met in a bundle matched to a profile here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from auditapp.errors import PermissionDeniedError
from auditapp.models import Audit, Role, User
from auditapp.rules.grades import Grade
from auditapp.rules.names import clean_name, name_key
from auditapp.services.audits.editing import create_audit, submit_audit
from auditapp.services.moderation import record_blind_grades
from auditapp.services.sync import bundles
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.services.users import command_line_profile, list_users, save_user
from auditapp.storage.engine import Database
from tests.builders import LEAD, SMALL_TEMPLATE, complete_audit, make_audit, make_case

pytestmark = pytest.mark.both_backends


@pytest.mark.parametrize("written", ["priya shah", "PRIYA SHAH", "  Priya   Shah ",
                                     "Priya\tShah", "Ｐｒｉｙａ Ｓｈａｈ"])
def test_names_that_differ_only_in_case_or_spacing_are_one_person(written: str) -> None:
    assert name_key(written) == name_key("Priya Shah")
    assert clean_name("  Priya \n Shah ") == "Priya Shah"
    assert name_key("Priya Shahh") != name_key("Priya Shah")


def test_a_second_profile_differing_only_in_case_is_the_first_one(db: Database) -> None:
    priya = save_user(db, "Priya Shah", Role.AUDITOR, LEAD)
    again = save_user(db, "priya  SHAH", Role.MODERATOR, LEAD)
    assert again.id == priya.id and again.name == "Priya Shah"
    assert [name_key(u.name) for u in list_users(db)].count("priya shah") == 1


def test_a_moderator_written_differently_cannot_moderate_her_own_audit(
        db: Database, small_template_id: int) -> None:
    """The attack of 0004: a moderator profile ``priya shah`` beside the auditor
    ``Priya Shah``, moderating her audit. Now it is her own profile, and refused."""
    priya = save_user(db, "Priya Shah", Role.AUDITOR, LEAD)
    audit = create_audit(db, make_case(db, "P-1"), small_template_id, "Priya Shah",
                         date(2026, 3, 1), priya)
    complete_audit(db, audit, priya)
    submit_audit(db, audit, priya)
    moderator = save_user(db, "priya shah", Role.MODERATOR, LEAD)
    assert moderator.id == priya.id  # the same person, now a moderator
    with pytest.raises(PermissionDeniedError, match="may not moderate their own audit"):
        record_blind_grades(db, audit, moderator, {}, Grade.GOOD)


def test_the_command_line_has_a_lead_profile_of_its_own(db: Database) -> None:
    first = command_line_profile(db, "clerk")
    assert (first.name, first.role) == ("clerk (command line)", Role.PRACTICE_LEAD)
    assert command_line_profile(db, "clerk").id == first.id


def test_a_person_in_a_bundle_is_matched_by_uid_then_by_name_else_added(
        make_db: Callable[[str], Database], tmp_path: Path) -> None:
    there, here = make_db("there"), make_db("here")
    for db in (there, here):
        import_template_file(db, SMALL_TEMPLATE, LEAD)
    template = find_template_id(there, "small-test")
    save_user(there, "Priya Shah", Role.AUDITOR, LEAD)  # made on the other laptop
    priya = make_audit(there, template, "P-1", auditor="Priya Shah")
    noor = make_audit(there, template, "P-2", auditor="Noor Khan")  # unknown here
    alex = make_audit(there, template, "P-3")  # Alex: the same profile (uid) on both
    priya_here = save_user(here, "priya  shah", Role.AUDITOR, LEAD)  # made here, separately
    path = bundles.run_export(there, tmp_path / "there.auditbundle", LEAD).path
    bundles.run_import(here, bundles.open_bundle(path), LEAD)

    def auditors(db: Database) -> dict[str, tuple[str, str]]:
        with db.transaction() as session:
            return {uid: (name, profile_uid) for uid, name, profile_uid in session.execute(
                select(Audit.uid, User.name, User.uid).join(User, User.id == Audit.auditor_id))}

    with there.transaction() as session:
        uids = {i: session.get(Audit, i).uid for i in (priya, noor, alex)}  # type: ignore[union-attr]
    seen_there, seen_here = auditors(there), auditors(here)
    assert seen_here[uids[priya]][0] == priya_here.name  # by name: no second Priya
    assert seen_here[uids[noor]] == seen_there[uids[noor]]  # added, with the bundle's uid
    assert seen_here[uids[alex]] == seen_there[uids[alex]]  # by uid
    assert [name_key(u.name) for u in list_users(here)].count("priya shah") == 1
    assert next(u for u in list_users(here) if u.name == "Noor Khan").role == Role.AUDITOR
