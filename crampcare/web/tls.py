"""The clinic's own certificate authority and the server certificate for ``serve --tls``.

Made once with ``cryptography`` and kept in ``<data dir>/tls/``: ``ca.crt`` (install it on the
tablets), ``ca.key`` (never leaves the server), ``server.crt`` and ``server.key``. The CA is
reused for as long as it lasts; the server certificate is issued again when a name or address
it must cover is missing, or when it is within 30 days of its end. See docs/clinic-network.md.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TLS_DIR = "tls"
CA_DAYS = 10 * 365
# Apple devices refuse a server certificate valid for more than 825 days; browsers enforce 398
# days for public CAs only. A year, issued again automatically at start-up near its end.
SERVER_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)
Name = str | ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    cert: Path
    key: Path
    names: tuple[str, ...]  # the DNS names and addresses the server certificate covers
    issued: bool  # the server certificate was (re)issued at this start

    @property
    def ca_fingerprint(self) -> str:
        """SHA-256 of the CA certificate, as tablets show it ("AB:CD:…")."""
        cert = x509.load_pem_x509_certificate(self.ca_cert.read_bytes())
        return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def machine_names(host: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The names and addresses tablets may use to reach this machine: host name, ``.local``
    (mDNS), the LAN addresses, loopback, the address served on, and ``extra`` (e.g. a name the
    clinic's router gives the server)."""
    hostname = socket.gethostname()
    names = [hostname, f"{hostname}.local", "localhost", "127.0.0.1", "::1", *extra]
    if host not in {"0.0.0.0", "::", ""}:
        names.append(host)
    names.extend(lan_addresses())
    seen: dict[str, None] = {}
    for name in names:
        if name and name.lower() not in seen:
            seen[name.lower()] = None
    return list(seen)


def tablet_address(names: list[str]) -> str:
    """The address to type on a tablet: an IPv4 LAN address, else the ``.local`` name."""
    for name in names:
        parsed = _parse(name)
        if isinstance(parsed, ipaddress.IPv4Address) and not parsed.is_loopback:
            return name
    return next((n for n in names if n.endswith(".local")), "localhost")


def lan_addresses() -> list[str]:
    """This machine's addresses on its networks (no packet is sent)."""
    found: list[str] = []
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))  # chooses the outgoing interface; UDP sends nothing
                found.append(s.getsockname()[0])
        except OSError:
            pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            found.append(str(info[4][0]))
    except OSError:
        pass
    return [a for a in found if not ipaddress.ip_address(a.split("%")[0]).is_loopback]


def _parse(name: str) -> Name:
    try:
        return ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return name.lower()


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _usage(**on: bool) -> x509.KeyUsage:
    flags = ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment"]
    flags += ["key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"]
    return x509.KeyUsage(**{flag: on.get(flag, False) for flag in flags})


def _make_ca(directory: Path, clinic: str, now: dt.datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, clinic),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{clinic} local CA ({socket.gethostname()})"),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(directory / "ca.key", _key_pem(key))
    (directory / "ca.crt").write_bytes(_cert_pem(cert))


def _server_cert_ok(path: Path, names: list[str], now: dt.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    covered = {str(n).lower() for n in san.get_values_for_type(x509.DNSName)}
    covered |= {str(a) for a in san.get_values_for_type(x509.IPAddress)}
    wanted = {str(_parse(n)) for n in names}
    return wanted <= covered and cert.not_valid_after_utc - now > RENEW_BEFORE


def _issue_server(directory: Path, names: list[str], now: dt.datetime) -> None:
    ca_key = serialization.load_pem_private_key((directory / "ca.key").read_bytes(), None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError("ca.key is not the EC key crampcare makes")
    ca_cert = x509.load_pem_x509_certificate((directory / "ca.crt").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName] = []
    for name in names:
        parsed = _parse(name)
        if isinstance(parsed, str):
            alt.append(x509.DNSName(parsed))
        else:
            alt.append(x509.IPAddress(parsed))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(directory / "server.key", _key_pem(key))
    (directory / "server.crt").write_bytes(_cert_pem(cert))


def ensure(data_dir: Path, names: list[str], clinic: str = "crampcare clinic") -> TlsFiles:
    """The CA and a server certificate covering ``names``, made or reused in the data directory."""
    directory = data_dir / TLS_DIR
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = dt.datetime.now(dt.UTC)
    if not (directory / "ca.crt").is_file() or not (directory / "ca.key").is_file():
        _make_ca(directory, clinic, now)
    issued = False
    if (
        not _server_cert_ok(directory / "server.crt", names, now)
        or not (directory / "server.key").is_file()
    ):
        _issue_server(directory, names, now)
        issued = True
    cert = x509.load_pem_x509_certificate((directory / "server.crt").read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    covered = tuple(str(v) for v in san.get_values_for_type(x509.DNSName)) + tuple(
        str(v) for v in san.get_values_for_type(x509.IPAddress)
    )
    return TlsFiles(
        directory / "ca.crt", directory / "server.crt", directory / "server.key", covered, issued
    )


def instructions(files: TlsFiles, url: str) -> str:
    """What to print at start: where the CA is and how to trust it on the clinic's tablets."""
    return f"""\
crampcare: HTTPS with the clinic's own certificate authority (CA)
  CA certificate (install on each tablet): {files.ca_cert}
  its SHA-256 fingerprint: {files.ca_fingerprint}
  the server certificate covers: {", ".join(files.names)}
  Copy ca.crt to each tablet (AirDrop, e-mail, a USB stick) and compare the fingerprint on
  the tablet before trusting it.
  iPad/iPhone: open the file, then Settings > General > VPN & Device Management (older iOS:
    Profiles) > install it; then Settings > General > About > Certificate Trust Settings >
    turn on full trust for it.
  Android: Settings > Security > Encryption & credentials > Install a certificate >
    CA certificate > choose ca.crt (menu names vary by maker).
  Then open {url} (docs/clinic-network.md has the steps and what to check)."""
