"""A living demo room: a background thread that keeps registering, routing and treating mail.

Every few seconds one mail office of the demo ministry registers a letter, routes the oldest
waiting one to a service, and one letter held by a service is treated and closed, all through
the courrier services, so that the events and the figures are the real ones.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import permissions
from core.identity import Entity, RoleAssignment, User
from core.runtime import Runtime
from courrier import routing, service
from courrier.correspondents import CorrespondentInput
from courrier.models import Courrier
from courrier.routing import RoutingInput

log = logging.getLogger(__name__)

SUBJECTS = (
    "Demande de raccordement au réseau basse tension",
    "Réclamation sur une facture d'électricité",
    "Coupures répétées de courant dans le quartier",
    "Demande d'extension du réseau électrique",
    "Demande d'autorisation d'installation d'un kit solaire",
    "Transmission du rapport d'activités du trimestre",
    "Demande d'information sur les tarifs sociaux",
    "Plainte relative à un compteur défectueux",
)
SENDERS = ("Mairie de Lomé", "Préfecture du Golfe", "Togo Solaire SARL", "Kodjo Amégan",
           "Afi Mensah", "Association des consommateurs du Togo", "Lycée de Tokoin")
CHANNELS = (("physique", 5), ("email", 3), ("portail", 2), ("main_propre", 1), ("fax", 1))


@dataclass
class Office:
    """A mail office of the demo: its clerk, and the services it routes to."""

    code: str
    clerk_id: int
    services: list[str] = field(default_factory=list)


def offices(session: Session) -> list[Office]:
    """Every entity with an active mail office, and its services (sub-entities)."""
    rows = session.execute(
        select(Entity.id, Entity.code, User.id)
        .join(RoleAssignment, RoleAssignment.entity_id == Entity.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role == "bureau_ordre", User.active.is_(True),
               Entity.active.is_(True))
        .order_by(Entity.code, User.id)
    )
    found: dict[str, Office] = {}
    for entity_id, code, clerk_id in rows:
        if code in found:
            continue
        below = permissions.subtree(session, entity_id) - {entity_id}
        services = session.scalars(select(Entity.code).where(
            Entity.id.in_(below), Entity.active.is_(True)).order_by(Entity.code))
        found[code] = Office(code, clerk_id, list(services))
    return list(found.values())


def _oldest(session: Session, entity_code: str, statuses: tuple[str, ...]) -> Courrier | None:
    query = (select(Courrier).join(Entity, Entity.id == Courrier.entity_id)
             .where(Entity.code == entity_code, Courrier.status.in_(statuses),
                    Courrier.direction != "depart")
             .order_by(Courrier.id).limit(1))
    return session.scalars(query).first()


def tick(session: Session, rng: random.Random) -> list[str]:
    """One step of the demo's life, in the caller's transaction; what happened, in French."""
    candidates = offices(session)
    if not candidates:
        return []
    office = rng.choice(candidates)
    clerk = session.get(User, office.clerk_id)
    assert clerk is not None
    done: list[str] = []
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    letter = service.register(session, clerk, service.Registration(
        entity_code=office.code, subject=rng.choice(SUBJECTS),
        sender=CorrespondentInput(rng.choice(SENDERS)), channel=channel,
        priority=rng.choices(("normale", "urgente", "tres_urgente"), (8, 2, 1))[0]))
    done.append(f"{letter.chrono} enregistré")
    waiting = _oldest(session, office.code, ("enregistre",))
    if waiting is not None and office.services and rng.random() < 0.8:
        routing.route(session, clerk, waiting.id,
                      RoutingInput("attribution", rng.choice(office.services)))
        done.append(f"{waiting.chrono} imputé")
    held = _oldest(session, office.code, ("impute", "en_traitement"))
    if held is not None and rng.random() < 0.6:
        # The mail office heads the services below it: it may close what they hold.
        service.file_without_reply(session, clerk, held.id, "Traité (démonstration).")
        service.close(session, clerk, held.id)
        done.append(f"{held.chrono} traité et clos")
    return done


class Generator:
    """The background thread; ``stop()`` ends it after the current step."""

    def __init__(self, runtime: Runtime, interval: float, seed: int | None) -> None:
        self.runtime, self.interval = runtime, interval
        self.rng = random.Random(seed)
        self.stopped = threading.Event()
        self.steps = 0
        self.thread = threading.Thread(target=self._run, name="atd-demo-courrier", daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                with self.runtime.session() as session:
                    tick(session, self.rng)
                self.steps += 1
            except Exception:  # noqa: BLE001  (the demo goes on; the next step may succeed)
                log.exception("demo generator step failed")

    def stop(self, timeout: float = 10) -> None:
        self.stopped.set()
        self.thread.join(timeout)


def start_generator(runtime: Runtime, interval: float = 4.0, seed: int | None = None) -> Generator:
    """Start the demo's traffic in a daemon thread: a step every ``interval`` seconds.

    ``atd demo`` calls it with its runtime before serving; ``stop()`` ends it.
    """
    generator = Generator(runtime, interval, seed)
    generator.thread.start()
    return generator
