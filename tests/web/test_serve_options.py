"""``crampcare serve``'s options: refused with a message naming the option, before anything
starts (no data directory, no migration); an address in use is named, not retried."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from crampcare.cli import main
from crampcare.web import server


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--bind", "8000"], "--bind '8000': use HOST:PORT", id="bind-without-host"),
        pytest.param(["--bind", "host:port"], "use HOST:PORT", id="bind-port-not-a-number"),
        pytest.param(["--port", "70000"], "--port 70000: use 1 to 65535", id="port-too-high"),
        pytest.param(["--workers", "0"], "--workers 0: use 1 to 64", id="no-workers"),
        pytest.param(["--threads", "65"], "--threads 65: use 1 to 64", id="too-many-threads"),
    ],
)
def test_bad_options_are_refused_before_anything_starts(
    argv: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CRAMPCARE_DATA_DIR", str(tmp_path / "data"))
    assert main(["serve", *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_an_address_in_use_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRAMPCARE_DATA_DIR", str(tmp_path / "data"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--bind", f"127.0.0.1:{port}"]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_one_worker_per_core_by_default() -> None:
    assert server.default_workers() >= 1
    assert server.Options("::1", 8443, 2, 4).bind == "[::1]:8443"
