"""The demo ministry gets months of courrier traffic: answered, filed, waiting, overdue."""

from __future__ import annotations

from sqlalchemy import func, select

from core.cli.demo import demo_inventory_path
from core.identity import user_by_login
from core.onboarding import apply_inventory, load_inventory
from courrier import chrono, inboxes
from courrier.demo import generate_traffic
from courrier.models import Courrier


def test_demo_traffic_fills_every_inbox_and_keeps_numbers_gapless(db_session):
    apply_inventory(db_session, load_inventory(demo_inventory_path()), actor_name="demo")
    summary = generate_traffic(db_session, months=3, per_week=3)
    assert summary.registered > 50
    assert summary.answered and summary.filed and summary.waiting_opinion and summary.overdue
    statuses = dict(db_session.execute(
        select(Courrier.status, func.count()).group_by(Courrier.status)).all())
    assert {"enregistre", "en_traitement", "clos", "envoye"} <= set(statuses)
    for entity_id, direction, year in db_session.execute(
            select(Courrier.entity_id, Courrier.direction, Courrier.year).distinct()):
        assert chrono.gaps(db_session, entity_id, direction, year) == ([], [])
    assert "Courrier de démonstration" in summary.lines()[0]
    bo = user_by_login(db_session, "bo.ceet")
    assert inboxes.counts(db_session, bo)["en_retard"] > 0
    again = generate_traffic(db_session)
    assert again.already_there and again.registered == 0
