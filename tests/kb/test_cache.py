"""The compiled knowledge-base cache: used when nothing changed, never when anything did, and
never trusted over the data files (a corrupt, foreign or tampered cache means a full load)."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crampcare.kb import cache
from crampcare.kb.loader import KnowledgeBase, KnowledgeBaseError, default_data_dir, load_kb

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(where))
    return where


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the packaged data files, to change."""
    return Path(shutil.copytree(default_data_dir(), tmp_path / "data"))


def _no_full_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> KnowledgeBase:
        raise AssertionError("the full load ran although the cache matched")

    monkeypatch.setattr(cache, "load_kb", refuse)


def _files(where: Path) -> list[Path]:
    return sorted(where.glob("kb-*.pickle"))


def test_a_second_load_comes_from_the_cache(
    cache_dir: Path, data: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cache.load(data)
    assert first.version == kb.version and len(_files(cache_dir)) == 1
    _no_full_load(monkeypatch)
    again = cache.load(data)
    assert again.version == kb.version
    assert again.points.keys() == kb.points.keys() and again.counts() == kb.counts()
    assert again.points["GB34"] == kb.points["GB34"]


def test_a_changed_data_file_is_loaded_again_and_replaces_the_cache(
    cache_dir: Path, data: Path
) -> None:
    before = cache.load(data)
    points = data / "points.yaml"
    text = points.read_text(encoding="utf-8")
    name = before.points["GB34"].english
    assert text.count(f"english: {name}\n") == 1
    changed = text.replace(f"english: {name}\n", "english: Changed Spring\n")
    points.write_text(changed, encoding="utf-8")
    after = cache.load(data)
    assert after.points["GB34"].english == "Changed Spring"
    assert after.version != before.version
    assert len(_files(cache_dir)) == 1  # the old build was removed


def test_a_new_data_file_changes_the_key(cache_dir: Path, data: Path) -> None:
    key = cache.cache_key(data)
    (data / "advice.extra.yaml").write_text("[]\n", encoding="utf-8")
    assert cache.cache_key(data) != key


def test_a_change_to_the_schema_code_changes_the_key(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "points.py"
    module.write_text("class Point: ...\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_code_files", lambda: [module])
    key = cache.cache_key(data)
    module.write_text("class Point:\n    english: str\n", encoding="utf-8")
    assert cache.cache_key(data) != key


def test_an_invalid_knowledge_base_is_refused_and_never_cached(cache_dir: Path, data: Path) -> None:
    (data / "sources.yaml").write_text("- id: broken\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError):
        cache.load(data)
    assert _files(cache_dir) == []


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x80\x05not a pickle at all", id="corrupt"),
        pytest.param(None, id="truncated"),
        pytest.param(pickle.dumps({"not": "a knowledge base"}), id="another-object"),
    ],
)
def test_an_unreadable_cache_falls_back_to_the_full_load(
    cache_dir: Path, data: Path, kb: KnowledgeBase, garbage: bytes | None
) -> None:
    cache.load(data)
    [path] = _files(cache_dir)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2] if garbage is None else garbage)
    loaded = cache.load(data)
    assert loaded.version == kb.version and loaded.counts() == kb.counts()
    assert pickle.loads(path.read_bytes()).version == kb.version  # written anew


def test_a_cache_others_could_write_is_not_read(
    cache_dir: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(os, "getuid"):
        pytest.skip("POSIX permissions")
    cache.load(data)
    [path] = _files(cache_dir)
    path.chmod(0o666)
    calls: list[Path | None] = []

    def full(directory: Path | None = None) -> KnowledgeBase:
        calls.append(directory)
        return load_kb(directory)

    monkeypatch.setattr(cache, "load_kb", full)
    cache.load(data)
    assert calls == [data]


def test_the_cache_can_be_turned_off(
    tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache.load(data)
    assert not (tmp_path / "xdg").exists()


def test_assess_imports_neither_django_nor_the_session_contract(tmp_path: Path) -> None:
    """The fast path of ``crampcare assess``: the engine, the intake and the cache only."""
    code = (
        "import sys, io, contextlib\n"
        "from crampcare.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['assess', 'docs/examples/nocturnal-calf-cramps.yaml']) == 0\n"
        "heavy = [m for m in sys.modules if m.startswith(('django', 'crampcare.core.session',"
        " 'crampcare.core.billing', 'crampcare.fhir.'))]\n"
        "assert not heavy, heavy\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env[cache.ENV] = str(tmp_path / "cache")
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT, timeout=120)
