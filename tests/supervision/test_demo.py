"""The demo's generator keeps mail moving through the real services, so the room moves."""

from __future__ import annotations

import random
import time

from sqlalchemy import func, select

from courrier.models import Courrier
from supervision import service as supervision
from supervision.demo import start_generator, tick
from tests.factories import make_ministry, make_user


def test_each_step_registers_a_letter_and_moves_older_ones_on(db_session, runtime):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], ("bureau_ordre",))
    rng = random.Random(4)
    said = [line for _ in range(12) for line in tick(db_session, rng)]
    db_session.flush()
    mail = supervision.kpis(runtime, None, "CEET")["ensemble"]["courrier"]
    assert mail["enregistres"] == 12
    assert mail["imputes"] >= 1 and mail["clos"] >= 1
    assert sum("enregistré" in line for line in said) == 12


def test_the_generator_runs_in_the_background_until_stopped(make_runtime):
    runtime = make_runtime()
    with runtime.session() as session:
        tree = make_ministry(session)
        make_user(session, tree["ARSE"], ("bureau_ordre",))
    generator = start_generator(runtime, interval=0.05, seed=1)
    deadline = time.monotonic() + 30
    while generator.steps < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    generator.stop()
    assert not generator.thread.is_alive()
    with runtime.session() as session:
        assert session.scalar(select(func.count()).select_from(Courrier)) >= 3
