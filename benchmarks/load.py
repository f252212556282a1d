"""Load benchmark of the web application under gunicorn, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/load.py                  # both engines (PostgreSQL if reachable)
    .venv/bin/python benchmarks/load.py --quick          # smoke run: small data, few requests
    .venv/bin/python benchmarks/load.py --engine sqlite --clients 10

Each engine runs in a subprocess on a fresh database (SQLite file in a temporary directory;
PostgreSQL database ``bench_load_<pid>``, dropped at the end) holding 10,000 donors (half
screened), 20 batches in quarantine with QC results, and 1,000,000 audit events. The subprocess
counts the SQL queries of each page once, in process (Django test client), then starts
``stromalab serve`` (gunicorn gthread) on a free port of 127.0.0.1 and drives it with 10, then
50, concurrent clients: real HTTP, each client logged in through the login form (one session
per role it needs), cycling through the busiest pages and API calls for a fixed number of
requests (and at most ``--max-seconds`` per run). It prints, per engine and concurrency, the
requests, errors, throughput and p50/p95/p99 of each page, the CPU per request of the server, the
database and the clients (Linux), and the queries per request.
Target (2 cores): no errors, p95 <= 150 ms for every page at 10 concurrent clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from _data import (
    PG_URL,
    create_database,
    drop_database,
    load_donors,
    load_events,
    postgres_available,
)

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-benchmark password 7 correct horse"
TARGET_P95_MS = 150
#: (role of the session, username) of the three sessions each client holds
USERS = {"investigator": "bench_inv", "qualified_person": "bench_qp", "monitor": "bench_mon"}
#: a complete screening form (every criterion answered), posted to a not yet screened donor
SCREENING_FORM = {
    "as_of": "2026-03-02", "sex": "female", "birth_date": "1990-05-14", "weight_kg": "62.0", "height_cm": "168.0",
    "systolic": "128", "diastolic": "82", "smoking": "never", "social_security": "true",
    "surgery_procedure": "liposuction", "surgery_site": "abdominal wall", "surgery_anesthesia": "general",
    "surgery_date": "2026-03-20", "pregnancy_result": "negative", "pregnancy_date": "2026-03-01",
    **{f"serology_{t}": "negative" for t in ("HBsAg", "anti-HBc", "anti-HCV", "HIV", "HEV", "syphilis", "HTLV",
                                             "toxoplasma-IgM", "EBV-IgM", "CMV-IgM")},
    **{f"answer_E{i}": "no" for i in range(1, 23)},
}
#: QC results entered on each batch (test id -> value); every fourth batch also fails CD45 (an OOS)
QC_RESULTS = {"viability": "92.5", "cell-count": "120000000", "sterility": "no growth", "endotoxin": "0.5",
              "cd73": "99.1"}


@dataclass
class Data:
    """What the pages are asked about: filled by the engine subprocess after loading."""

    pseudonyms: list[str]
    batches: list[str]
    to_screen: Iterator[str]
    last_event: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_unscreened(self) -> str:
        with self.lock:
            return next(self.to_screen)


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    method: str
    target: Callable[[random.Random, Data], str]  # the path (with query string)
    expect: int = 200


def _audit_page(rng: random.Random, data: Data) -> str:
    """One of the 20 newest pages of 100 events (the trail pages by event id: ``before``)."""
    return f"/audit/?before={data.last_event + 1 - 100 * rng.randint(0, 19)}"


PAGES = [
    Page("dashboard", "investigator", "GET", lambda rng, d: "/"),
    Page("api dashboard summary", "investigator", "GET", lambda rng, d: "/api/dashboard/summary"),
    Page("donor list", "investigator", "GET", lambda rng, d: f"/donors/?page={rng.randint(1, len(d.pseudonyms) // 50)}"),
    Page("donor search", "investigator", "GET", lambda rng, d: f"/donors/?q={rng.randint(10, 999)}"),
    Page("donor page", "investigator", "GET", lambda rng, d: f"/donors/{rng.choice(d.pseudonyms)}/"),
    Page("screening save", "investigator", "POST", lambda rng, d: f"/screening/{d.next_unscreened()}/", 302),
    Page("quality batch list", "qualified_person", "GET", lambda rng, d: "/quality/"),
    Page("batch QC page", "qualified_person", "GET", lambda rng, d: f"/quality/batches/{rng.choice(d.batches)}/"),
    Page("release summary", "qualified_person", "GET",
         lambda rng, d: f"/quality/batches/{rng.choice(d.batches)}/release/"),
    Page("api release summary", "qualified_person", "GET",
         lambda rng, d: f"/api/quality/batches/{rng.choice(d.batches)}/release"),
    Page("audit page", "monitor", "GET", _audit_page),
    Page("audit by subject", "monitor", "GET", lambda rng, d: f"/audit/?subject={rng.choice(d.pseudonyms)}"),
]


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


# --- the HTTP client ---------------------------------------------------------------------------

class HttpClient:
    """One browser: one keep-alive connection to 127.0.0.1, one cookie jar per role."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.jars: dict[str, dict[str, str]] = {role: {} for role in USERS}

    def request(self, role: str, method: str, path: str, form: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], bytes]:
        jar = self.jars[role]
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                jar[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def login(self, role: str) -> None:
        status, _, page = self.request(role, "GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: HTTP {status}")
        status, headers, _ = self.request(role, "POST", "/accounts/login/", {
            "username": USERS[role], "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()})
        if status != 302 or "login" in headers.get("location", ""):
            raise RuntimeError(f"login of {USERS[role]} refused: HTTP {status}")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _hit(client: HttpClient, page: Page, rng: random.Random, data: Data) -> str | None:
    """One request of ``page``; None when answered as expected, else what went wrong."""
    path = page.target(rng, data)
    form = None
    if page.method == "POST":
        # what a browser posts: the CSRF token and the form's one-off submission token (a fresh
        # UUID per rendered form, web/submissions), so the save claims and records it as a user's does
        form = {**SCREENING_FORM, "csrfmiddlewaretoken": client.jars[page.role].get("csrftoken", ""),
                "submission_token": str(uuid.uuid4())}
    status, headers, _ = client.request(page.role, page.method, path, form)
    if status != page.expect:
        return f"HTTP {status}"
    if status == 302 and headers.get("location", "").split("?")[0] != path:
        return f"redirected to {headers.get('location')}"
    return None


def run_phase(clients: list[HttpClient], requests: int, max_seconds: float, data: Data,
              record: bool = True) -> dict[str, Any]:
    """``requests`` requests spread over the clients (request i is page i mod len(PAGES)), at
    most ``max_seconds``; returns per-page latencies and errors."""
    counter = iter(range(requests))
    counter_lock = threading.Lock()
    samples: dict[str, list[float]] = {p.name: [] for p in PAGES}
    errors: dict[str, list[str]] = {p.name: [] for p in PAGES}
    deadline = time.monotonic() + max_seconds
    stopped = threading.Event()

    def work(k: int, client: HttpClient) -> None:
        rng = random.Random(k)
        while True:
            with counter_lock:
                i = next(counter, None)
            if i is None:
                return
            if time.monotonic() > deadline:
                stopped.set()
                return
            page = PAGES[i % len(PAGES)]
            t = time.perf_counter()
            try:
                problem = _hit(client, page, rng, data)
            except Exception as e:  # every failure is counted and shown
                problem = f"{type(e).__name__}: {e}"
                client.close()
                client.conn = None
            ms = (time.perf_counter() - t) * 1000
            samples[page.name].append(ms)
            if problem:
                errors[page.name].append(problem)

    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(k, c)) for k, c in enumerate(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    total = sum(len(s) for s in samples.values())
    out: dict[str, Any] = {"clients": len(clients), "requests": total, "wall_s": round(wall, 1),
                           "throughput": round(total / wall, 1), "stopped_at_deadline": stopped.is_set(),
                           "loadavg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                           "pages": {}}
    for p in PAGES:
        s = samples[p.name]
        out["pages"][p.name] = {
            "n": len(s), "errors": len(errors[p.name]), "rps": round(len(s) / wall, 1),
            "p50": round(_pct(s, 0.50), 1), "p95": round(_pct(s, 0.95), 1), "p99": round(_pct(s, 0.99), 1),
            "error_samples": sorted(set(errors[p.name]))[:3]}
    return out if record else {}


@dataclass(frozen=True)
class CpuProbe:
    """CPU time (user + system, from Linux's ``/proc``) of the server (gunicorn's process group),
    the database's backends (PostgreSQL: processes titled with the database's name) and this
    process (the clients). Per request, it tells a slower machine from slower code: the throughput
    is about the cores divided by their sum.

    Read per process, every ``interval`` seconds while the run lasts, and subtracted per process:
    a worker's database connection is replaced once older than ``CONN_MAX_AGE`` (60 s under
    ``stromalab serve``), so in a run longer than that every backend the first reading saw has
    ended before the last one. Readings at the start and end only lost those backends' whole
    CPU (0.2 ms per request instead of about 2 in a run of 66 s); sampled, a process that ends
    loses at most its last ``interval``, and one that starts during the run counts whole."""

    server_group: int
    database: str | None
    interval: float = 0.5

    def read(self) -> dict[str, dict[int, float]]:
        """Seconds of CPU per process id, by part (``server``, ``database``, ``clients``)."""
        tick = os.sysconf("SC_CLK_TCK")
        out: dict[str, dict[int, float]] = {"server": {}, "database": {}, "clients": {0: time.process_time()}}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                seconds = (int(fields[11]) + int(fields[12])) / tick
                pid = int(stat.parent.name)
                if int(fields[2]) == self.server_group:
                    out["server"][pid] = seconds
                elif self.database and f" {self.database} ".encode() in (
                        stat.with_name("cmdline").read_bytes().replace(b"\0", b" ") + b" "):
                    out["database"][pid] = seconds
            except (OSError, IndexError, ValueError):  # a process that ended meanwhile
                continue
        return out

    @contextmanager
    def sampling(self) -> Iterator[dict[str, float]]:
        """Seconds of CPU spent by part during the ``with`` block, filled in when it ends."""
        first = self.read()
        latest = {part: dict(pids) for part, pids in first.items()}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(self.interval):
                for part, pids in self.read().items():
                    latest[part].update(pids)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        spent: dict[str, float] = {}
        try:
            yield spent
        finally:
            done.set()
            sampler.join()
            for part, pids in self.read().items():
                latest[part].update(pids)
            spent.update({part: sum(max(0.0, seconds - first[part].get(pid, 0.0)) for pid, seconds in pids.items())
                          for part, pids in latest.items()})


def run_load(port: int, concurrency: int, requests: int, max_seconds: float, data: Data,
             warmup: int, probe: CpuProbe) -> dict[str, Any]:
    clients = [HttpClient(port) for _ in range(concurrency)]
    login_errors: list[str] = []

    def login_all(client: HttpClient) -> None:
        try:
            for role in USERS:
                client.login(role)
        except Exception as e:
            login_errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=login_all, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if login_errors:
        raise RuntimeError(f"{len(login_errors)} clients could not log in: {login_errors[:3]}")
    run_phase(clients, warmup, max_seconds, data, record=False)
    if Path("/proc/self/stat").exists():
        with probe.sampling() as spent:
            result = run_phase(clients, requests, max_seconds, data)
        if result["requests"]:
            result["cpu_ms_per_request"] = {k: round(1000 * v / result["requests"], 1) for k, v in spent.items()}
    else:
        result = run_phase(clients, requests, max_seconds, data)
    for c in clients:
        c.close()
    return result


# --- the engine subprocess ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_command(port: int, workers: int, threads: int) -> list[str]:
    args = ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    stromalab = Path(sys.executable).with_name("stromalab")
    from stromalab.cli import COMMANDS

    if "serve" in COMMANDS and stromalab.exists():
        return [str(stromalab), "serve", *args]
    # the command module exists but is not in the command table yet: run it the same way
    shim = ("import argparse, sys; from stromalab.commands import serve; p = argparse.ArgumentParser(); "
            "serve.add_arguments(p); sys.exit(serve.run(p.parse_args()))")
    return [sys.executable, "-c", shim, *args]


def _wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"stromalab serve exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"stromalab serve not healthy after {timeout} s:\n{log.read_text()[-3000:]}")


def _make_users() -> None:
    from stromalab.web.accounts.actions import create_user

    for role, username in USERS.items():
        user, _ = create_user(username=username, role=role, password=PASSWORD, acting_user=None, validate=False)
        type(user).objects.filter(pk=user.pk).update(must_change_password=False)


def _make_batches(pseudonyms: list[str], count: int) -> list[str]:
    """``count`` batches in quarantine, two containers each, rows created directly like the
    quality tests' ``make_batch``; QC results entered through the action (judged, audited, an OOS
    opened for every failed CD45)."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from stromalab.web.accounts.actions import create_user
    from stromalab.web.audit.actions import record_event
    from stromalab.web.audit.kinds import EventKind
    from stromalab.web.donors.models import Donor
    from stromalab.web.manufacturing.models import Batch, Container, Donation
    from stromalab.web.quality.actions.results import record_result

    operator, _ = create_user(username="bench_op", role="operator", password=PASSWORD, acting_user=None,
                              validate=False)
    analyst, _ = create_user(username="bench_qc", role="qc_analyst", password=PASSWORD, acting_user=None,
                             validate=False)
    codes = []
    for n in range(1, count + 1):
        din = f"G1234{dt.date.today():%y}{n:06d}"
        with transaction.atomic():
            donation = Donation.objects.create(donor=Donor.objects.get(pseudonym=pseudonyms[n - 1]), din=din,
                                               fin="G1234", year=int(din[5:7]), sequence=n,
                                               collected_at=timezone.now(), created_by=operator)
            batch = Batch.objects.create(donation=donation, code=din, din=din, status=Batch.QUARANTINE,
                                         product_code="S1234", product_description="MSC(AT) for infusion",
                                         created_by=operator)
            for i in range(2):
                c = Container.objects.create(batch=batch, din=din, division=f"A{i}", product_code="S1234",
                                             product_description="MSC(AT)")
                record_event(acting_user=operator, action=EventKind.CREATE, record=c, new={"status": c.status})
        results = {**QC_RESULTS, **({"cd45": "3.5"} if n % 4 == 0 else {})}
        for test_id, value in results.items():
            record_result(batch=batch, test_id=test_id, value=value, performed_on=dt.date.today(),
                          acting_user=analyst,
                          requested_dose="100000000" if test_id == "cell-count" else None)
        codes.append(batch.code)
    return codes


def count_queries(data: Data) -> dict[str, int]:
    """SQL queries of one request of each page (the second of two: steady state), in process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stromalab.web.accounts.models import User

    clients = {}
    for role, username in USERS.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=username))
    logging.getLogger("stromalab.request").disabled = True  # the access log lines are the server's business
    rng = random.Random(1)
    out = {}
    for page in PAGES:
        client = clients[page.role]
        for _ in range(2):
            path = page.target(rng, data)
            with CaptureQueriesContext(connection) as ctx:
                if page.method == "POST":
                    response = client.post(path, {**SCREENING_FORM, "submission_token": str(uuid.uuid4())})
                else:
                    response = client.get(path)
            if response.status_code != page.expect:
                raise RuntimeError(f"{page.name} {path}: HTTP {response.status_code} in process")
        out[page.name] = len(ctx.captured_queries)
    return out


def child(engine: str, opts: argparse.Namespace) -> dict[str, Any]:
    var_dir = tempfile.mkdtemp(prefix="stromalab-load-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "stromalab.web.settings"
    os.environ["STROMALAB_VAR_DIR"] = var_dir
    os.environ["STROMALAB_ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ.pop("STROMALAB_DEBUG", None)
    dbname = create_database(engine, "bench_load", var_dir)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    proc = None
    try:
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        from stromalab.web.audit.models import ChainHead
        from stromalab.web.bootstrap import load_study

        study = load_study("NCT05947682")
        _make_users()
        from stromalab.web.accounts.models import User

        pseudonyms = load_donors(study, User.objects.get(username=USERS["investigator"]), opts.donors)
        batches = _make_batches(pseudonyms, opts.batches)
        head = ChainHead.objects.get(pk=1)
        with transaction.atomic():
            load_events(connection, head.last_id, head.last_hash, opts.events - head.last_id, opts.donors)
        with connection.cursor() as c:
            c.execute("ANALYZE")  # planner statistics, as autovacuum would have them after a bulk load
        load_s = time.perf_counter() - t
        data = Data(pseudonyms=pseudonyms, batches=batches, to_screen=iter(pseudonyms[opts.donors // 2:]),
                    last_event=ChainHead.objects.get(pk=1).last_id)
        queries = count_queries(data)
        connections.close_all()

        port = _free_port()
        log = Path(var_dir) / "serve.log"
        # the server runs this checkout's code (PYTHONPATH before the installed package)
        env = {**os.environ, "STROMALAB_ALLOWED_HOSTS": "127.0.0.1", "PYTHONPATH": str(ROOT / "src")}
        with log.open("wb") as log_file:
            proc = subprocess.Popen(_serve_command(port, opts.workers, opts.threads), env=env, stdout=log_file,
                                    stderr=subprocess.STDOUT, start_new_session=True, cwd=var_dir)
        _wait_healthy(port, proc, log)
        runs = []
        for concurrency in opts.clients:
            # warm-up: every worker has served each page (its templates compiled, its connection
            # open), as on a server that has been up for a while; not counted
            runs.append(run_load(port, concurrency, opts.requests, opts.max_seconds, data,
                                 warmup=len(PAGES) * 2 * opts.workers, probe=CpuProbe(proc.pid, dbname)))
            print(json.dumps({"engine": engine, **runs[-1]}), file=sys.stderr, flush=True)
        return {"engine": engine, "donors": opts.donors, "events": opts.events, "batches": opts.batches,
                "workers": opts.workers, "threads": opts.threads, "load_s": round(load_s, 1),
                "queries": queries, "runs": runs}
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # our own process group: gunicorn and its workers
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        drop_database(dbname)
        shutil.rmtree(var_dir, ignore_errors=True)  # the SQLite file, static files, server log


# --- the parent: one subprocess per engine, then the tables --------------------------------------

#: the loop the machine's speed has been told by in docs/performance.md since 2026-11, run at a
#: module's top level (names in a dict, as ``python3 -c`` runs it), not in a function's locals
YARDSTICK = compile("total = 0\nfor i in range(10_000_000):\n    total += i\n", "<yardstick>", "exec")


def yardstick_seconds() -> float:
    """Seconds this interpreter takes for 10⁷ additions in a loop, the best of three: how fast
    the machine was, so that runs on machines of the same kind but of different speed (the same
    code served 57 and 168 requests/s on two of them) are compared by their CPU per request."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        exec(YARDSTICK, {})  # a constant of this file
        best = min(best, time.perf_counter() - t)
    return best


def render(results: list[dict[str, Any]], argv: list[str], yardstick: float) -> str:
    from stromalab.commands.serve import usable_cores

    cores = usable_cores()
    first = results[0]
    command = " ".join(["benchmarks/load.py", *argv])
    lines = [f"`.venv/bin/python {command}` — "
             f"{first['donors']:,} donors, {first['batches']} batches, {first['events']:,} audit events; "
             f"`stromalab serve --workers {first['workers']} --threads {first['threads']}` (gunicorn gthread); "
             f"{platform.python_implementation()} {platform.python_version()}, {cores} CPU, clients in "
             f"the same machine ({time.strftime('%Y-%m-%d')}); 10⁷ additions in a Python loop took "
             f"{yardstick:.2f} s. Times in ms.", ""]
    for r in results:
        for run in r["runs"]:
            stop = " (stopped at the time limit)" if run["stopped_at_deadline"] else ""
            lines += [f"**{r['engine']}, {run['clients']} concurrent clients**: {run['requests']} requests in "
                      f"{run['wall_s']} s = {run['throughput']} requests/s{stop}; machine load average "
                      f"{run['loadavg'][0]} before, {run['loadavg'][1]} after", "",
                      "| page | requests | errors | req/s | p50 | p95 | p99 |", "|---|---:|---:|---:|---:|---:|---:|"]
            cpu = run.get("cpu_ms_per_request")
            if cpu:
                database = (f"database {cpu['database']} ms" if r["engine"] == "postgresql"
                            else "database inside the server's processes")
                lines[-2:-2] = [f"CPU per request: server {cpu['server']} ms, {database}, "
                                f"load generator {cpu['clients']} ms ({cores} core{'s' if cores > 1 else ''})", ""]
            for name, p in run["pages"].items():
                mark = " ✗" if run["clients"] <= 10 and p["p95"] > TARGET_P95_MS else ""
                lines.append(f"| {name} | {p['n']} | {p['errors']} | {p['rps']} | {p['p50']} | "
                             f"{p['p95']}{mark} | {p['p99']} |")
            lines.append("")
    lines += ["Queries per request (one request, in process):", "",
              "| page | " + " | ".join(r["engine"] for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    for name in results[0]["queries"]:
        lines.append(f"| {name} | " + " | ".join(str(r["queries"][name]) for r in results) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="only this engine")
    parser.add_argument("--quick", action="store_true", help="smoke run: 500 donors, 10,000 events, few requests")
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50], help="concurrency levels")
    parser.add_argument("--requests", type=int, help="requests per concurrency level (default 100 per page)")
    parser.add_argument("--max-seconds", type=float, default=300, help="time limit of each run")
    parser.add_argument("--workers", type=int, help="default: stromalab serve's")
    parser.add_argument("--threads", type=int, help="default: stromalab serve's")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.donors, args.events, args.batches = (500, 10_000, 20) if args.quick else (10_000, 1_000_000, 20)
    args.requests = args.requests or len(PAGES) * (5 if args.quick else 100)
    sys.path.insert(0, str(ROOT / "src"))
    from stromalab.commands.serve import DEFAULT_THREADS, default_workers

    args.workers = args.workers or default_workers()
    args.threads = args.threads or DEFAULT_THREADS
    if args.child:
        print(json.dumps(child(args.engine, args)))
        return 0
    engines = [args.engine] if args.engine else ["sqlite"] + (["postgresql"] if postgres_available() else [])
    if "postgresql" not in engines and not args.engine:
        print(f"### NOT MEASURED: PostgreSQL ({PG_URL}) unreachable", file=sys.stderr)
    yardstick = yardstick_seconds()
    results = []
    for engine in engines:
        cmd = [sys.executable, __file__, "--child", *sys.argv[1:]]
        if not args.engine:
            cmd += ["--engine", engine]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stdout, file=sys.stderr)
            return 1
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(render(results, sys.argv[1:], yardstick))
    missed = [f"{r['engine']} {name} p95 {p['p95']} ms" for r in results for run in r["runs"]
              if run["clients"] <= 10 for name, p in run["pages"].items() if p["p95"] > TARGET_P95_MS]
    errors = sum(p["errors"] for r in results for run in r["runs"] for p in run["pages"].values())
    if missed or errors:
        print(f"target missed: {errors} errors; " + "; ".join(missed), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
