"""Zip archives are checked before anything is inflated: a bomb costs nothing to refuse."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from auditapp.inputs.archives import ArchiveError, open_archive, read_member
from auditapp.rules.limits import ARCHIVE_MEMBERS
from tests.builders import zip_bytes


def _open(data: bytes, limit: int = 10_000_000) -> zipfile.ZipFile:
    return open_archive(io.BytesIO(data), "x.zip", limit)


def test_a_part_that_would_inflate_a_thousand_times_is_refused_unread() -> None:
    bomb = zip_bytes({"part.json": b"0" * 50_000_000})
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveError, match="the part part.json is refused: it would inflate"):
            _open(bomb, 100_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000


def test_declared_sizes_above_the_limit_are_refused() -> None:
    archive = zip_bytes({"a": bytes(range(256)) * 4000, "b": bytes(range(256)) * 4000})
    with pytest.raises(ArchiveError, match="would inflate to more than 1,500,000 bytes"):
        _open(archive, 1_500_000)


def test_too_many_parts() -> None:
    with pytest.raises(ArchiveError, match=f"at most {ARCHIVE_MEMBERS:,}"):
        _open(zip_bytes({f"p{i}": b"" for i in range(ARCHIVE_MEMBERS + 1)}))


def test_a_part_that_lies_about_its_size_is_cut_at_what_it_declared() -> None:
    """zipfile inflates no further than the declared size, then checks the CRC: a part that
    understates its size is damaged, never a bomb."""
    data = bytearray(zip_bytes({"p": b"x" * 100_000}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")  # uncompressed size
    local = data.find(b"PK\x03\x04")
    data[local + 22:local + 26] = (1000).to_bytes(4, "little")
    with _open(bytes(data)) as archive, pytest.raises(ArchiveError, match="damaged"):
        read_member(archive, "p", "x.zip")


@pytest.mark.parametrize("damage", ["not a zip", "cut short", "deflate", "crc"])
def test_damaged_archives_are_one_line(damage: str) -> None:
    good = zip_bytes({"p": b"some text that compresses, some text that compresses" * 50})
    data = bytearray(good)
    if damage == "not a zip":
        data = bytearray(b"Dear diary, " * 30)
    elif damage == "cut short":
        data = data[:len(data) // 2]
    elif damage == "deflate":
        data[40:50] = b"\xff" * 10
    else:
        data[data.find(b"PK\x03\x04") + 14] ^= 0xFF  # the CRC in the local header
        central = data.rfind(b"PK\x01\x02")
        data[central + 16] ^= 0xFF
    with pytest.raises(ArchiveError) as caught, _open(bytes(data)) as archive:
        read_member(archive, "p", "x.zip")
    assert str(caught.value).startswith("x.zip")
    assert "\n" not in str(caught.value)
