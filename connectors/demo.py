"""The connectors in the demo: a portal simulator in-process, the catalogue published on it,
and a few citizens' dossiers that come back as courriers.

``atd demo`` calls ``start(runtime)`` once the demo ministry is onboarded, and keeps the
returned server until it stops.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import replace

from PIL import Image, ImageDraw

from connectors.portal import outbox, publication
from connectors.portal.client import client_for
from connectors.portal.pull import pull
from connectors.portal.push import push_due
from connectors.portal_sim.server import SimulatorOptions, SimulatorServer
from connectors.portal_sim.store import Piece
from core.runtime import Runtime

CITIZENS = (
    ("Afi Mensah", "afi.mensah@example.tg", "Raccordement de ma maison à Agoè"),
    ("Kodjo Ameganvi", "kodjo.ameganvi@example.tg", "Demande pour mon atelier de couture"),
    ("Essi Lawson", "essi.lawson@example.tg", "Dossier complet, pièces jointes"),
)


def _scan(text: str) -> bytes:
    """A small letter-like image, so the demo's pièces are read by the GED like real ones."""
    image = Image.new("RGB", (1240, 400), "white")
    ImageDraw.Draw(image).text((60, 60), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _submit_samples(server: SimulatorServer) -> int:
    """A few dossiers on the first published démarches, once (not again at the next start)."""
    if server.store.dossiers(None, 0, 1)[0]:
        return 0
    demarches = [d for d in server.store.demarches() if d["statut"] == "publiee"]
    for n, (name, email, subject) in enumerate(CITIZENS):
        if not demarches:
            break
        demarche = demarches[n % len(demarches)]
        piece = Piece("piece-identite.png", "image/png", _scan(f"{name} - {demarche['titre']}"))
        server.store.submit_dossier(demarche["code"], {"nom": name, "email": email,
                                                       "telephone": "+228 90 00 00 0" + str(n)},
                                    {"objet": subject}, [piece])
    return min(len(CITIZENS), len(demarches))


def start(runtime: Runtime, port: int = 8100, app_url: str | None = None) -> SimulatorServer:
    """Start the simulator, publish every complete démarche on it, bring sample dossiers in.

    Args:
        port: the simulator's port (0: any free one).
        app_url: the application's address, for the simulator's signed webhooks.
    """
    settings = runtime.settings
    # Fresh credentials at each start: the simulator and the demo share them in memory only.
    token, webhook_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    server = SimulatorServer(SimulatorOptions(
        db=settings.instance_dir / "portail-simulateur.db", token=token, port=port,
        webhook_url=f"{app_url.rstrip('/')}/api/v1/portail/webhook" if app_url else None,
        webhook_secret=webhook_secret,
    )).start()
    runtime.settings = replace(settings, portal_url=server.url, portal_token=token,
                               portal_webhook_secret=webhook_secret)
    with runtime.session() as session:
        session.info[outbox.SENDS_ITSELF] = True
        publication.publish_all(session)
    client = client_for(runtime.settings)
    push_due(runtime, client)
    _submit_samples(server)
    pull(runtime, client)
    push_due(runtime, client)  # the dossiers' "en instruction" back to the portal
    return server
