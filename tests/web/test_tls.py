"""The clinic network: ``serve --tls`` (its own CA, real HTTPS), and plain HTTP explained.

The end-to-end test starts ``crampcare serve --tls`` in a subprocess and signs in over HTTPS
with a client that trusts only the CA the server made: the certificate chain, the Secure
cookies and the CSRF check over HTTPS (Referer) all have to hold.
"""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from django.test import Client

from crampcare.web import tls
from crampcare.web.transport import PLAIN_HTTP_PROBLEM

ROOT = Path(__file__).resolve().parents[2]
ADMIN, PASSWORD = "tls-admin", "a long passphrase for the clinic tablet"
LAN = "192.168.1.20"


# --- the certificates ----------------------------------------------------------------------


def _san(path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(v) for v in san.get_values_for_type(x509.DNSName)} | {
        str(v) for v in san.get_values_for_type(x509.IPAddress)
    }


def test_the_ca_is_made_once_and_the_server_certificate_follows_the_names(tmp_path: Path) -> None:
    first = tls.ensure(tmp_path, ["clinic-server", "clinic-server.local", LAN, "::1"])
    assert first.issued
    assert {"clinic-server", "clinic-server.local", LAN, "::1"} <= _san(first.cert)
    for key in ("ca.key", "server.key"):
        assert stat.S_IMODE((tmp_path / "tls" / key).stat().st_mode) == 0o600
    ca_bytes, cert_bytes = first.ca_cert.read_bytes(), first.cert.read_bytes()

    again = tls.ensure(tmp_path, [LAN, "clinic-server"])  # covered: nothing is made
    assert not again.issued
    assert again.cert.read_bytes() == cert_bytes and again.ca_cert.read_bytes() == ca_bytes

    moved = tls.ensure(tmp_path, ["clinic-server", "192.168.1.77"])  # a new address
    assert moved.issued and "192.168.1.77" in _san(moved.cert)
    assert moved.ca_cert.read_bytes() == ca_bytes  # the tablets keep trusting the same CA
    server = x509.load_pem_x509_certificate(moved.cert.read_bytes())
    ca = x509.load_pem_x509_certificate(ca_bytes)
    server.verify_directly_issued_by(ca)
    lifetime = server.not_valid_after_utc - server.not_valid_before_utc
    assert lifetime.days <= 825  # Apple's limit for a TLS server certificate
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", moved.ca_fingerprint)


def test_machine_names_cover_loopback_and_the_host_name(tmp_path: Path) -> None:
    names = tls.machine_names("0.0.0.0", ("clinic.example",))
    assert {"localhost", "127.0.0.1", socket.gethostname(), "clinic.example"} <= set(names)
    assert "0.0.0.0" not in names


# --- serve --tls, end to end ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data: Path) -> dict[str, str]:
    drop = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CRAMPCARE_SECRET_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, "CRAMPCARE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}


def _first_admin(env: dict[str, str]) -> None:
    code = (
        "from crampcare.web import boot; boot.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "from crampcare.clinic import accounts\n"
        f"accounts.first_admin('TLS clinic', {{'username': {ADMIN!r}, 'email': '', "
        f"'password': {PASSWORD!r}}})\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=180)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """``crampcare serve --tls`` on 127.0.0.1 and a free port: (base URL, CA file, output)."""
    env = _env(tmp_path / "data")
    (tmp_path / "data").mkdir(mode=0o700)
    (tmp_path / "data" / "secret_key").write_text("k" * 50)
    (tmp_path / "data" / "secret_key").chmod(0o600)
    _first_admin(env)
    port = _free_port()
    argv = ["serve", "--tls", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "crampcare", *argv],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "serving on" in line:
                break
        output = "".join(lines)
        assert f"serving on https://127.0.0.1:{port}/" in output, output
        yield f"https://127.0.0.1:{port}", tmp_path / "data" / "tls" / "ca.crt", output
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def _set_cookies(response: requests.Response) -> list[str]:
    return [v for k, v in response.raw.headers.items() if k.lower() == "set-cookie"]


def test_serve_tls_signs_in_over_https_trusting_only_the_clinic_ca(
    tls_server: tuple[str, Path, str],
) -> None:
    base, ca, output = tls_server
    assert str(ca) in output and "Certificate Trust Settings" in output  # how to trust it
    with requests.Session() as browser:
        browser.trust_env = False  # REQUESTS_CA_BUNDLE would replace the CA given here
        browser.verify = str(ca)  # the clinic CA and nothing else
        page = browser.get(f"{base}/login", timeout=30)
        assert page.status_code == 200 and page.headers["Server"] == "crampcare"
        assert PLAIN_HTTP_PROBLEM not in page.text
        assert all("Secure" in c for c in _set_cookies(page))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None
        signed_in = browser.post(
            f"{base}/login",
            data={"csrfmiddlewaretoken": token[1], "username": ADMIN, "password": PASSWORD},
            headers={"Referer": f"{base}/login"},  # Django checks it over HTTPS
            allow_redirects=False,
            timeout=30,
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        session = [c for c in _set_cookies(signed_in) if c.startswith("sessionid=")]
        assert session and "Secure" in session[0] and "HttpOnly" in session[0]
        home = browser.get(f"{base}/", allow_redirects=False, timeout=30)
        assert home.status_code == 200 and ADMIN in home.text
    with requests.Session() as stranger, pytest.raises(requests.exceptions.SSLError):
        stranger.trust_env = False
        stranger.get(f"{base}/login", timeout=30)  # the public CAs do not vouch for it


# --- plain HTTP on the clinic network ------------------------------------------------------


@pytest.fixture
def lan_client(settings: Any) -> Client:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, LAN]
    return Client(enforce_csrf_checks=True, HTTP_HOST=f"{LAN}:8000", REMOTE_ADDR="192.168.1.33")


def test_plain_http_on_a_lan_address_explains_instead_of_a_csrf_error(
    db: Any, lan_client: Client
) -> None:
    page = lan_client.get("/login")
    assert page.status_code == 200
    assert PLAIN_HTTP_PROBLEM in page.content.decode()
    # the tablet dropped the Secure CSRF cookie, so the post arrives without it
    lan_client.cookies.clear()
    posted = lan_client.post("/login", {"username": "someone", "password": "x" * 12})
    body = posted.content.decode()
    assert posted.status_code == 403
    assert "https://" in body and "CSRF check failed" not in body


@pytest.mark.parametrize(
    ("host", "secure", "explained"),
    [
        pytest.param("127.0.0.1:8000", False, False, id="loopback-http"),
        pytest.param("localhost:8000", False, False, id="localhost-http"),
        pytest.param(f"{LAN}:8443", True, False, id="lan-https"),
        pytest.param(f"{LAN}:8000", False, True, id="lan-http"),
    ],
)
def test_the_explanation_shows_only_where_secure_cookies_fail(
    db: Any, settings: Any, host: str, secure: bool, explained: bool
) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, LAN]
    page = Client(HTTP_HOST=host).get("/login", secure=secure)
    assert page.status_code == 200
    assert (PLAIN_HTTP_PROBLEM in page.content.decode()) is explained


def test_without_secure_cookies_plain_http_is_not_flagged(
    db: Any, settings: Any, lan_client: Client
) -> None:
    settings.SESSION_COOKIE_SECURE = False  # CRAMPCARE_SECURE_COOKIES=false, a trusted network
    assert PLAIN_HTTP_PROBLEM not in lan_client.get("/login").content.decode()
