"""Signed checkpoints of the audit chains, kept outside the database.

A checkpoint is one chain's head (chain, entry number, hash) at a time, signed with the
clinic's Ed25519 audit key, one JSON line per checkpoint appended to a file in the data
directory (``CRAMPCARE_AUDIT_CHECKPOINT_FILE``) and printable for a store elsewhere. Whoever
rewrites the database afterwards cannot make the signed hashes match again without the
private key (``CRAMPCARE_AUDIT_KEY_FILE``, mode 0600, made on first use; its public half is
kept beside it as ``<file>.pub`` so that verifying needs no secret).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection

from crampcare.records.models import AuditHead

FORMAT = "crampcare.audit-checkpoint/1"
log = logging.getLogger("crampcare.audit")


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    hash: str
    at: str
    key: str  # the public key, raw, base64: which key signed it
    signature: str

    def message(self) -> bytes:
        fields = {"format": FORMAT, "chain": self.chain, "seq": self.seq, "hash": self.hash}
        fields["at"] = self.at
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def line(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, sort_keys=True)


def key_file() -> Path:
    return Path(settings.AUDIT_KEY_FILE)


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def private_key(path: Path | None = None) -> Ed25519PrivateKey:
    """The audit key, made on first use (mode 0600; two processes at once make one key)."""
    path = path or key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        try:
            os.link(temp, path)  # atomic: the first process's key wins
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    public = _public_file(path)
    if not public.exists():
        public.write_bytes(_public_pem(loaded.public_key()))
    return loaded


def public_key(path: Path | None = None) -> Ed25519PublicKey | None:
    """The public key to check signatures with: a ``.pub`` file given or beside the key file,
    else derived from the private key; None when there is neither."""
    path = path or _public_file(key_file())
    if path.exists():
        loaded = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(loaded, Ed25519PublicKey):
            raise ValueError(f"{path}: not an Ed25519 public key")
        return loaded
    return private_key().public_key() if key_file().exists() else None


def take(*, only_changed: bool = False, path: Path | None = None) -> list[Checkpoint]:
    """Sign every chain's head now and append the checkpoints to the file; with
    ``only_changed``, only chains that grew since their last checkpoint."""
    path = path or checkpoint_file()
    key = private_key()
    signer = raw_key(key.public_key())
    last = {c.chain: c.seq for c in read(path)[0]} if only_changed else {}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    made = []
    for head in AuditHead.objects.order_by("chain"):
        if head.seq == 0 or last.get(head.chain) == head.seq:
            continue
        unsigned = Checkpoint(head.chain, head.seq, head.hash, now, signer, "")
        signature = base64.b64encode(key.sign(unsigned.message())).decode("ascii")
        made.append(Checkpoint(head.chain, head.seq, head.hash, now, signer, signature))
    if made:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = "".join(c.line() + "\n" for c in made)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, text.encode("utf-8"))  # one write: lines of processes never interleave
            os.fsync(fd)
        finally:
            os.close(fd)
    return made


def read(path: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints in the file, and a problem for each line that is not one."""
    path = path or checkpoint_file()
    if not path.exists():
        return [], []
    found, problems = [], []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            if data.pop("format") != FORMAT:
                raise ValueError
            found.append(Checkpoint(**data))
        except (ValueError, TypeError, KeyError, AttributeError):
            problems.append(f"checkpoint file line {number} is not a checkpoint")
    return found, problems


def signed_by(checkpoint: Checkpoint, key: Ed25519PublicKey) -> bool:
    try:
        key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True


def raw_key(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


FIRST_ROUND_SECONDS = 15.0  # after start: the server's workers fork before the first round


def start_checkpoint_schedule(
    first_delay: float = FIRST_ROUND_SECONDS,
) -> threading.Event | None:
    """While the server runs, checkpoint the chains that grew: ``first_delay`` seconds after
    start, then every ``CRAMPCARE_AUDIT_CHECKPOINT_MINUTES`` (0: never), in a thread of this
    process (``serve`` starts it before the worker processes fork, which do not inherit
    threads; the delay keeps the round's database connection from being open while they fork).
    Returns the event that stops it."""
    minutes = settings.AUDIT_CHECKPOINT_MINUTES
    if not minutes:
        return None
    stop = threading.Event()

    def run() -> None:
        if stop.wait(first_delay):
            return
        while not stop.is_set():
            try:
                take(only_changed=True)
            except Exception:  # noqa: BLE001 - a failed round is logged, the next one retried
                log.exception("audit: the scheduled checkpoint failed")
            finally:
                connection.close()
            stop.wait(minutes * 60)

    threading.Thread(target=run, name="audit-checkpoints", daemon=True).start()
    return stop


def _public_file(path: Path) -> Path:
    return path.with_name(path.name + ".pub")


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
