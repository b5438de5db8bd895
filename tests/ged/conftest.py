"""Fixtures of the GED tests: the committed samples, a ministry with its staff, and job runners.

Tests on the rolled-back ``db_session``/``client`` run the extraction jobs in the test's own
thread (``jobs.run_all()``); the pipeline tests use a fresh database (``make_runtime``) with
the real in-process pool or a real ``atd worker`` on Redis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.runtime import Runtime
from ged import service
from ged.models import Document
from tests.factories import make_ministry, make_user

SAMPLES = Path(__file__).resolve().parent / "samples"
TRUTHS: dict[str, str] = json.loads((SAMPLES / "verites.json").read_text(encoding="utf-8"))


def sample(name: str) -> Path:
    return SAMPLES / name


def upload(name: str, filename: str | None = None) -> service.Upload:
    return service.Upload(filename or name, BytesIO(sample(name).read_bytes()))


@pytest.fixture
def jobs(runtime: Runtime) -> Any:
    """The rolled-back tests' deferred queue: ``jobs.run_all()`` runs what was enqueued."""
    return runtime.queue


@pytest.fixture
def ministry(db_session: Session) -> dict[str, Any]:
    """MDERM, CEET (with a service) and ARSE, and people holding each kind of role."""
    tree = make_ministry(db_session)
    return {
        **tree,
        "agent": make_user(db_session, tree["CEET"], roles=("agent",), login="agent.ceet"),
        "chef": make_user(db_session, tree["CEET"], roles=("chef_service",), login="chef.ceet"),
        "responsable": make_user(db_session, tree["CEET"], roles=("responsable",),
                                 login="resp.ceet"),
        "superviseur": make_user(db_session, tree["CEET"], roles=("superviseur",),
                                 login="sup.ceet"),
        "arse": make_user(db_session, tree["ARSE"], roles=("agent",), login="agent.arse"),
    }


@pytest.fixture
def add(db_session: Session, ministry: dict[str, Any]) -> Callable[..., Document]:
    """Add a sample as a CEET document (by the CEET agent unless told), committed."""

    def _add(name: str, user: Any = None, entity: str = "CEET", **fields: Any) -> Document:
        document = service.add_document(db_session, user or ministry["agent"], upload(name),
                                        ministry[entity], **fields)
        db_session.commit()
        return document

    return _add
