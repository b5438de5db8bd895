"""Shared fixtures: migrated SQLite and PostgreSQL databases, a rolled-back session per test,
the application and its client, and Redis.

Every test that takes ``db_session`` (or ``app``/``client``) runs once on SQLite and once on
PostgreSQL. With ``CI=true`` a service that does not answer fails the run instead of skipping.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from core.app import create_app
from core.db import make_engine, make_sessionmaker, upgrade
from core.jobs import call_key
from core.runtime import Runtime, build_runtime
from core.settings import Settings, load_settings
from core.throttle import MemoryThrottle

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "ATD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("ATD_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def service_missing(what: str, exc: BaseException) -> None:
    message = f"{what} is not reachable: {exc}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A local TCP port nobody listens on, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_url_for(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own, migrated to head, dropped on exit."""
    name = f"atd_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001  (any connection failure means no server)
        admin.dispose()
        service_missing("PostgreSQL", exc)
    try:
        upgrade(pg_url_for(name))
        yield pg_url_for(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fresh_sqlite_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'committed.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database for this test session, migrated to head, dropped after."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_sqlite_database(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database for this test alone, where commits are real (on both backends)."""
    if request.param == "sqlite":
        yield fresh_sqlite_database(tmp_path)
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture
def make_runtime(tmp_path: Path, fresh_database_url: str) -> Iterator[Callable[..., Runtime]]:
    """Build runtimes on the fresh database (settings overrides as keywords), closed after."""
    built: list[Runtime] = []

    def build(**overrides: Any) -> Runtime:
        runtime = build_runtime(make_test_settings(tmp_path, fresh_database_url, **overrides))
        built.append(runtime)
        return runtime

    yield build
    for runtime in built:
        runtime.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a migrated database; tests using it run on both backends."""
    fixture = "sqlite_database" if request.param == "sqlite" else "postgres_database"
    return str(request.getfixturevalue(fixture))


_ENGINES: dict[str, Engine] = {}


@pytest.fixture
def engine(database_url: str) -> Engine:
    if database_url not in _ENGINES:
        _ENGINES[database_url] = make_engine(database_url)
    return _ENGINES[database_url]


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back when the test ends."""
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        outer.rollback()
        conn.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_test_settings(tmp_path, database_url)


def make_test_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "instance_dir": str(tmp_path / "instance"),
        "storage_dir": str(tmp_path / "instance" / "files"),
        "secret_key": "secret-for-tests-only",
        "redis_url": "",
    }
    values.update(overrides)
    return load_settings(env={}, overrides=values)


class DeferredQueue:
    """The job queue of rolled-back tests: jobs wait until the test runs them, in its thread.

    A connection cannot be shared across threads, so jobs of a test bound to one connection
    cannot run in the pool; ``run_all()`` runs them, retries included, through ``run_job``.
    Coalesced jobs are coalesced as the real queues do, tested in tests/core/test_jobs.py.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.submitted: list[tuple[str, tuple[Any, ...], dict[str, Any], int]] = []
        self.queued: set[str] = set()

    def submit(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempt: int = 1,
               delay: float = 0.0, coalesce: bool = False) -> None:
        if coalesce:
            key = call_key(path, args, kwargs)
            if key in self.queued:
                return
            self.queued.add(key)
        self.submitted.append((path, args, kwargs, attempt))

    def starting(self, path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.queued.discard(call_key(path, args, kwargs))

    def run_next(self) -> None:
        """Run the job submitted first; the retry it may ask for waits its turn."""
        from core.jobs import run_job
        from core.runtime import activated

        path, args, kwargs, attempt = self.submitted.pop(0)
        with activated(self.runtime):
            run_job(path, args, kwargs, attempt)

    def run_all(self) -> int:
        ran = 0
        while self.submitted:
            self.run_next()
            ran += 1
        return ran

    def shutdown(self) -> None:
        self.submitted.clear()
        self.queued.clear()


@pytest.fixture
def runtime(settings: Settings, engine: Engine, connection: Connection) -> Runtime:
    """A runtime whose sessions all join the test's rolled-back transaction.

    Its queue is a ``DeferredQueue``: call ``runtime.queue.run_all()`` to run enqueued jobs.
    """
    sessions = make_sessionmaker(connection, join_transaction_mode="create_savepoint")
    rt = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        throttle=MemoryThrottle(settings.login_max_failures, settings.login_lock_minutes * 60),
    )
    sessions.kw["info"] = {"atd.runtime": rt}
    rt._queue = DeferredQueue(rt)  # type: ignore[assignment]
    return rt


@pytest.fixture(scope="session", autouse=True)
def environment_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """What ``core.runtime.current()`` gives a session made without a runtime.

    Fixtures that build data on a committed database through a plain sessionmaker queue jobs
    (the search indexing of what they register). Left to itself, ``current()`` builds a runtime
    from the environment (as in an rq worker), whose in-process pool outlived the test, ran
    those jobs on ./instance and, retrying, ran into later tests' monkeypatches. Here they wait
    in a ``DeferredQueue`` that nobody runs, as in the rolled-back tests.
    """
    from core import runtime as runtime_module

    folder = tmp_path_factory.mktemp("environment")
    rt = build_runtime(make_test_settings(folder, f"sqlite:///{folder / 'unused.db'}"))
    rt._queue = DeferredQueue(rt)  # type: ignore[assignment]
    previous, runtime_module._from_env = runtime_module._from_env, rt
    yield rt
    runtime_module._from_env = previous
    rt.close()


@pytest.fixture
def db_session(runtime: Runtime) -> Iterator[Session]:
    session = runtime.sessions()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    application = create_app(runtime=runtime)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The test Redis database. Never flushed: every test uses a queue name of its own, so two
    test runs on one machine (a developer's and CI's) never wipe each other's jobs."""
    from redis import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001
        service_missing("Redis", exc)
    finally:
        client.close()
    yield REDIS_URL


def atd_runner(tmp_path: Path, database_url: str) -> Callable[..., Any]:
    """Run ``atd ARGS…`` in this process with its environment pointing at ``database_url``."""
    from click.testing import CliRunner

    from core.cli import cli

    env = {
        "ATD_DATABASE_URL": database_url,
        "ATD_INSTANCE_DIR": str(tmp_path / "instance"),
        "ATD_STORAGE_DIR": str(tmp_path / "instance" / "files"),
        "ATD_SECRET_KEY": "secret-for-tests-only",
        "ATD_REDIS_URL": "",
        "ATD_CONFIG": "",
    }
    runner = CliRunner()

    def run(*args: Any) -> Any:
        return runner.invoke(cli, [str(arg) for arg in args], env=env)

    return run
