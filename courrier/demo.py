"""A few months of realistic courrier traffic for the demo ministry, made through the services.

Each mail office of the ministry registers letters, routes them to its services, which ask
opinions, answer (signed reply sent) or file them; the oldest open ones end up overdue. Dates
are spread over the period afterwards (within the current year, so that chrono numbers and
registration dates agree); the event log keeps the real time of the generation.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import permissions
from core.identity import Entity, RoleAssignment, User
from courrier import deadlines, replies, routing, scans, service
from courrier.calendar import due_date, load_calendar
from courrier.correspondents import CorrespondentInput
from courrier.models import Courrier
from courrier.replies import ReplyInput
from courrier.routing import RoutingInput
from ged.service import Upload

SUBJECTS = (
    "Demande de raccordement au réseau basse tension",
    "Réclamation sur une facture d'électricité",
    "Demande d'extension du réseau au quartier {q}",
    "Coupures répétées de courant à {q}",
    "Demande d'autorisation d'installation d'un kit solaire",
    "Transmission du rapport trimestriel d'activités",
    "Invitation à l'atelier de validation du plan d'électrification rurale",
    "Demande de permis de recherche minière",
    "Plainte relative à un compteur défectueux",
    "Demande de stage au sein du service",
    "Proposition de partenariat pour des mini-réseaux solaires",
    "Demande d'information sur les tarifs sociaux",
)
QUARTERS = ("Adidogomé", "Bè", "Agoè", "Tokoin", "Kégué", "Baguida", "Avédji", "Hédzranawoé")
ORGANISATIONS = (
    "Société Béton du Golfe", "Mairie de Lomé", "Préfecture du Golfe", "Banque Ouest-Africaine",
    "Coopérative agricole de Kara", "Lycée de Tokoin", "Association des consommateurs du Togo",
    "Togo Solaire SARL", "Clinique Biasa", "Direction des impôts",
)
PEOPLE = ("Kodjo Amégan", "Afi Mensah", "Yao Agbéko", "Akossiwa Lawson", "Komi Dossou",
          "Essi Kpodar", "Mawuli Adjavon", "Abla Sedjro")
# A tiny signed letter shared by every demo reply (the store keeps its bytes once).
_LETTER: bytes | None = None


def _signed_letter() -> bytes:
    global _LETTER
    if _LETTER is None:
        from reportlab.pdfgen import canvas

        out = io.BytesIO()
        page = canvas.Canvas(out)
        page.drawString(72, 760, "République togolaise — Travail, Liberté, Patrie")
        page.drawString(72, 700, "Objet : réponse à votre courrier. Lettre signée (démonstration).")
        page.save()
        _LETTER = out.getvalue()
    return _LETTER


@dataclass
class Office:
    """A mail office: its entity, its clerk, and who treats letters in its services."""

    entity: Entity
    clerk: User
    treaters: dict[int, list[User]] = field(default_factory=dict)  # service id -> people


def _offices(session: Session) -> list[Office]:
    rows = session.execute(
        select(RoleAssignment.entity_id, User)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role == "bureau_ordre", User.active.is_(True))
        .order_by(RoleAssignment.entity_id, User.id)
    )
    users = list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
    offices: dict[int, Office] = {}
    for entity_id, clerk in rows:
        if entity_id in offices:
            continue
        entity = session.get(Entity, entity_id)
        assert entity is not None
        office = Office(entity, clerk)
        # The office's own staff (not the ministry's administrators, who may treat anywhere).
        staff = [u for u in users if u.id != clerk.id
                 and u.entity_id in permissions.subtree(session, entity_id)]
        for service_id in sorted(permissions.entities_for(session, clerk, "imputer")):
            people = [u for u in staff if permissions.may(session, u, "traiter", service_id)]
            if people:
                office.treaters[service_id] = people
        offices[entity_id] = office
    return list(offices.values())


def _correspondent(rng: random.Random) -> CorrespondentInput:
    if rng.random() < 0.6:
        return CorrespondentInput(rng.choice(ORGANISATIONS))
    return CorrespondentInput(rng.choice(PEOPLE), kind="personne")


@dataclass
class Summary:
    registered: int = 0
    answered: int = 0
    filed: int = 0
    waiting_opinion: int = 0
    overdue: int = 0
    already_there: bool = False

    def lines(self) -> list[str]:
        if self.already_there:
            return ["Courrier de démonstration : déjà présent, rien d'ajouté."]
        return [f"Courrier de démonstration : {self.registered} courriers enregistrés, "
                f"{self.answered} répondus, {self.filed} classés, {self.waiting_opinion} en "
                f"attente d'avis, {self.overdue} en retard."]


def _code(session: Session, entity_id: int) -> str:
    entity = session.get(Entity, entity_id)
    assert entity is not None
    return entity.code


def _treat(session: Session, rng: random.Random, office: Office, courrier: Courrier, age: int,
           summary: Summary) -> Courrier | None:
    """Route the letter and take it as far as its age makes likely; the reply sent, if any."""
    if age < 3 and rng.random() < 0.6:
        return None  # still waiting in « À imputer »
    service_id = rng.choice(sorted(office.treaters))
    holder = rng.choice(office.treaters[service_id])
    routing.route(session, office.clerk, courrier.id, RoutingInput(
        "attribution", _code(session, service_id), holder.login, "Pour suite à donner"))
    if age < 3:
        return None
    service.take_charge(session, holder, courrier.id)
    roll = rng.random()
    if roll < 0.15 and len(office.treaters) > 1:
        other = rng.choice([s for s in office.treaters if s != service_id])
        routing.route(session, office.clerk, courrier.id, RoutingInput(
            "avis", _code(session, other), None, "Votre avis, s'il vous plaît"))
        summary.waiting_opinion += 1
    elif age > 10 and roll < 0.75:
        departure = scans.reply_with_files(
            session, holder, courrier.id, ReplyInput(signed=True),
            [Upload("reponse-signee.pdf", io.BytesIO(_signed_letter()))])
        replies.send(session, holder, departure.id)
        summary.answered += 1
        return departure
    elif age > 10 and roll < 0.85:
        service.file_without_reply(session, holder, courrier.id, "Réglé par téléphone")
        summary.filed += 1
    return None


def _backdate(session: Session, courrier: Courrier, day: date, rng: random.Random) -> None:
    """Place the courrier (and its history) on ``day``, as if registered then."""
    moment = datetime.combine(day, time(8 + rng.randrange(9), rng.randrange(60)), tzinfo=UTC)
    shift = moment - courrier.registered_at
    courrier.registered_at = moment
    if courrier.direction != "depart":
        courrier.received_on = day - timedelta(days=rng.choice((0, 0, 1)))
        courrier.letter_date = courrier.received_on - timedelta(days=rng.randrange(2, 9))
    if courrier.due_on is not None and courrier.received_on is not None:
        courrier.due_on = due_date(session, load_calendar(session), courrier.entity,
                                   courrier.priority, courrier.received_on)
    # Each later step some hours after the one before (a working life, not one second).
    now, at = datetime.now(UTC), moment
    for step in courrier.steps:
        step.at = min(at, now)
        at += timedelta(hours=rng.randrange(2, 30))
    for imputation in courrier.imputations:
        imputation.routed_at = min(imputation.routed_at + shift + timedelta(hours=2), now)
        if imputation.due_on:
            imputation.due_on = imputation.due_on + timedelta(days=shift.days)


def generate_traffic(session: Session, months: int = 3, per_week: int = 6,
                     seed: int = 2026) -> Summary:
    """Register and treat about ``per_week`` letters a week per mail office, ``months`` back.

    Call it on an onboarded ministry, in a transaction the caller commits, e.g.
    ``with runtime.session() as s: generate_traffic(s)``. An instance that already has
    courriers is left as it is (``atd demo`` run twice adds nothing).
    """
    rng = random.Random(seed)
    summary = Summary()
    if session.scalar(select(Courrier.id).limit(1)) is not None:
        summary.already_there = True
        return summary
    today = service.today()
    start = max(today - timedelta(days=30 * months), date(today.year, 1, 1))
    span = (today - start).days
    for office in _offices(session):
        count = max(1, per_week * span // 7)
        days = sorted(start + timedelta(days=rng.randrange(span + 1)) for _ in range(count))
        for day in days:
            courrier = service.register(session, office.clerk, service.Registration(
                entity_code=office.entity.code,
                subject=rng.choice(SUBJECTS).format(q=rng.choice(QUARTERS)),
                sender=_correspondent(rng),
                priority=rng.choices(("normale", "urgente", "tres_urgente"), (7, 2, 1))[0],
                confidentiality="confidentiel" if rng.random() < 0.05 else "normal",
                channel=rng.choices(("physique", "email", "portail", "main_propre"),
                                    (6, 2, 1, 1))[0],
            ))
            summary.registered += 1
            reply = None
            if office.treaters:
                reply = _treat(session, rng, office, courrier, (today - day).days, summary)
            _backdate(session, courrier, day, rng)
            if reply is not None:  # answered within the delay, a few days after arrival
                _backdate(session, reply, min(today, day + timedelta(days=rng.randrange(3, 9))),
                          rng)
    session.flush()
    summary.overdue = len(deadlines.run(session).marked_overdue)
    return summary
