"""Fixtures of the connector tests: the portal simulator over real HTTP, a real IMAP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.portal.client import HttpPortalClient
from connectors.portal.push import PushReport, push_due
from connectors.portal_sim.server import SimulatorOptions, SimulatorServer
from core.runtime import Runtime
from tests.connectors.imap_server import DovecotServer

SIM_TOKEN = "jeton-du-simulateur"
WEBHOOK_SECRET = "secret-des-webhooks"


@pytest.fixture
def make_sim(tmp_path: Path) -> Iterator[Callable[..., SimulatorServer]]:
    """Start simulators (options as keywords) on free loopback ports; stopped after the test."""
    started: list[SimulatorServer] = []

    def start(**options: Any) -> SimulatorServer:
        options.setdefault("db", tmp_path / f"portail-{len(started)}.db")
        options.setdefault("token", SIM_TOKEN)
        options.setdefault("seed", 7)
        server = SimulatorServer(SimulatorOptions(**options)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sim(make_sim: Callable[..., SimulatorServer]) -> SimulatorServer:
    return make_sim()


class SimClient:
    """Talks to a simulator as the tests need: the API with its token, the citizen's form."""

    def __init__(self, base_url: str, token: str = SIM_TOKEN) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def put_demarche(self, code: str, version: int = 1, **fields: Any) -> requests.Response:
        body = {"code": code, "version": version, "statut": "publiee", "titre": f"Démarche {code}",
                **fields}
        return self.http.put(self.url(f"/api/demarches/{code}"), json=body, timeout=10)

    def submit(self, code: str, nom: str = "Afi Mensah",
               files: dict[str, bytes] | None = None, **fields: str) -> dict[str, Any]:
        """Submit a dossier as a citizen's browser would (multipart form)."""
        data = {"nom": nom, "email": "afi@example.tg"}
        data.update({f"champ_{key}": value for key, value in fields.items()})
        upload = [("pieces", (name, content, "application/pdf"))
                  for name, content in (files or {}).items()]
        answer = requests.post(self.url(f"/citoyen/demarches/{code}"), data=data, files=upload,
                               headers={"Accept": "application/json"}, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def faults(self, **values: float) -> requests.Response:
        return self.http.post(self.url("/_simulateur/pannes"), json=values, timeout=10)

    def state(self) -> dict[str, Any]:
        return self.http.get(self.url("/_simulateur/etat"), timeout=10).json()


@pytest.fixture
def sim_client(sim: SimulatorServer) -> SimClient:
    return SimClient(sim.url, sim.options.token)


@pytest.fixture
def portal_runtime(runtime, sim):
    """The test's runtime pointed at the simulator, with quick retries."""
    runtime.settings = replace(runtime.settings, portal_url=sim.url, portal_token=SIM_TOKEN,
                               portal_timeout_seconds=2.0, portal_backoff_seconds=0.01,
                               portal_max_attempts=3)
    return runtime


def portal_client(runtime: Runtime) -> HttpPortalClient:
    settings = runtime.settings
    return HttpPortalClient(settings.portal_url or "", settings.portal_token,
                            settings.portal_timeout_seconds)


def push(session, runtime: Runtime) -> PushReport:
    """Send what is due, as the job does (in sessions of its own), then re-read the test's."""
    session.flush()
    report = push_due(runtime, portal_client(runtime))
    session.expire_all()
    return report


@pytest.fixture
def imap_server(tmp_path: Path) -> Iterator[DovecotServer]:
    """Dovecot on a free loopback port with a throwaway configuration, stopped after."""
    server = DovecotServer(tmp_path / "dovecot").start()
    try:
        yield server
    finally:
        server.stop()
