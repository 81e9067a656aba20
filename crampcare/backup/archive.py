"""The backup file: a ZIP of the database snapshot, the audit files and a manifest, maybe
sealed with a passphrase (``crypto``).

The manifest (``manifest.json``, format ``crampcare.backup/1``) says when and from what the
backup was made, the rows per table, and the SHA-256 and size of every other member. Opening a
backup checks all of it: the ZIP's own checksums, each member's hash, and the database snapshot's
integrity. A file that fails any check is refused with one message naming what failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crampcare.backup import crypto, snapshot

FORMAT = "crampcare.backup/1"
MANIFEST = "manifest.json"
# after the ZIP: the SHA-256 of every byte before it (the ZIP's own checksums leave headers out)
FOOTER = b"\nCRAMPCARE-SHA256 "
FOOTER_SIZE = len(FOOTER) + 64 + 1
SUFFIX = ".ccbackup"


class BadBackup(Exception):
    """The file is not a whole crampcare backup, or the passphrase does not open it."""


@dataclass
class Opened:
    """A backup checked and unpacked into a private temporary folder."""

    path: Path
    folder: Path
    manifest: dict[str, Any]
    encrypted: bool

    def member(self, name: str) -> Path | None:
        found = self.folder / name
        return found if name in self.manifest["members"] else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def write_zip(target: Path, members: dict[str, Path], manifest: dict[str, Any]) -> None:
    """The members and the manifest (with each member's hash and size) as a ZIP at ``target``."""
    manifest["members"] = {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
        for name, path in members.items():
            manifest["members"][name] = {"sha256": sha256(path), "bytes": path.stat().st_size}
            out.write(path, name)
        out.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    whole = sha256(target)
    with target.open("ab") as out:
        out.write(FOOTER + whole.encode("ascii") + b"\n")


def _check_sum(name: str, plain: Path) -> None:
    """The footer's SHA-256 matches every byte before it."""
    size = plain.stat().st_size
    with plain.open("rb") as handle:
        handle.seek(max(0, size - FOOTER_SIZE))
        footer = handle.read()
        handle.seek(0)
        digest, left = hashlib.sha256(), size - FOOTER_SIZE
        while left > 0 and (block := handle.read(min(left, 1024 * 1024))):
            digest.update(block)
            left -= len(block)
    if size < FOOTER_SIZE or not footer.startswith(FOOTER):
        raise BadBackup(f"{name} is damaged or cut short (its checksum line is missing)")
    if footer[len(FOOTER) : -1].decode("ascii", "replace") != digest.hexdigest():
        raise BadBackup(f"{name} is damaged: its bytes do not match its SHA-256")


@contextlib.contextmanager
def opened(path: Path, passphrase: str | None) -> Iterator[Opened]:
    """Check ``path`` whole and yield it unpacked; raise BadBackup naming what is wrong."""
    if not path.is_file():
        raise BadBackup(f"{path}: no such file")
    with tempfile.TemporaryDirectory(prefix="crampcare-restore-") as work:
        folder = Path(work)
        encrypted = crypto.is_encrypted(path)
        plain = path
        if encrypted:
            if not passphrase:
                raise BadBackup(
                    f"{path.name} is encrypted: give its passphrase (--passphrase-file, or "
                    "CRAMPCARE_BACKUP_PASSPHRASE)"
                )
            plain = folder / "backup.zip"
            try:
                with plain.open("wb") as out:
                    crypto.decrypt(path, out, passphrase)
            except crypto.WrongPassphrase:
                raise BadBackup(f"{path.name}: wrong passphrase (nothing was written)") from None
            except crypto.Damaged as exc:
                raise BadBackup(f"{path.name} is not a whole backup: {exc}") from None
        manifest = _unpack(path.name, plain, folder / "members")
        if plain != path:
            plain.unlink()
        yield Opened(path, folder / "members", manifest, encrypted)


def _unpack(name: str, plain: Path, folder: Path) -> dict[str, Any]:
    _check_sum(name, plain)
    try:
        with zipfile.ZipFile(plain) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BadBackup(f"{name} is not a crampcare backup (format {FORMAT})")
            listed = manifest.get("members") or {}
            extra = set(archive.namelist()) - set(listed) - {MANIFEST}
            if extra:
                raise BadBackup(f"{name} holds files its manifest does not list: {sorted(extra)}")
            for member, facts in listed.items():
                if "/" in member or member.startswith("."):
                    raise BadBackup(f"{name}: member {member!r} is not a plain file name")
                target = folder / member
                folder.mkdir(exist_ok=True, mode=0o700)
                with archive.open(member) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
                if sha256(target) != facts.get("sha256"):
                    raise BadBackup(f"{name}: {member} does not match its SHA-256 in the manifest")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError, ValueError) as exc:
        raise BadBackup(f"{name} is damaged or cut short ({exc})") from None
    if snapshot.SQLITE_MEMBER in listed:
        try:
            snapshot.check_sqlite(folder / snapshot.SQLITE_MEMBER)
        except snapshot.SnapshotError as exc:
            raise BadBackup(f"{name}: {exc}") from None
    return manifest
