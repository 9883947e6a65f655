"""The build's own parts (packaging/): the icon file, the smoke test's pieces and its verdict,
and the promises of the Windows installer and workflow, which cannot run on this project's
Linux machines. CI builds the real program and runs the smoke test on it (.ci/run)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import Workbook
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from auditapp.ui.widgets.app_icon import SIZES

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
LIMIT_S = 600


def _smoke_test() -> ModuleType:
    spec = importlib.util.spec_from_file_location("smoke_test", PACKAGING / "smoke_test.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


smoke_test = _smoke_test()


def test_the_icon_file_holds_every_size(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, str(PACKAGING / "make_icon.py"), str(tmp_path)], env=env,
                   check=True, timeout=LIMIT_S)
    with Image.open(tmp_path / "auditapp.ico") as ico:
        assert ico.format == "ICO"
        assert ico.info["sizes"] == {(size, size) for size in SIZES}
    with Image.open(tmp_path / "auditapp.png") as png:
        assert png.size == (256, 256)


@pytest.mark.skipif(sys.platform == "win32", reason="the Linux environment")
def test_the_program_gets_a_home_a_path_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    env = smoke_test.scrubbed_environment(tmp_path / "home")
    assert sorted(env) == ["HOME", "PATH"]
    assert not [name for name in ("python", "python3", "py")
                if shutil.which(name, path=env["PATH"])]


def test_a_file_changed_in_the_program_folder_is_seen(tmp_path: Path) -> None:
    (tmp_path / "_internal").mkdir()
    library = tmp_path / "_internal" / "library.so"
    library.write_bytes(b"code")
    before = smoke_test.folder_state(tmp_path)
    assert smoke_test.folder_state(tmp_path) == before
    (tmp_path / "_internal" / "__pycache__").mkdir()
    assert smoke_test.folder_state(tmp_path) != before


def test_pdfs_and_workbooks_are_read_back(tmp_path: Path) -> None:
    pdf = tmp_path / "two.pdf"
    canvas = Canvas(str(pdf))
    canvas.drawString(72, 720, "one")
    canvas.showPage()
    canvas.drawString(72, 720, "two")
    canvas.save()
    assert smoke_test.read_pdf(pdf) == 2
    pdf.write_bytes(pdf.read_bytes()[:-200])  # cut short
    with pytest.raises(smoke_test.SmokeFailure):
        smoke_test.read_pdf(pdf)
    book = Workbook()
    book.active.title = "Summary"
    book.create_sheet("Audits")
    book.save(tmp_path / "book.xlsx")
    assert smoke_test.read_workbook(tmp_path / "book.xlsx") == ["Summary", "Audits"]


def _strace() -> str:
    strace = shutil.which("strace")
    if strace is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI installs strace (.ci/run); it is missing")
        pytest.skip("strace is not installed (CI installs it)")
    return strace


@pytest.mark.skipif(sys.platform == "win32", reason="strace is Linux's")
def test_the_network_trace_sees_a_connection_and_only_a_connection(tmp_path: Path) -> None:
    strace = _strace()

    def traced(code: str) -> list[str]:
        log = tmp_path / f"trace-{len(list(tmp_path.iterdir()))}.log"
        subprocess.run([strace, "-f", "-qq", "-e", "trace=socket,connect", "-e", "signal=none",
                        "-o", str(log), sys.executable, "-c", code], timeout=LIMIT_S,
                       check=True)
        return list(smoke_test.internet_sockets(log))

    assert traced("import socket\ntry:\n socket.create_connection(('127.0.0.1', 1))\n"
                  "except OSError:\n pass")
    assert traced("import socket\nsocket.socketpair()\nprint(socket.gethostname())") == []


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in")
def test_any_failure_fails_the_smoke_test(tmp_path: Path) -> None:
    """A built program that says the wrong version: the test stops at once, exits 1, and
    its last line says so in the form CI reads."""
    dist = tmp_path / "dist"
    (dist / "_internal").mkdir(parents=True)
    program = dist / "auditapp"
    program.write_text("#!/bin/sh\necho 'auditapp 0.0.0-wrong'\n")
    program.chmod(0o755)
    result = subprocess.run([sys.executable, str(PACKAGING / "smoke_test.py"), str(dist)],
                            capture_output=True, text=True, timeout=LIMIT_S)
    assert result.returncode == 1
    assert "FAIL the version is the source's: auditapp 0.0.0-wrong" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "smoke: 2 passed, 1 failed"


def _sections(script: str) -> dict[str, list[str]]:
    """An Inno Setup script's entries by section (comments left out)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in script.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif line and not line.startswith(";") and current:
            sections[current].append(line)
    return sections


def test_the_installer_is_per_machine_and_leaves_user_data_alone() -> None:
    sections = _sections((PACKAGING / "auditapp.iss").read_text(encoding="utf-8"))
    setup = dict(entry.split("=", 1) for entry in sections["Setup"] if "=" in entry)
    assert setup["PrivilegesRequired"] == "admin"
    assert setup["DefaultDirName"] == r"{autopf}\auditapp"  # Program Files
    assert setup["AppId"] == "{{55AAE391-B10D-4E50-B2DB-E7EC59E3DB38}"  # never to change
    assert "UninstallDelete" not in sections  # uninstalling removes only what it installed
    assert sections["InstallDelete"] == [r'Type: filesandordirs; Name: "{app}\_internal"']
    registry = " ".join(sections["Registry"])
    assert r'ValueData: """{app}\auditapp.exe"" ""%1"""' in registry
    assert r'Software\Classes\.auditbundle"; ValueType: string; ValueName: ""; ' \
           'ValueData: "auditapp.bundle"' in registry
    assert all(entry.startswith("Root: HKA;") for entry in sections["Registry"])  # HKLM
    assert sections["Icons"][0].startswith(r'Name: "{autoprograms}\auditapp"')
    everything = " ".join(line for lines in sections.values() for line in lines).lower()
    for user_folder in ("{localappdata}", "{userappdata}", "{userdocs}", "hkcu"):
        assert user_folder not in everything


def test_the_windows_workflow_keeps_its_secrets_out_of_the_repository() -> None:
    workflow = (ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")
    assert "secrets.WINDOWS_SIGNING_CERTIFICATE" in workflow
    assert "BEGIN CERTIFICATE" not in workflow and "MII" not in workflow
    signing_steps = workflow.count("name: Sign") + workflow.count("name: Prepare signing")
    assert workflow.count("if: env.SIGNING_CERTIFICATE != ''") == signing_steps == 2
    # The same smoke test as CI's, on the built folder and on the installed copy.
    assert r"python packaging\smoke_test.py dist\auditapp" in workflow
    assert r'python packaging\smoke_test.py "$env:ProgramFiles\auditapp"' in workflow
    assert "/VERYSILENT" in workflow and "/SUPPRESSMSGBOXES" in workflow


def test_pyinstaller_is_a_build_tool_not_a_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("pyinstaller")]
    assert [d for d in project["optional-dependencies"]["build"]
            if d.lower().startswith("pyinstaller")]
