"""Files readable by their owner alone: every file auditapp makes holds personal data (or says
who has the database open), so none is left readable by the other users of the computer.

On Linux and macOS a file is made with mode 0600 and a folder with 0700 (the umask can only
take permissions away). Windows has no such modes: there a file takes the permissions of
its folder (the user's own profile, for the default data folder), and these calls change
nothing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: Read and write for the owner, nothing for anyone else.
FILE_MODE = 0o600
FOLDER_MODE = 0o700
_HAS_MODES = os.name == "posix"


def create_private(path: Path) -> Path:
    """Create ``path`` empty, readable by its owner alone, unless it exists already (then it
    is made owner-only too). Databases made by SQLite afterwards keep the mode, and SQLite
    gives their journals (``-wal``, ``-shm``, ``-journal``) the same one."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        make_private(path)
    else:
        os.close(handle)
    return path


def make_private(path: Path) -> None:
    """Make an existing file readable by its owner alone (a file made by an older auditapp,
    say). A file that is someone else's is left as it is."""
    if _HAS_MODES:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            os.chmod(path, FILE_MODE)


def private_folder(path: Path) -> Path:
    """Make a folder (and its missing parents) that only its owner can enter; a folder that
    exists already is left as it is (it may be a shared one the user chose)."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    return path
