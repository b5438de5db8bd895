"""Chrono numbers: the format, and no gap nor duplicate under concurrency or rollback."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.db import make_engine, make_sessionmaker
from core.identity import user_by_login
from core.runtime import build_runtime
from courrier import chrono, service
from courrier.models import Courrier
from tests.conftest import make_test_settings
from tests.courrier.conftest import build_world

THREADS = 8
PER_WORKER = 12
# Every FAIL_EVERY-th registration of a worker fails after taking its number.
FAIL_EVERY = 4


def test_format_pads_to_six_digits_and_parses_back():
    assert chrono.format_chrono("CEET", "arrivee", 2026, 42) == "CEET-A-2026-000042"
    assert chrono.format_chrono("CEET-COM", "depart", 2026, 1_234_567) == "CEET-COM-D-2026-1234567"
    parsed = chrono.parse_chrono("ceet-com-i-2026-000007")
    assert parsed == chrono.Chrono("CEET-COM", "interne", 2026, 7)
    assert str(parsed) == "CEET-COM-I-2026-000007"
    assert chrono.parse_chrono("CEET-X-2026-000001") is None


def test_numbers_follow_each_other_per_entity_direction_and_year(world):
    first = world.register()
    second = world.register()
    internal = world.register(direction="interne")
    year = service.today().year
    assert (first.seq, second.seq, internal.seq) == (1, 2, 1)
    assert second.chrono == f"CEET-A-{year}-000002"
    assert internal.chrono == f"CEET-I-{year}-000001"
    arse = service.register(world.session, world.arse_bo, service.Registration(
        entity_code="ARSE", subject="Plainte", sender=world.sender.id))
    assert arse.chrono == f"ARSE-A-{year}-000001"


def test_rolled_back_registration_leaves_no_gap_in_chrono(world):
    """GIVEN a registration that fails after taking its number (a savepoint rolled back)
    WHEN the next one registers THEN it takes the same number: no hole."""
    world.register()
    savepoint = world.session.begin_nested()
    taken = world.register()
    assert taken.seq == 2
    savepoint.rollback()
    again = world.register()
    assert again.seq == 2
    entity = world.entities["CEET"]
    assert chrono.gaps(world.session, entity.id, "arrivee", service.today().year) == ([], [])


def _register_many(url: str, folder: Path, worker: int, results: list[str] | None = None
                   ) -> None:
    """One client: a runtime of its own (engine, job pool), some registrations failing after
    their number. Its jobs (the search indexing) run against the same database."""
    runtime = build_runtime(make_test_settings(folder, url))
    try:
        for i in range(PER_WORKER):
            session: Session = runtime.sessions()
            try:
                bo = user_by_login(session, "bo.ceet")
                assert bo is not None
                courrier = service.register(session, bo, service.Registration(
                    entity_code="CEET", subject=f"Lettre {worker}-{i}", sender=1,
                    received_on=service.today() - timedelta(days=1)))
                if i % FAIL_EVERY == FAIL_EVERY - 1:
                    raise RuntimeError("the scan could not be stored")  # after the number
                session.commit()
                if results is not None:
                    results.append(courrier.chrono)
            except RuntimeError:
                session.rollback()
            finally:
                session.close()
        runtime.queue.wait(timeout=60)
    finally:
        runtime.close()


def _prepare(url: str) -> None:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        world = build_world(session)
        assert world.sender.id == 1
        session.commit()
    engine.dispose()


def _check_sound(url: str, expected: int) -> None:
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        year = service.today().year
        ceet = session.scalar(select(Courrier.entity_id).limit(1))
        count = session.scalar(select(func.count()).select_from(Courrier))
        assert count == expected
        assert chrono.gaps(session, ceet, "arrivee", year) == ([], [])
        assert chrono.last_number(session, ceet, "arrivee", year) == expected
        assert audit.verify(session).ok  # the appends of the log were serialised too
    engine.dispose()


COMMITTED_PER_WORKER = PER_WORKER - PER_WORKER // FAIL_EVERY


def test_concurrent_registrations_in_threads_give_no_gap_and_no_duplicate(committed_url, tmp_path):
    _prepare(committed_url)
    results: list[str] = []
    threads = [
        threading.Thread(target=_register_many, args=(committed_url, tmp_path, n, results))
        for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == len(set(results)) == THREADS * COMMITTED_PER_WORKER
    _check_sound(committed_url, THREADS * COMMITTED_PER_WORKER)


@pytest.mark.timeout(300)
def test_concurrent_registrations_in_processes_give_no_gap_and_no_duplicate(committed_url,
                                                                            tmp_path):
    _prepare(committed_url)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_register_many, args=(committed_url, tmp_path, n))
               for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    _check_sound(committed_url, 4 * COMMITTED_PER_WORKER)
