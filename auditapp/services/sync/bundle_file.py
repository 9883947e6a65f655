"""The audit bundle file: JSON parts in a zip, checksummed, optionally encrypted.

A bundle file is two header lines and a body::

    AUDITAPP-BUNDLE 1
    {"encrypted": false}                                   (one line of JSON)
    <zip archive><SHA-256 of everything before it, 32 bytes>

or, encrypted with a passphrase::

    AUDITAPP-BUNDLE 1
    {"encrypted": true, "cipher": "AES-256-GCM", "kdf": {"name": "scrypt", ...}, ...}
    <the zip archive encrypted with AES-256-GCM, the two header lines as associated data>

The zip holds ``manifest.json`` (what is inside, from which database, when, by whom, and the
SHA-256 of every other part) and the parts. The key is derived from the passphrase with
scrypt (memory-hard) and a random salt kept in the header; a check value in the header tells
a wrong passphrase from a changed file. Any byte changed anywhere makes :func:`read_bundle`
refuse the file, before anything is imported. A plain bundle's checksums catch damage and
careless edits, not a forger, who can recompute them: only the passphrase protects against
that, as it does against reading.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from auditapp.errors import UserError
from auditapp.inputs.archives import ArchiveError, open_archive, read_member
from auditapp.rules.limits import BUNDLE_FILE_BYTES, BUNDLE_UNPACKED_BYTES
from auditapp.services.sync.parts import MANIFEST_SHAPE, PART_SHAPES, shape_problem
from auditapp.storage.atomic_files import atomic_output

MAGIC = b"AUDITAPP-BUNDLE 1\n"
FORMAT = "auditapp-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUFFIX = ".auditbundle"
#: scrypt's cost: 128 MiB of memory and about a third of a second per try on a laptop. A
#: header asking for anything else is refused unread, so that a file cannot make auditapp
#: spend gigabytes and minutes before "wrong passphrase".
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_HEADER_BYTES = 4096
_CHECK_LABEL = b"auditapp bundle passphrase check"
MIN_PASSPHRASE = 8


class BundleError(UserError):
    """The file is not a bundle auditapp can read, or it was damaged or changed."""


class BundlePassphraseError(BundleError):
    """The bundle is encrypted and the passphrase is missing or wrong."""


@dataclass(frozen=True)
class BundleContents:
    """A bundle's parts, read and checked: the manifest and each JSON part by name."""

    manifest: dict[str, Any]
    parts: dict[str, Any]
    encrypted: bool


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _zip_parts(written: Mapping[str, Any], parts: Mapping[str, Any]) -> bytes:
    encoded = {name: _json_bytes(value) for name, value in parts.items()}
    manifest = {**written, "format": FORMAT, "format_version": FORMAT_VERSION,
                "parts": {name: _sha256(data) for name, data in encoded.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _json_bytes(manifest))
        for name, data in encoded.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """The encryption key and the passphrase check key."""
    material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return material[:32], material[32:]


def _check_value(check_key: bytes) -> str:
    return base64.b64encode(hmac.new(check_key, _CHECK_LABEL, hashlib.sha256).digest()).decode()


def _encrypt(body: bytes, passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    key, check_key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header = {"encrypted": True, "cipher": "AES-256-GCM",
              "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                      "salt": base64.b64encode(salt).decode()},
              "nonce": base64.b64encode(nonce).decode(), "check": _check_value(check_key)}
    head = MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n"
    return head + AESGCM(key).encrypt(nonce, body, head)


def check_bundle_passphrase(passphrase: str) -> str:
    """A passphrase fit to protect a bundle: at least eight characters."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"A bundle passphrase needs at least {MIN_PASSPHRASE} characters.")
    return passphrase


def write_bundle(path: Path, manifest: Mapping[str, Any], parts: Mapping[str, Any],
                 passphrase: str | None = None) -> Path:
    """Write a bundle, encrypted when a passphrase is given. The file appears only when
    complete, readable by its owner alone (on Linux and macOS)."""
    body = _zip_parts(manifest, parts)
    if passphrase is not None:
        data = _encrypt(body, check_bundle_passphrase(passphrase))
    else:
        head = MAGIC + b'{"encrypted": false}\n'
        data = head + body
        data += hashlib.sha256(data).digest()
    with atomic_output(path) as temporary:
        temporary.write_bytes(data)
    return path.expanduser().absolute()


# --- reading ----------------------------------------------------------------------------------


_CHANGED = ("It was damaged or changed after it was written, so nothing was imported. "
            "Ask for the bundle again.")


def _split(data: bytes, name: str) -> tuple[bytes, dict[str, Any], bytes]:
    """The header bytes, the header and the body of a bundle file."""
    if not data.startswith(MAGIC):
        raise BundleError(f"{name} is not an auditapp bundle.")
    end = data.find(b"\n", len(MAGIC), _HEADER_BYTES)
    try:
        header = json.loads(data[len(MAGIC):end])
    except (ValueError, UnicodeDecodeError, RecursionError):
        header = None
    if end < 0 or not isinstance(header, dict):
        raise BundleError(f"{name} has a damaged header. {_CHANGED}")
    return data[:end + 1], header, data[end + 1:]


def _kdf_parameters(header: dict[str, Any], name: str) -> tuple[bytes, int, int, int]:
    try:
        kdf = header["kdf"]
        salt = base64.b64decode(kdf["salt"], validate=True)
        n, r, p = kdf["n"], kdf["r"], kdf["p"]
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"{name} has a damaged header. {_CHANGED}") from exc
    if kdf.get("name") != "scrypt" or header.get("cipher") != "AES-256-GCM" or (
            n, r, p) != (SCRYPT_N, SCRYPT_R, SCRYPT_P) or len(salt) != 16:
        raise BundleError(f"{name} asks for a cipher or key settings auditapp does not use "
                          f"(it writes scrypt with n={SCRYPT_N}, r={SCRYPT_R}, p={SCRYPT_P}). "
                          f"{_CHANGED}")
    return salt, n, r, p


def _decrypt(head: bytes, header: dict[str, Any], body: bytes, passphrase: str | None,
             name: str) -> bytes:
    if not passphrase:
        raise BundlePassphraseError(f"{name} is encrypted: give its passphrase to import it.")
    salt, n, r, p = _kdf_parameters(header, name)
    key, check_key = _derive(passphrase, salt, n, r, p)
    if not hmac.compare_digest(_check_value(check_key), str(header.get("check", ""))):
        raise BundlePassphraseError(f"That passphrase does not open {name}. Nothing was "
                                    "imported; try the passphrase again.")
    try:
        nonce = base64.b64decode(str(header.get("nonce", "")), validate=True)
        return AESGCM(key).decrypt(nonce, body, head)
    except (InvalidTag, ValueError) as exc:
        raise BundleError(f"{name} does not match its authentication tag. {_CHANGED}") from exc


def _check_plain(head: bytes, body: bytes, name: str) -> bytes:
    content, digest = body[:-32], body[-32:]
    if len(body) < 32 or not hmac.compare_digest(hashlib.sha256(head + content).digest(),
                                                 digest):
        raise BundleError(f"{name} does not match its checksum. {_CHANGED}")
    return content


def _json_part(archive: zipfile.ZipFile, member: str, name: str) -> tuple[bytes, Any]:
    """A part's bytes and its JSON."""
    try:
        data = read_member(archive, member, name)
    except ArchiveError as exc:
        raise BundleError(f"{exc} {_CHANGED}") from None
    try:
        return data, json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{name}: the part {member} is not JSON ({exc}). {_CHANGED}") from None
    except RecursionError:
        raise BundleError(f"{name}: the part {member} is nested too deep. {_CHANGED}") from None


def _manifest(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    if MANIFEST not in archive.NameToInfo:
        raise BundleError(f"{name} is not an auditapp bundle (it has no {MANIFEST}).")
    manifest = _json_part(archive, MANIFEST, name)[1]
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{name} is not an auditapp bundle.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BundleError(f"{name} was written by a newer auditapp (bundle format "
                          f"{str(manifest.get('format_version'))[:20]}); update auditapp.")
    problem = shape_problem(MANIFEST, manifest, MANIFEST_SHAPE)
    if problem:
        raise BundleError(f"{name}: {problem}. {_CHANGED}")
    return manifest


def _open_parts(body: bytes, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The manifest and the parts, each checked against its checksum and its shape (see
    :mod:`auditapp.services.sync.parts`), the archive checked before anything is inflated."""
    try:
        archive = open_archive(io.BytesIO(body), name, BUNDLE_UNPACKED_BYTES)
    except ArchiveError as exc:
        raise BundleError(f"{exc} {_CHANGED}") from None
    with archive:
        manifest = _manifest(archive, name)
        listed = manifest.get("parts", {})
        missing = [part for part in PART_SHAPES if part not in listed]
        if missing:
            raise BundleError(f"{name} lacks its {', '.join(missing)}: nothing was imported.")
        parts = {}
        for member, shape in PART_SHAPES.items():
            if member not in archive.NameToInfo:
                raise BundleError(f"{name}: the part {member} is missing. {_CHANGED}")
            data, parts[member] = _json_part(archive, member, name)
            if _sha256(data) != listed[member]:
                raise BundleError(f"{name}: the part {member} does not match the checksum "
                                  f"in its manifest. {_CHANGED}")
            problem = shape_problem(member, parts[member], shape)
            if problem:
                raise BundleError(f"{name}: {problem}. Nothing was imported.")
    return manifest, parts


def is_encrypted(path: Path) -> bool:
    """Whether the bundle at ``path`` needs a passphrase (False for anything else)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
        return _split(start, path.name)[1].get("encrypted") is True
    except (OSError, BundleError):
        return False


def read_bundle(path: Path, passphrase: str | None = None) -> BundleContents:
    """Read and check a bundle; raises :class:`BundleError` (or
    :class:`BundlePassphraseError`) if it is damaged, changed or the passphrase is wrong."""
    try:
        size = path.stat().st_size
        if size > BUNDLE_FILE_BYTES:
            raise BundleError(f"{path.name} is {size:,} bytes; a bundle may be at most "
                              f"{BUNDLE_FILE_BYTES:,}. Nothing was imported.")
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    head, header, body = _split(data, path.name)
    encrypted = header.get("encrypted") is True
    if encrypted:
        body = _decrypt(head, header, body, passphrase, path.name)
    else:
        body = _check_plain(head, body, path.name)
    manifest, parts = _open_parts(body, path.name)
    return BundleContents(manifest, parts, encrypted)
