"""A compiled cache of the validated knowledge base, keyed by the content of what made it.

``load_kb`` reads about 40 YAML files, validates every entry and checks every reference: about
0.3 s, paid by every ``crampcare assess`` and by every server start. The validated
``KnowledgeBase`` is pickled once, under a key that hashes every data file (name and bytes), the
source of the modules that define and build it, and the Python and pydantic versions. Any change
to a data file or to the schema gives another key, so a stale cache is never read; a cache that
cannot be read (truncated, corrupt, from another build, not ours) is ignored and the full load
runs and rewrites it.

Where: ``CRAMPCARE_KB_CACHE_DIR``, else ``$XDG_CACHE_HOME/crampcare``, else
``~/.cache/crampcare``; ``CRAMPCARE_KB_CACHE_DIR=off`` turns the cache off. Unpickling runs code,
so the cache is read only from a file owned by this user and writable by no one else, in a
directory that is not writable by others.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from importlib import resources
from pathlib import Path

from crampcare.kb.loader import KnowledgeBase, default_data_dir, load_kb

ENV = "CRAMPCARE_KB_CACHE_DIR"
# the modules whose code shapes the pickled objects: a change to any gives a new key
SHAPING_MODULES = ("loader.py", "index.py", "catalogue.py", "condition_codes.py")


def cache_dir() -> Path | None:
    raw = os.environ.get(ENV)
    if raw is not None:
        return None if raw.strip().lower() in {"off", "0", "false", ""} else Path(raw)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crampcare"


def _code_files() -> list[Path]:
    kb = Path(str(resources.files("crampcare.kb")))
    return [kb / name for name in SHAPING_MODULES] + sorted((kb / "schema").glob("*.py"))


def cache_key(data_dir: Path) -> str:
    """SHA-256 over the data files, the shaping code and the interpreter and pydantic versions."""
    import pydantic

    digest = hashlib.sha256()
    digest.update(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    for group, paths in (("data", sorted(data_dir.glob("*.yaml"))), ("code", _code_files())):
        for path in paths:
            digest.update(f"{group}/{path.name}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _trusted(path: Path) -> bool:
    """Ours and writable by no one else, in a directory no one else can write to."""
    try:
        mine = path.stat()
        parent = path.parent.stat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):
        return True  # Windows: the user's profile directory
    others = stat.S_IWGRP | stat.S_IWOTH
    return mine.st_uid == os.getuid() and not mine.st_mode & others and not parent.st_mode & others


def _read(path: Path) -> KnowledgeBase | None:
    if not path.is_file() or not _trusted(path):
        return None
    try:
        with path.open("rb") as f:
            kb = pickle.load(f)
    except Exception:  # any unreadable cache means: load from the files
        return None
    return kb if isinstance(kb, KnowledgeBase) else None


def _write(directory: Path, path: Path, kb: KnowledgeBase) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".kb-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(kb, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # whole or not at all, also with parallel writers
        for old in directory.glob(f"{path.name.rsplit('-', 1)[0]}-*.pickle"):
            if old != path:  # the same data directory's older builds
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs the next start its 0.3 s


def load(data_dir: Path | None = None) -> KnowledgeBase:
    """The knowledge base from the cache when its key matches, else ``load_kb`` (and cache it).

    Errors in the data are ``load_kb``'s: an invalid knowledge base is never cached.
    """
    directory = data_dir or default_data_dir()
    where = cache_dir()
    if where is None:
        return load_kb(directory)
    try:
        key = cache_key(directory)
    except OSError:
        return load_kb(directory)  # load_kb names the unreadable file
    place = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:12]
    path = where / f"kb-{place}-{key[:32]}.pickle"
    cached = _read(path)
    if cached is not None:
        return cached
    kb = load_kb(directory)
    _write(where, path, kb)
    return kb
