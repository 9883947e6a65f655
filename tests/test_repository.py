"""Checks on the repository itself."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_merge_conflict_markers_are_committed() -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    markers = ("<<<<<<< ", ">>>>>>> ")
    for name in files:
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".toml", ".yaml", ".txt", ".cfg", ""}:
            continue
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not any(line.startswith(markers) for line in text.splitlines()), name
