"""Passphrase encryption of a backup file: scrypt for the key, AES-256-GCM in chunks.

The file is a header, then the plain archive cut into 1 MiB chunks, each sealed with AES-GCM
under a nonce made of a random prefix, the chunk's number and a last-chunk flag (the STREAM
construction): a changed byte, chunks swapped, dropped or the file cut short all fail to
authenticate. The header holds a small sealed check value, so that a wrong passphrase is told
apart from a damaged file before anything is written.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CRAMPCARE-BACKUP-AESGCM/1\n"
CHUNK = 1024 * 1024
TAG = 16
SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 15, 8, 1  # 32 MiB of memory per derivation
CHECK = b"crampcare backup key check"
_HEADER = struct.Struct(">16sBBB7s")  # salt, log2(n), r, p, nonce prefix


class WrongPassphrase(Exception):
    """The passphrase does not open this file."""


class Damaged(Exception):
    """The file is damaged or cut short."""


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def _key(passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> AESGCM:
    kdf = Scrypt(salt=salt, length=32, n=2**log_n, r=r, p=p)
    return AESGCM(kdf.derive(passphrase.encode("utf-8")))


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", number, 1 if last else 0)


def encrypt(source: Path, out: BinaryIO, passphrase: str) -> None:
    """Write ``source`` to ``out`` sealed under ``passphrase``."""
    salt, prefix = os.urandom(16), os.urandom(7)
    header = MAGIC + _HEADER.pack(salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, prefix)
    aead = _key(passphrase, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
    check = aead.encrypt(b"\xff" * 12, CHECK, header)  # a nonce no chunk uses
    out.write(header + check)
    with source.open("rb") as plain:
        number, chunk = 0, plain.read(CHUNK)
        while True:
            following = plain.read(CHUNK)
            last = not following
            out.write(aead.encrypt(_nonce(prefix, number, last), chunk, header))
            if last:
                return
            number, chunk = number + 1, following


def decrypt(source: Path, out: BinaryIO, passphrase: str) -> None:
    """Write the plain archive of ``source`` to ``out``; raise WrongPassphrase or Damaged."""
    with source.open("rb") as sealed:
        head = sealed.read(len(MAGIC) + _HEADER.size)
        if len(head) < len(MAGIC) + _HEADER.size or not head.startswith(MAGIC):
            raise Damaged("its header is damaged or cut short")
        salt, log_n, r, p, prefix = _HEADER.unpack(head[len(MAGIC) :])
        if not (10 <= log_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
            raise Damaged("its header is damaged")
        aead = _key(passphrase, salt, log_n, r, p)
        try:
            aead.decrypt(b"\xff" * 12, sealed.read(len(CHECK) + TAG), head)
        except InvalidTag:
            raise WrongPassphrase("wrong passphrase") from None
        number, chunk = 0, sealed.read(CHUNK + TAG)
        while True:
            following = sealed.read(CHUNK + TAG)
            try:
                out.write(aead.decrypt(_nonce(prefix, number, not following), chunk, head))
            except InvalidTag:
                raise Damaged(
                    f"it is damaged or cut short (part {number + 1} does not authenticate)"
                ) from None
            if not following:
                return
            number, chunk = number + 1, following
