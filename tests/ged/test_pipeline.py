"""The extraction pipeline end to end on committed data: the in-process pool and real rq workers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.cli.serve import resume_lost_jobs
from core.runtime import Runtime
from ged import service
from ged.models import Document
from ged.storage import FileStore
from tests.core.test_jobs import atd_worker, worker_env
from tests.factories import make_ministry, make_user
from tests.ged.conftest import upload

NAMES = ("lettre-tournee-180.jpg", "liasse.tif", "nee-numerique.pdf", "image-tronquee.png")
TIMEOUT = 120.0


def add_samples(runtime: Runtime, names: tuple[str, ...] = NAMES) -> list[int]:
    with runtime.session() as session:
        tree = make_ministry(session)
        agent = make_user(session, tree["CEET"], roles=("bureau_ordre",))
        ids = [service.add_document(session, agent, upload(name), tree["CEET"]).id
               for name in names]
    return ids


def wait_for_readings(runtime: Runtime, ids: list[int], names: tuple[str, ...] = NAMES
                      ) -> dict[str, Document]:
    deadline = time.monotonic() + TIMEOUT
    while True:
        with runtime.session() as session:
            documents = [session.get(Document, i) for i in ids]
            states = [d.current.status for d in documents]
            if all(s in ("terminee", "echec") for s in states):
                for d in documents:  # loaded while the session is open
                    _ = [p.text for p in d.current.pages]
                return {name: d for name, d in zip(names, documents, strict=True)}
        assert time.monotonic() < deadline, f"readings not ended: {states}"
        time.sleep(0.3)


@contextmanager
def rq_worker(runtime: Runtime, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A real ``atd worker`` on the runtime's queue and files; yields its output."""
    env = worker_env(runtime, tmp_path)
    env["ATD_STORAGE_DIR"] = str(runtime.settings.storage_dir)
    with atd_worker(env, tmp_path) as output:
        yield output


def assert_read(found: dict[str, Document]) -> None:
    turned = found["lettre-tournee-180.jpg"].current
    assert turned.status == "terminee" and turned.pages[0].rotation == 180
    assert "Veuillez agréer" in turned.pages[0].text
    tiff = found["liasse.tif"].current
    assert [p.rotation for p in tiff.pages] == [0, 180, 0] and tiff.searchable_sha256
    born = found["nee-numerique.pdf"].current
    assert [p.source for p in born.pages] == ["texte", "texte"] and born.searchable_sha256 is None
    broken = found["image-tronquee.png"].current
    assert broken.status == "echec" and broken.reason
    # Handed to search (ged.search), whose job may not have run yet on a separate worker.
    assert found["nee-numerique.pdf"].index_status in ("a_indexer", "indexe")


def test_in_process_pool_reads_every_kind_of_file(make_runtime):
    runtime = make_runtime(workers=2)
    ids = add_samples(runtime)
    assert runtime.queue.wait(TIMEOUT)
    found = wait_for_readings(runtime, ids)
    assert_read(found)
    assert found["nee-numerique.pdf"].index_status == "indexe"  # every job has ended


def test_the_embedded_server_resumes_at_start_the_readings_and_indexing_its_pool_lost(
        make_runtime):
    """GIVEN documents added while the in-process pool was shut down (a server stopping: their
    reading and indexing lost with it) WHEN a server starts again on the same instance THEN
    they are read and indexed."""
    stopped = make_runtime(workers=1)
    stopped.queue.shutdown()
    names = ("nee-numerique.pdf", "lettre-tournee-180.jpg")
    ids = add_samples(stopped, names)
    with stopped.session() as session:
        assert [session.get(Document, i).current.status for i in ids] == ["en_attente"] * 2
    restarted = make_runtime(workers=2)
    resume_lost_jobs(restarted)
    found = wait_for_readings(restarted, ids, names)
    assert "Veuillez agréer" in found["lettre-tournee-180.jpg"].current.pages[0].text

    assert restarted.queue.wait(TIMEOUT)
    with restarted.session() as session:
        assert [session.get(Document, i).index_status for i in ids] == ["indexe"] * 2


@pytest.mark.redis
def test_rq_worker_reads_every_kind_of_file(make_runtime, redis_url, tmp_path):
    runtime = make_runtime(redis_url=redis_url, queue_name=f"atd-ged-{uuid.uuid4().hex[:8]}")
    ids = add_samples(runtime)
    with rq_worker(runtime, tmp_path) as output:
        try:
            found = wait_for_readings(runtime, ids)
        except AssertionError:
            print(output())
            raise
    assert_read(found)


@pytest.mark.redis
def test_a_reading_past_the_job_time_limit_fails_with_its_reason_and_keeps_the_file(
        make_runtime, redis_url, tmp_path):
    """GIVEN workers limited to one second a job WHEN a three-page scan takes longer to read
    THEN its version is marked failed, saying which setting to raise, and its original stays."""
    runtime = make_runtime(redis_url=redis_url, queue_name=f"atd-ged-{uuid.uuid4().hex[:8]}",
                           job_timeout_seconds=1)
    names = ("liasse.tif",)
    ids = add_samples(runtime, names)
    with rq_worker(runtime, tmp_path) as output:
        version = wait_for_readings(runtime, ids, names)["liasse.tif"].current
    assert version.status == "echec", output()
    assert version.reason and "ATD_JOB_TIMEOUT_SECONDS" in version.reason
    assert version.pages_done < 3
    assert FileStore(runtime.settings.storage_dir).path(version.sha256).is_file()
