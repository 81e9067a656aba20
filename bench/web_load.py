"""Benchmark: the workbench's pages under load, against a bare Django view on the same server.

In one run, on one machine:
1. a fresh data directory with the demo clinic (``crampcare demo``: 29 patients, assessed);
2. ``crampcare serve`` (the production server: gunicorn, a worker process per core, threads);
3. a bare Django view rendering a small template (bench/bare_django.py), served by the same
   gunicorn configuration (workers, threads, worker class) on another port;
4. each target loaded in turn with 50 connections for 10 s by ``wrk`` (apt package ``wrk``;
   without it, a bounded Python load generator of threads with keep-alive connections);
and prints requests/s, p50 and p99 per page, each as a ratio to the bare view.

Pages: sign-in (GET /login), patient list (/), patient page, assessment page, as the demo
practitioner (session cookie). Every response must be 200: a redirect to the sign-in page would
measure the wrong page, so each URL is checked before it is loaded.

SQLite by default; PostgreSQL with DATABASE_URL=postgresql://postgres@127.0.0.1:5432/k5bench
(the named database is dropped and made anew).
Run:
    .venv/bin/python bench/web_load.py [--quick] [--connections 50] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_postgres(url: str) -> None:
    """Drop and create the database DATABASE_URL names."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def started(argv: list[str], env: dict[str, str], ready: str) -> Iterator[str]:
    """A server subprocess; yields its output up to the line containing ``ready``."""
    proc = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit(f"server stopped:\n{''.join(lines)}")
            lines.append(line)
            if ready in line:
                break
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain
        yield "".join(lines)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(base: str, path: str, cookie: str = "", **extra: Any) -> tuple[int, str, Any]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    headers.update(extra.pop("headers", {}))
    conn.request(extra.pop("method", "GET"), path, body=extra.pop("body", None), headers=headers)
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, body, r


def sign_in(base: str, username: str, password: str) -> str:
    """The Cookie header of a signed-in browser (the cookies are Secure; sent by hand here)."""
    status, body, r = get(base, "/login")
    csrf = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert status == 200 and csrf and token, "no sign-in form"
    from urllib.parse import urlencode

    form = urlencode({"csrfmiddlewaretoken": token[1], "username": username, "password": password})
    status, _, r = get(
        base,
        "/login",
        f"csrftoken={csrf[1]}",
        method="POST",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": base + "/"},
    )
    session = re.search(r"sessionid=([^;]+)", r.getheader("Set-Cookie") or "")
    assert status == 302 and session, f"sign-in failed ({status})"
    return f"csrftoken={csrf[1]}; sessionid={session[1]}"


# --- load -----------------------------------------------------------------------------------


def wrk(url: str, cookie: str, connections: int, seconds: int) -> dict[str, float]:
    threads = min(connections, os.cpu_count() or 1)
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        argv[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "bad": float(bad[1]) if bad else 0.0,
        "errors": 1.0 if errors else 0.0,
    }


def python_load(url: str, cookie: str, connections: int, seconds: int) -> dict[str, float]:
    """A bounded load generator: ``connections`` threads, each one keep-alive connection."""
    parts = urlsplit(url)
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine: list[float] = []
        wrong = 0
        while time.monotonic() < stop:
            t = time.perf_counter()
            conn.request("GET", parts.path or "/", headers={"Cookie": cookie} if cookie else {})
            r = conn.getresponse()
            r.read()
            mine.append((time.perf_counter() - t) * 1000)
            wrong += r.status != 200
        conn.close()
        with lock:
            latencies.extend(mine)
            bad[0] += wrong

    workers = [threading.Thread(target=worker) for _ in range(connections)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / elapsed,
        "p50": q[49],
        "p99": q[98],
        "bad": float(bad[0]),
        "errors": 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, help="server worker processes (default: per core)")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--quick", action="store_true", help="20 connections for 3 s: a first try")
    ap.add_argument("--python-load", action="store_true", help="use the Python load generator")
    args = ap.parse_args()
    if args.quick:
        args.connections, args.seconds = 20, 3
    load = python_load if args.python_load or not shutil.which("wrk") else wrk
    tool = "wrk" if load is wrk else "python load generator"

    tmp = tempfile.mkdtemp(prefix="crampcare-load-")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {"CRAMPCARE_DATA_DIR": tmp, "CRAMPCARE_SECRET_KEY": "load-" + "x" * 40}
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        fresh_postgres(url)
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    demo = subprocess.run(
        [PY, "-m", "crampcare", "demo"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if demo.returncode:
        raise SystemExit(demo.stderr)
    password = re.search(r"demo-practitioner\s+(\S+)", demo.stdout)[1]  # type: ignore[index]

    port, bare_port = free_port(), free_port()
    workers = ["--workers", str(args.workers)] if args.workers else []
    serve = [PY, "-m", "crampcare", "serve", "--port", str(port), "--threads", str(args.threads)]
    with started(serve + workers, env, "serving on") as banner:
        shape = re.search(r"\((\d+) worker process\(es\) x (\d+) threads", banner)
        n_workers = int(shape[1]) if shape else 0
        bare = [PY, str(ROOT / "bench" / "bare_django.py"), "--port", str(bare_port)]
        bare += ["--workers", str(n_workers), "--threads", str(args.threads)]
        with started(bare, env, "serving on"):
            base = f"http://127.0.0.1:{port}"
            cookie = sign_in(base, "demo-practitioner", password)
            _, home, _ = get(base, "/", cookie)
            patient = re.search(r'href="(/patients/[0-9a-f-]{36})"', home)[1]  # type: ignore[index]
            _, page, _ = get(base, patient, cookie)
            assessment = re.search(r'href="(/assessments/[0-9a-f-]{36})"', page)[1]  # type: ignore[index]
            targets = [
                ("bare Django view", f"http://127.0.0.1:{bare_port}/", ""),
                ("sign-in", f"{base}/login", ""),
                ("patient list", f"{base}/", cookie),
                ("patient page", f"{base}{patient}", cookie),
                ("assessment page", f"{base}{assessment}", cookie),
            ]
            for name, target, with_cookie in targets:
                status, _, _ = get(
                    f"http://{urlsplit(target).netloc}", urlsplit(target).path, with_cookie
                )
                assert status == 200, f"{name}: {status}"
            print(
                f"crampcare web load: {database}, {n_workers} worker process(es) x {args.threads} "
                f"threads (gunicorn gthread), {tool}, {args.connections} connections, "
                f"{args.seconds} s per page; nproc {os.cpu_count()}"
            )
            print(f"{'page':<18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8}")
            bare_rps = 0.0
            for name, target, with_cookie in targets:
                r = load(target, with_cookie, args.connections, args.seconds)
                bare_rps = bare_rps or r["rps"]
                note = f"  ({int(r['bad'])} not 2xx/3xx)" if r["bad"] else ""
                print(
                    f"{name:<18} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
                    f"{r['rps'] / bare_rps:>7.0%}{note}"
                )
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
