"""A real ``atd worker`` killed in the middle of an import, then restarted: nothing twice.

The worker is killed with SIGKILL (its whole process group: the work horse too), the way a
power cut or the OOM killer would, while files are being taken or dossiers pulled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.intake.jobs import watch_hotfolder
from connectors.intake.models import IntakeItem
from connectors.portal.models import PortalDossier
from connectors.portal.pull_jobs import pull_dossiers
from core.db import read_only
from core.jobs import job_path
from core.runtime import Runtime
from courrier.models import Courrier
from ged.models import Document
from tests.connectors.conftest import SIM_TOKEN, SimClient
from tests.core.test_jobs import ATD, worker_env
from tests.factories import make_demarche, make_ministry

SAMPLES = Path(__file__).resolve().parents[1] / "ged" / "samples"
TIMEOUT = 90.0
pytestmark = pytest.mark.redis


class Worker:
    """``atd worker`` in its own process group, killed hard or stopped at the end."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd, self.runs = env, cwd, 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.runs += 1
        with (self.cwd / f"worker-{self.runs}.log").open("wb") as log:
            self.proc = subprocess.Popen([ATD, "worker"], env=self.env, cwd=self.cwd,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def kill(self) -> None:
        """SIGKILL to the worker and every process it forked: no cleanup runs."""
        if self.proc is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def output(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                         for p in sorted(self.cwd.glob("worker-*.log")))


@pytest.fixture
def worker_runtime(make_runtime, redis_url, tmp_path) -> Runtime:
    """A runtime on a fresh database and Redis (a queue of its own), a ministry committed."""
    runtime = make_runtime(redis_url=redis_url, queue_name=f"atd-test-{uuid.uuid4().hex[:8]}",
                           intake_dir=str(tmp_path / "scanner"))
    with runtime.session() as session:
        tree = make_ministry(session)
        make_demarche(session, tree["CEET"], code="CEET-RACC")
    return runtime


@pytest.fixture
def worker(worker_runtime: Runtime, tmp_path: Path) -> Iterator[Worker]:
    env = worker_env(worker_runtime, tmp_path)
    settings = worker_runtime.settings
    env.update(ATD_STORAGE_DIR=str(settings.storage_dir), ATD_INTAKE_DIR=str(settings.intake_dir),
               ATD_SECRET_KEY="secret-for-tests-only")
    (tmp_path / "worker").mkdir()
    started = Worker(env, tmp_path / "worker")
    yield started
    started.kill()


def wait_until(condition: Callable[[], bool], worker: Worker, interval: float = 0.1) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {TIMEOUT:.0f} s\n{worker.output()[-3000:]}")
        time.sleep(interval)


def count(runtime: Runtime, what: object, *where: object) -> int:
    # A reader's session: on SQLite, polling must not queue for the worker's write lock.
    with read_only(runtime.sessions()) as session:
        return session.scalar(select(func.count()).select_from(what).where(*where)) or 0


def test_worker_killed_during_a_hot_folder_import_takes_each_file_exactly_once(
        worker_runtime, worker):
    """GIVEN 60 scans in the hot folder WHEN the worker is killed once a few are taken, then
    restarted THEN every scan is in the intake queue once, with one document, moved once."""
    folder = worker_runtime.settings.intake_dir / "CEET"
    folder.mkdir(parents=True)
    pdf = (SAMPLES / "nee-numerique.pdf").read_bytes()
    past = time.time() - 60
    for n in range(60):
        path = folder / f"scan-{n:03}.pdf"
        path.write_bytes(pdf + f"\n% copie {n}\n".encode())  # distinct files, same letter
        os.utime(path, (past, past))
    done = folder / "traites"
    worker.start()
    worker_runtime.queue.submit(job_path(watch_hotfolder), (), {})
    wait_until(lambda: done.is_dir() and any(done.iterdir()), worker, interval=0.005)
    worker.kill()
    left = [p for p in folder.glob("*.pdf")]
    assert left, "the pass ended before the kill: nothing was interrupted"
    worker.start()
    # What ``atd serve`` or cron does when it starts: plan the watch again.
    worker_runtime.queue.submit(job_path(watch_hotfolder), (), {})
    wait_until(lambda: not list(folder.glob("*.pdf")), worker)
    assert count(worker_runtime, IntakeItem) == 60
    with worker_runtime.session() as session:
        keys = session.scalars(select(IntakeItem.source_key))
        assert len(set(keys)) == 60
    assert count(worker_runtime, Document, Document.doc_type == "scan") == 60
    assert sorted(p.name for p in done.iterdir()) == [f"scan-{n:03}.pdf" for n in range(60)]


def test_worker_killed_during_a_pull_imports_each_dossier_exactly_once(
        worker_runtime, worker, sim):
    """GIVEN 30 dossiers on the portal WHEN the worker pulling them is killed once a few are
    imported, then restarted THEN each dossier is one courrier with its pièce."""
    client = SimClient(sim.url, SIM_TOKEN)
    assert client.put_demarche("CEET-RACC").status_code in (200, 201)
    for n in range(30):
        client.submit("CEET-RACC", nom=f"Demandeur {n}", files={f"piece-{n}.pdf": (
            SAMPLES / "nee-numerique.pdf").read_bytes() + f"\n% {n}\n".encode()})
    # A slow portal, so that the kill lands in the middle of the pull.
    assert client.faults(latency_ms=50).status_code == 200
    worker.env.update(ATD_PORTAL_URL=sim.url, ATD_PORTAL_TOKEN=SIM_TOKEN)
    worker.start()
    worker_runtime.queue.submit(job_path(pull_dossiers), (), {})
    wait_until(lambda: count(worker_runtime, PortalDossier) > 0, worker, interval=0.005)
    worker.kill()
    assert count(worker_runtime, PortalDossier) < 30, "the pull ended before the kill"
    worker.start()
    worker_runtime.queue.submit(job_path(pull_dossiers), (), {})
    wait_until(lambda: count(worker_runtime, PortalDossier) >= 30, worker)
    time.sleep(1)  # anything imported twice would show up now
    assert count(worker_runtime, PortalDossier) == 30
    assert count(worker_runtime, Courrier, Courrier.channel == "portail") == 30
    with worker_runtime.session() as session:
        numbers = session.scalars(select(PortalDossier.number))
        assert len(set(numbers)) == 30
