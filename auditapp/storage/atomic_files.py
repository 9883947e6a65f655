"""Writing an export so that the target only ever holds a complete file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditapp.errors import UserError


def check_target(path: Path) -> Path:
    """The absolute target path, or a clear error when it cannot be written there."""
    path = path.expanduser().absolute()
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name to export to.")
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist.")
    return path


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed onto ``path`` when the block
    ends normally, deleted when it ends with an error or the export is cancelled."""
    path = check_target(path)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        try:
            os.replace(temporary, path)
        except PermissionError as exc:
            raise UserError(f"Cannot replace {path}: it may be open in another program. "
                            "Close it and export again.") from exc
    finally:
        temporary.unlink(missing_ok=True)
