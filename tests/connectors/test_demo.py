"""The demo ministry's démarches appear on the simulator and its sample dossiers come back."""

from __future__ import annotations

from sqlalchemy import select

from connectors import demo
from connectors.portal.models import PortalDossier
from core.cli.demo import demo_inventory_path
from core.onboarding import apply_inventory, load_inventory
from courrier.models import Courrier


def test_demo_publishes_the_catalogue_and_brings_sample_dossiers_in_as_courriers(make_runtime):
    runtime = make_runtime()
    with runtime.session() as session:
        apply_inventory(session, load_inventory(demo_inventory_path()), actor_name="demo")
    server = demo.start(runtime, port=0)
    try:
        on_portal = server.store.demarches()
        assert len(on_portal) >= 3
        with runtime.session() as session:
            links = session.scalars(select(PortalDossier)).all()
            assert len(links) == len(demo.CITIZENS)
            courriers = [session.get(Courrier, link.courrier_id) for link in links]
            assert {c.channel for c in courriers} == {"portail"}
            assert all(c.attachments for c in courriers)
        # Started again on the same instance: nothing is submitted or imported twice.
        server.stop()
        server = demo.start(runtime, port=0)
        with runtime.session() as session:
            assert len(session.scalars(select(PortalDossier)).all()) == len(demo.CITIZENS)
    finally:
        server.stop()
