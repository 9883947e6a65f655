"""What the command line hands to the desktop app: the database, a bundle file given in place
of a command (as the Windows file association runs ``auditapp.exe FILE``), and the smoke
test's ``--smoke-test PROFILE``, which only its exact spelling starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditapp.cli.main import GuiStart, main_cli, split_bundle, take_smoke_test
from auditapp.errors import UserError


class Recorder:
    """Stands in for the desktop app's start: records what it was asked to do."""

    def __init__(self) -> None:
        self.starts: list[GuiStart] = []

    def __call__(self, start: GuiStart) -> int:
        self.starts.append(start)
        return 0


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    path = tmp_path / "From Alex.auditbundle"
    path.write_bytes(b"a bundle's bytes")
    return path


def test_a_bundle_in_place_of_a_command_opens_the_app_on_it(tmp_path: Path,
                                                            bundle: Path) -> None:
    app = Recorder()
    db = tmp_path / "laptop.sqlite"
    assert main_cli(["--db", str(db), str(bundle)], start_gui=app) == 0
    assert app.starts == [GuiStart(db, bundle, None)]
    assert main_cli([str(bundle)], start_gui=app) == 0  # the file association's form
    assert app.starts[-1] == GuiStart(None, bundle, None)
    upper = bundle.with_name("SHOUTED.AUDITBUNDLE")
    upper.write_bytes(b"x")
    assert main_cli([str(upper)], start_gui=app) == 0
    assert app.starts[-1].bundle == upper


def test_a_bundle_that_is_not_there_is_one_line_and_no_window(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = Recorder()
    missing = tmp_path / "gone.auditbundle"
    assert main_cli([str(missing)], start_gui=app) == 2
    assert capsys.readouterr().err == f"auditapp: error: {missing}: no such bundle file.\n"
    assert app.starts == []


@pytest.mark.parametrize(("argv", "rest", "bundle"), [
    ([], [], None),
    (["x.auditbundle"], [], "x.auditbundle"),
    (["--db", "d.sqlite", "x.auditbundle"], ["--db", "d.sqlite"], "x.auditbundle"),
    (["--db=d.sqlite", "x.auditbundle"], ["--db=d.sqlite"], "x.auditbundle"),
    # The bundle is the argument of a command, or the value of an option: left alone.
    (["bundle", "import", "x.auditbundle"], ["bundle", "import", "x.auditbundle"], None),
    (["--db", "odd.auditbundle"], ["--db", "odd.auditbundle"], None),
    (["--passphrase-file", "p.txt", "--db", "d", "stats"],
     ["--passphrase-file", "p.txt", "--db", "d", "stats"], None),
    (["x.auditbundle", "stats"], ["x.auditbundle", "stats"], None),
])
def test_only_a_bundle_where_a_command_would_be_is_taken(
        argv: list[str], rest: list[str], bundle: str | None) -> None:
    assert split_bundle(argv) == (rest, Path(bundle) if bundle else None)


def test_a_command_still_takes_a_bundle_as_its_argument(tmp_path: Path, bundle: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    app = Recorder()
    code = main_cli(["--db", str(tmp_path / "d.sqlite"), "bundle", "import", str(bundle)],
                    start_gui=app)
    assert code == 2  # a real import, of a file that is no bundle
    assert "Traceback" not in capsys.readouterr().err
    assert app.starts == []


def test_smoke_test_option_names_the_profile(tmp_path: Path, bundle: Path) -> None:
    app = Recorder()
    db = tmp_path / "d.sqlite"
    assert main_cli(["--db", str(db), "--smoke-test", "Smoke Test", str(bundle)],
                    start_gui=app) == 0
    assert main_cli(["--smoke-test=Smoke Test", "--db", str(db)], start_gui=app) == 0
    assert app.starts == [GuiStart(db, bundle, "Smoke Test"), GuiStart(db, None, "Smoke Test")]


@pytest.mark.parametrize("argv", [
    ["--smoke", "Smoke Test"],  # argparse would take an abbreviation: this must not
    ["--s", "Smoke Test"],
    ["--smoke-tests", "Smoke Test"],
    ["--SMOKE-TEST", "Smoke Test"],
])
def test_no_other_spelling_starts_the_smoke_test(argv: list[str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    app = Recorder()
    assert main_cli(argv, start_gui=app) == 2
    assert app.starts == []
    assert "Traceback" not in capsys.readouterr().err


def test_the_environment_does_not_start_the_smoke_test(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUDITAPP_SMOKE_TEST", "AUDITAPP_SMOKE_PROFILE", "SMOKE_TEST", "CI"):
        monkeypatch.setenv(name, "Smoke Test")
    app = Recorder()
    assert main_cli([], start_gui=app) == 0
    assert app.starts == [GuiStart(None, None, None)]


def test_smoke_test_is_refused_with_a_command_and_without_a_profile(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = Recorder()
    db = str(tmp_path / "d.sqlite")
    assert main_cli(["--db", db, "--smoke-test", "Smoke Test", "stats"], start_gui=app) == 2
    assert "--smoke-test starts the desktop app: give no command." in capsys.readouterr().err
    assert main_cli(["--smoke-test="], start_gui=app) == 2
    assert "--smoke-test needs the name of a profile." in capsys.readouterr().err
    assert app.starts == []
    with pytest.raises(UserError):
        take_smoke_test(["--smoke-test", "  "])


def test_help_does_not_offer_the_smoke_test_but_names_bundles(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main_cli(["--help"]) == 0
    shown = capsys.readouterr().out
    assert "smoke" not in shown.lower()
    assert "BUNDLE" in shown
    assert "offers to import that bundle" in " ".join(shown.split())
