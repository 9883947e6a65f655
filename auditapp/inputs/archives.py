"""Zip archives (Excel workbooks, audit bundles) checked before anything is inflated.

A zip's central directory says how large each part is once inflated, and :mod:`zipfile`
never inflates a part beyond what it says (and checks its CRC at the end), so checking the
declared sizes and the inflation ratio first bounds the memory and time any archive costs,
however it was made.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import BinaryIO

from auditapp.errors import UserError
from auditapp.rules.limits import ARCHIVE_MEMBERS, inflate_problem

#: What reading a damaged zip part can raise (besides OSError): a bad header or CRC, broken
#: deflate data, a part cut short.
DAMAGED_ARCHIVE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, KeyError,
                   ValueError, NotImplementedError, RuntimeError)


class ArchiveError(UserError):
    """An archive that cannot be read, or would cost too much to read."""


def check_archive(archive: zipfile.ZipFile, source: str, max_unpacked: int) -> None:
    """Refuse an archive with too many parts, a part that would inflate too far, or parts
    whose declared sizes add up to more than ``max_unpacked`` bytes; ``source`` names it."""
    members = archive.infolist()
    if len(members) > ARCHIVE_MEMBERS:
        raise ArchiveError(f"{source} holds {len(members):,} parts; at most "
                           f"{ARCHIVE_MEMBERS:,} are read.")
    total = 0
    for member in members:
        problem = inflate_problem(member.compress_size, member.file_size)
        if problem:
            raise ArchiveError(f"{source}: the part {member.filename} is refused: {problem}.")
        if member.flag_bits & 0x1:
            raise ArchiveError(f"{source}: the part {member.filename} is encrypted.")
        total += member.file_size
        if total > max_unpacked:
            raise ArchiveError(f"{source} would inflate to more than {max_unpacked:,} bytes; "
                               "it is refused unread.")


def read_member(archive: zipfile.ZipFile, name: str, source: str) -> bytes:
    """One part of a checked archive, inflated (its CRC checked by :mod:`zipfile`)."""
    try:
        return archive.read(name)
    except DAMAGED_ARCHIVE as exc:
        raise ArchiveError(f"{source}: the part {name} is damaged ({_reason(exc)}).") from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().strip('"')
    return text or type(exc).__name__


def open_archive(handle: BinaryIO, source: str, max_unpacked: int) -> zipfile.ZipFile:
    """A zip archive read from ``handle``, checked by :func:`check_archive`."""
    try:
        archive = zipfile.ZipFile(handle)
    except (*DAMAGED_ARCHIVE, OSError) as exc:
        raise ArchiveError(f"{source} is not a zip archive, or a damaged one "
                           f"({_reason(exc)}).") from None
    try:
        check_archive(archive, source, max_unpacked)
    except BaseException:
        archive.close()
        raise
    return archive
