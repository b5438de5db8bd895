"""Courrier registration through the HTTP API under waitress, beside raw SQL, and inbox listing.

Usage: ``python bench/courrier.py [--seconds 15] [--clients 8] [--inbox 100000]``
(PostgreSQL at ATD_BENCH_POSTGRES_URL, by default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres; a database is created and dropped).

1. ``atd serve`` (waitress) in its own process; CLIENTS keep-alive connections of ``wrk``
   (Debian's wrk, bench/courrier_load.lua) POST /api/v1/courriers for SECONDS; throughput,
   latency percentiles, then the chrono numbers are checked: no gap, no duplicate, one per
   201 answer. Background jobs run as in production, on an ``atd worker`` over Redis
   (ATD_BENCH_REDIS_URL, by default redis://127.0.0.1:6379/0, a queue of the run's own);
   ``--jobs local`` runs them in each server's in-process pool instead.
2. The floor of this stack: the same HTTP load on bench/courrier_floor.py, Flask under
   waitress running the statements of a registration without the ORM and the domain code,
   once through psycopg, once through SQLAlchemy Core on the toolkit's tables (départ
   numbers, checked the same way).
3. The same rows by raw SQL from CLIENTS connections: one transaction per row, taking the
   number from the same locked counter row, with no ORM, no HTTP and no event log.
4. INBOX courriers are added to the mail office's « À imputer »; its first page (with its
   total) is timed through the service and through the API.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import cpu_use  # noqa: E402
from bench.onboard import postgres_database  # noqa: E402  (same server, same cleanup)
from core import audit  # noqa: E402
from core.auth import create_token  # noqa: E402
from core.db import make_engine, make_sessionmaker, upgrade  # noqa: E402
from core.identity import user_by_login  # noqa: E402
from core.runtime import build_runtime  # noqa: E402
from core.settings import load_settings  # noqa: E402
from courrier import chrono, inboxes  # noqa: E402
from courrier.models import INDEX_WAITING, Courrier  # noqa: E402
from tests.courrier.conftest import build_world  # noqa: E402

BODY = {"entite": "CEET", "objet": "Demande de raccordement au réseau", "expediteur_id": 1,
        "priorite": "normale", "reference": "N°12/BG/2026"}


def prepare(url: str, folder: Path) -> tuple[str, int]:
    """The small ministry of the tests, and a token for its mail office; CEET's id.

    Built through a runtime of the bench's own (in-process jobs, closed once they have run), so
    that the indexing its registrations ask for runs on this database and not on the one the
    environment names.
    """
    upgrade(url)
    runtime = build_runtime(load_settings(env={}, overrides={
        "database_url": url, "instance_dir": str(folder), "redis_url": ""}))
    try:
        with runtime.session() as session:
            world = build_world(session)
            _token, clear = create_token(session, "bo.ceet", "bench")
            ceet = world.entities["CEET"].id
    finally:
        runtime.close()
    return clear, ceet


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


@dataclass(frozen=True)
class Fleet:
    """The servers' ports, and the process ids of the servers and of the job worker."""

    ports: list[int]
    pids: dict[str, list[int]]


@contextmanager
def servers(url: str, folder: Path, count: int, threads: int = 8, jobs: str = "rq",
            floor: str = "") -> Iterator[Fleet]:
    """``count`` server processes, each on its own port (as behind a load balancer); with
    ``floor`` ("psycopg" or "core"), the bench's floor server through it, not ``atd serve``.

    With ``jobs="rq"`` (production: Redis configured) the background jobs, the search
    indexing that follows each registration among them, run in one ``atd worker`` process
    on a queue of this run's own; with ``"local"``, in each server's in-process pool (the floor
    then asks for no indexing).
    """
    env = instance_env(url, folder, jobs)
    with ExitStack() as stack:
        workers = [stack.enter_context(process(["worker"], env)).pid] if jobs == "rq" else []
        started = [stack.enter_context(server(url, folder, threads, env, floor))
                   for _ in range(count)]
        yield Fleet([s.port for s in started],
                    {"server": [s.pid for s in started], "worker": workers})


def instance_env(url: str, folder: Path, jobs: str = "local") -> dict[str, str]:
    redis_url = os.environ.get("ATD_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    return {**os.environ, "ATD_DATABASE_URL": url, "ATD_INSTANCE_DIR": str(folder),
            "ATD_STORAGE_DIR": str(folder / "files"),
            "ATD_REDIS_URL": redis_url if jobs == "rq" else "",
            "ATD_QUEUE_NAME": f"atd-bench-{os.getpid()}"}


