"""Backups are tested end to end, as a clinic uses them: each ``crampcare`` command runs in its
own process against a real data directory (SQLite) or a database of its own (PostgreSQL, when
DATABASE_URL names one: ``test_<name>_src`` and ``test_<name>_dst`` beside it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

URL = os.environ.get("DATABASE_URL", "")
POSTGRES = urlsplit(URL).scheme.startswith("postg")
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Place:
    """A data directory, and the PostgreSQL database it uses (None: SQLite inside it)."""

    data: Path
    url: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crampcare", *args],
            env=self.environ(**extra),
            capture_output=True,
            text=True,
            timeout=300,
            cwd=self.data.parent,
        )

    def environ(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CRAMPCARE_", "DJANGO_"))}
        env.pop("DATABASE_URL", None)
        env.update(CRAMPCARE_DATA_DIR=str(self.data), NO_COLOR="1", PYTHONPATH=str(REPO))
        if self.url:
            env["DATABASE_URL"] = self.url
        return {**env, **self.env, **extra}

    def python(self, code: str) -> str:
        """Run ``code`` with Django set up for this place; its standard output."""
        setup = "from crampcare.web import boot; boot.setup()\n"
        done = subprocess.run(
            [sys.executable, "-c", setup + code],
            env=self.environ(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def _database(name: str) -> str:
    parts = urlsplit(URL)
    base = parts.path.lstrip("/") or "b1"
    return urlunsplit(parts._replace(path=f"/test_{base}_{name}"))


def _recreate(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def place(tmp: Path, name: str, vendor: str) -> Place:
    url = None
    if vendor == "postgresql":
        url = _database(name)
        _recreate(url)
    return Place(tmp / name, url)


@pytest.fixture(scope="session")
def demo_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the demo clinic on SQLite (patients, sessions, diaries, audit checkpoints),
    made once: the source every test restores from or starts with."""
    root = tmp_path_factory.mktemp("demo")
    source = Place(root / "data")
    for args in (("demo",), ("audit", "checkpoint"), ("backup", str(root / "demo.ccbackup"))):
        done = source.run(*args)
        assert done.returncode == 0, done.stderr
    return root / "demo.ccbackup"


VENDORS = ["sqlite", "postgresql"] if POSTGRES else ["sqlite"]


@pytest.fixture(params=VENDORS)
def vendor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def source(tmp_path: Path, vendor: str, demo_backup: Path) -> Iterator[Place]:
    """A running clinic's place on this vendor, holding the demo clinic."""
    made = place(tmp_path, "src", vendor)
    done = made.run("restore", str(demo_backup))
    assert done.returncode == 0, done.stderr
    yield made
    shutil.rmtree(made.data, ignore_errors=True)


@pytest.fixture
def target(tmp_path: Path, vendor: str) -> Place:
    return place(tmp_path, "dst", vendor)