@contextmanager
def process(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """``atd COMMAND`` (or, given a script, ``python SCRIPT ARGS``) in its own process, stopped
    on the way out."""
    argv = command if command[0].endswith(".py") else ["-m", "core.cli", *command]
    child = subprocess.Popen([sys.executable, *argv], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker finishing a long indexing batch
            child.kill()
            child.wait()


@contextmanager
def server(url: str, folder: Path, threads: int = 8, env: dict[str, str] | None = None,
           floor: str = "") -> Iterator[Server]:
    """``atd serve`` on a port of its own, or with ``floor`` the bench's floor server
    (bench/courrier_floor.py) through psycopg or SQLAlchemy Core, on the same database."""
    port = free_port()
    if floor:
        command = [str(FLOOR_SCRIPT), url, str(port), str(threads), floor]
    else:
        command = ["serve", "--port", str(port), "--threads", str(threads)]
    with process(command, env or instance_env(url, folder)) as child:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield Server(port, child.pid)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_clients(clients: int, seconds: float, one: Callable[[], object]
                ) -> tuple[int, list[float], float]:
    """Call ``one`` (a factory of a client's call) from N threads for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    deadline = time.perf_counter() + seconds
    barrier = threading.Barrier(clients + 1)

    def work(n: int) -> None:
        call = one()
        barrier.wait()
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            call()  # type: ignore[operator]
            latencies[n].append(time.perf_counter() - start)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [x for per in latencies for x in per]
    return len(flat), flat, elapsed


LOAD_SCRIPT = Path(__file__).with_name("courrier_load.lua")
FLOOR_SCRIPT = Path(__file__).with_name("courrier_floor.py")


@dataclass
class Load:
    """What one wrk run reported: answers 201 and others, seconds, latency percentiles (ms)."""

    created: int
    failed: int
    seconds: float
    p50: float
    p95: float
    p99: float


def http_registration(ports: list[int], token: str, clients: int, seconds: float) -> list[Load]:
    """wrk (C, outside Python's GIL) posts registrations on keep-alive connections: the
    clients split over the servers as a round-robin balancer would, one wrk per server."""
    env = {**os.environ, "ATD_BENCH_TOKEN": token, "ATD_BENCH_BODY": json.dumps(BODY)}
    runs = [subprocess.Popen(
        ["wrk", "-t", "1", "-c", str(max(1, clients // len(ports))), "-d", f"{seconds:.0f}s",
         "--timeout", "30s", "-s", str(LOAD_SCRIPT), f"http://127.0.0.1:{port}"],
        env=env, stdout=subprocess.PIPE, text=True) for port in ports]
    loads = []
    for run in runs:
        output, _ = run.communicate()
        line = next(x for x in output.splitlines() if x.startswith("RESULT "))
        created, failed, *figures = line.split()[1:]
        loads.append(Load(int(created), int(failed), *map(float, figures)))
    return loads


def raw_registration(dsn: str, ceet: int, year: int) -> Callable[[], object]:
    def factory() -> Callable[[], None]:
        conn = psycopg.connect(dsn)

        def call() -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(
                    "UPDATE courrier_chrono SET last = last + 1 WHERE entity_id = %s "
                    "AND direction = 'interne' AND year = %s RETURNING last", (ceet, year))
                seq = cur.fetchone()[0]  # type: ignore[index]
                cur.execute(
                    "INSERT INTO courrier (entity_id, direction, chrono, year, seq, registered_at,"
                    " registered_by_id, received_on, sender_reference, subject, summary,"
                    " sender_id, channel, priority, confidentiality, due_on, status, overdue,"
                    " cancel_reason, updated_at) VALUES (%s, 'interne', %s, %s, %s, now(), 1,"
                    " current_date, %s, %s, '', 1, 'physique', 'normale', 'normal',"
                    " current_date + 42, 'enregistre', false, '', now())",
                    (ceet, f"CEET-I-{year}-{seq:06d}", year, seq, BODY["reference"],
                     BODY["objet"]))

        return call

    return factory


def report_loads(label: str, loads: list[Load]) -> int:
    """Print the row of an HTTP run (one wrk per server); the answers 201 it counted."""
    done = sum(load.created for load in loads)
    elapsed = max(load.seconds for load in loads)
    # One wrk per server: its worst percentiles stand for all (they cannot be merged).
    print(f"| {label:<38} | {done:>6} | {done / elapsed:>8.0f} | {max(x.p50 for x in loads):>6.1f} "
          f"| {max(x.p95 for x in loads):>6.1f} | {max(x.p99 for x in loads):>6.1f} |")
    if any(load.failed for load in loads):
        print(f"  {sum(load.failed for load in loads)} answers other than 201")
    return done


def report(label: str, count: int, latencies: list[float], elapsed: float) -> None:
    ms = [x * 1000 for x in latencies]
    print(f"| {label:<38} | {count:>6} | {count / elapsed:>8.0f} | {statistics.median(ms):>6.1f} "
          f"| {percentile(ms, 95):>6.1f} | {percentile(ms, 99):>6.1f} |")


def fill_inbox(dsn: str, ceet: int, rows: int, year: int) -> None:
    """Registered letters in CEET's « À imputer », numbered in the arrivée counter."""
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(seq), 0) FROM courrier WHERE entity_id = %s AND "
                    "direction = 'arrivee' AND year = %s", (ceet, year))
        first = cur.fetchone()[0] + 1  # type: ignore[index]
        cur.execute(
            "INSERT INTO courrier (entity_id, direction, chrono, year, seq, registered_at,"
            " registered_by_id, received_on, sender_reference, subject, summary, sender_id,"
            " channel, priority, confidentiality, due_on, status, overdue, cancel_reason,"
            " updated_at) SELECT %s, 'arrivee', 'CEET-A-' || %s || '-' || lpad(n::text, 6, '0'),"
            " %s, n, now() - (n || ' seconds')::interval, 1, current_date, '', 'Lettre ' || n,"
            " '', 1, 'physique', 'normale', CASE WHEN n %% 50 = 0 THEN 'confidentiel' ELSE"
            " 'normal' END, current_date + 42, 'enregistre', false, '', now()"
            " FROM generate_series(%s::int, %s::int) AS n",
            (ceet, year, year, first, first + rows - 1))
        cur.execute("UPDATE courrier_chrono SET last = %s WHERE entity_id = %s AND "
                    "direction = 'arrivee' AND year = %s", (first + rows - 1, ceet, year))
        conn.commit()
    # What autovacuum does a little later on a real server after such a load.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE courrier")


def wait_indexed(dsn: str, limit: float = 120.0) -> None:
    """Until no courrier waits for the search index (or ``limit`` seconds have passed)."""
    deadline = time.monotonic() + limit
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < deadline and conn.execute(
                f"SELECT count(*) FROM courrier WHERE {INDEX_WAITING}").fetchone()[0]:
            time.sleep(0.2)


def print_cpu(spent: list[tuple[str, dict[str, float]]]) -> None:
    """CPU per registration in each process of the HTTP runs, and the rate it allows."""
    cores = os.cpu_count() or 1
    print(f"\nCPU per registration (ms), the search indexing that follows included; the "
          f"rate all {cores} cores allow at that cost:\n")
    print("| path      | server | worker | PostgreSQL | rest (wrk, Redis, system) | total "
          "| rows/s at most |")
    print("|-----------|-------:|-------:|-----------:|--------------------------:|------:"
          "|---------------:|")
    for label, ms in spent:
        print(f"| {label:<9} | {ms['server']:>6.1f} | {ms['worker']:>6.1f} | "
              f"{ms['PostgreSQL']:>10.1f} | {ms['rest']:>25.1f} | {ms['total']:>5.1f} "
              f"| {cores * 1000 / ms['total']:>14.0f} |")


def time_calls(call: Callable[[], object], runs: int = 30) -> list[float]:
    call()  # warm the caches (plans, pool)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--inbox", type=int, default=100_000)
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2],
                        help="Numbers of `atd serve` processes to measure.")
    parser.add_argument("--threads", type=int, default=8, help="Threads of each server.")
    parser.add_argument("--jobs", choices=["rq", "local"], default="rq",
                        help="Background jobs on an rq worker (production) or in-process.")
    args = parser.parse_args()
    year = time.gmtime().tm_year
    with postgres_database() as url, tempfile.TemporaryDirectory() as tmp:
        token, ceet = prepare(url, Path(tmp))
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as conn:
            conn.execute("INSERT INTO courrier_chrono VALUES (%s, 'interne', %s, 0)", (ceet, year))
        where = "one rq worker" if args.jobs == "rq" else "each server's in-process pool"
        print(f"Registration, {args.clients} concurrent clients, {args.seconds:.0f} s each, "
              f"PostgreSQL, background jobs (search indexing) on {where}\n")
        print("| path                                   | rows   | rows/s   | p50 ms | p95 ms "
              "| p99 ms |")
        print("|----------------------------------------|-------:|---------:|-------:|-------:"
              "|-------:|")
        with psycopg.connect(dsn) as conn:
            conn.execute("INSERT INTO courrier_chrono VALUES (%s, 'depart', %s, 0)", (ceet, year))
        count, done_floor, spent = 0, 0, []
        runs = [(f"HTTP API, {n} waitress x {args.threads} threads",
                 f"{n} server{'s' if n > 1 else ''}", n, "") for n in args.servers]
        runs.append(("floor: Flask, waitress, psycopg, no ORM", "floor", 1, "psycopg"))
        runs.append(("floor: the same through SQLAlchemy Core", "floor Core", 1, "core"))
        for label, short, n, floor in runs:
            with servers(url, Path(tmp), n, args.threads, args.jobs, floor) as fleet:
                before = cpu_use.snapshot(fleet.pids)
                loads = http_registration(fleet.ports, token, args.clients, args.seconds)
                wait_indexed(dsn)  # the worker's share of these registrations counts too
                after = cpu_use.snapshot(fleet.pids)
            done = report_loads(label, loads)
            spent.append((short, cpu_use.per_request(before, after, done)))
            if floor:
                done_floor += done
            else:
                count += done
        count_raw, lat_raw, elapsed_raw = run_clients(
            args.clients, args.seconds, raw_registration(dsn, ceet, year))
        report("raw SQL (counter + insert, 1 tx/row)", count_raw, lat_raw, elapsed_raw)
        print_cpu(spent)

        engine = make_engine(url)
        with make_sessionmaker(engine)() as session:
            missing, duplicated = chrono.gaps(session, ceet, "arrivee", year)
            stored = session.scalar(select(func.count()).select_from(Courrier).where(
                Courrier.direction == "arrivee"))
            distinct = session.scalar(select(func.count(Courrier.chrono.distinct())).where(
                Courrier.direction == "arrivee"))
            floor_missing, floor_duplicated = chrono.gaps(session, ceet, "depart", year)
            log = audit.verify(session)
        print(f"\nChrono numbers after the HTTP run: {stored} stored for {count} answers 201, "
              f"{distinct} distinct, {len(missing)} missing, {len(duplicated)} duplicated.")
        print(f"Floor's départ numbers: {done_floor} answers 201, {len(floor_missing)} missing, "
              f"{len(floor_duplicated)} duplicated.")
        print(f"Event log: {log.checked} events, chain "
              f"{'intact' if log.ok else f'broken at {log.broken_seq} ({log.reason})'}.")

        fill_inbox(dsn, ceet, args.inbox, year)
        sessions = make_sessionmaker(engine)

        def in_request(work: Callable[..., object]) -> Callable[[], object]:
            """As a request does it: a session of its own, the user loaded, one transaction."""
            def call() -> object:
                with sessions() as session:
                    bo = user_by_login(session, "bo.ceet")
                    return work(session, bo)
            return call

        total = in_request(lambda s, bo: inboxes.counts(s, bo)["a_imputer"])()
        shown = in_request(lambda s, bo: inboxes.inbox(s, bo, "a_imputer"))()
        said = (f"{shown.total:,}" if shown.total_exact  # type: ignore[attr-defined]
                else f"more than {shown.total:,}")  # type: ignore[attr-defined]
        service_times = time_calls(in_request(lambda s, bo: inboxes.inbox(s, bo, "a_imputer")))
        counts_times = time_calls(in_request(inboxes.counts))
        with server(url, Path(tmp)) as listening:
            conn = http.client.HTTPConnection("127.0.0.1", listening.port, timeout=30)

            def api_listing() -> object:
                conn.request("GET", "/api/v1/courriers?corbeille=a_imputer",
                             headers={"Authorization": f"Bearer {token}"})
                return conn.getresponse().read()

            api_times = time_calls(api_listing)
        engine.dispose()
        print(f"\nInbox « À imputer » of {total:,} courriers, first page of 50 with its total "
              f"(shown as {said}; 30 runs):\n")
        print("| call                                  | median ms | p95 ms |")
        print("|---------------------------------------|----------:|-------:|")
        for label, times in (("service inboxes.inbox()", service_times),
                             ("GET /api/v1/courriers?corbeille=…", api_times),
                             ("all six counts (inboxes.counts())", counts_times)):
            print(f"| {label:<37} | {statistics.median(times):>9.1f} | "
                  f"{percentile(times, 95):>6.1f} |")


if __name__ == "__main__":
    main()
