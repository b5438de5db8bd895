"""Registering a courrier: what is stored, what is refused, and that a refusal changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.audit import Event
from core.errors import PermissionDenied
from courrier import chrono, scans, service
from courrier.correspondents import CorrespondentInput
from courrier.errors import CorrespondentNotFound, ForbiddenTransition, InvalidCourrier
from courrier.models import Correspondent, Courrier
from ged.errors import RefusedFile
from ged.service import Upload, store_of
from tests.courrier.conftest import yesterday
from tests.courrier.test_web import small_pdf


def test_registration_stores_the_letter_with_number_due_date_and_first_step(world):
    courrier = world.register(priority="urgente", sender_reference="N°123/BG/2026",
                              summary="Raccordement d'un chantier", channel="email")
    assert courrier.status == "enregistre"
    assert courrier.entity.code == "CEET"
    assert courrier.received_on == yesterday()
    assert courrier.due_on is not None and courrier.due_on > courrier.received_on
    assert courrier.sender.name == "Société Béton du Golfe"
    assert courrier.registered_by_id == world.bo.id
    assert [s.action for s in courrier.steps] == ["enregistrer"]
    event = world.session.scalars(
        select(Event).where(Event.action == "courrier.enregistrer").order_by(Event.id.desc())
    ).first()
    assert event.object_id == str(courrier.id) and event.data["chrono"] == courrier.chrono


def test_registration_creates_a_new_correspondent_once(world):
    first = world.register(sender=CorrespondentInput("M. Kodjo  AMEGAN", kind="personne"))
    second = world.register(sender=CorrespondentInput("Monsieur Kodjo Amégan", kind="personne"))
    assert first.sender_id == second.sender_id
    count = world.session.scalar(
        select(func.count()).select_from(Correspondent).where(Correspondent.kind == "personne")
    )
    assert count == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subject": "  "}, "l'objet est obligatoire"),
        ({"sender": None}, "l'expéditeur est obligatoire"),
        ({"received_on": service.today() + timedelta(days=1)}, "réception ne peut pas être dans"),
        ({"letter_date": yesterday(), "received_on": yesterday() - timedelta(days=3)},
         "datée d'après sa réception"),
        ({"priority": "immediate"}, "priorité inconnue"),
        ({"channel": "pigeon"}, "canal inconnu"),
        ({"entity_code": "NOPE"}, "Entité inconnue"),
    ],
)
def test_bad_registrations_are_refused_in_french_and_take_no_number(world, fields, message):
    before = world.session.scalar(select(func.count()).select_from(Courrier))
    with pytest.raises(InvalidCourrier, match=message):
        world.register(**fields)
    assert world.session.scalar(select(func.count()).select_from(Courrier)) == before
    assert world.register().seq == before + 1


def test_unknown_correspondent_is_refused(world):
    with pytest.raises(CorrespondentNotFound, match="Correspondant inconnu"):
        world.register(sender=999_999)


def test_only_the_mail_office_of_the_entity_registers(world):
    with pytest.raises(PermissionDenied, match="enregistrer de courrier pour CEET"):
        service.register(world.session, world.arse_bo, service.Registration(
            entity_code="CEET", subject="Lettre", sender=world.sender.id))
    with pytest.raises(PermissionDenied):
        service.register(world.session, world.agent, service.Registration(
            entity_code="CEET-COM", subject="Lettre", sender=world.sender.id))


def test_cancelled_courrier_keeps_its_number_and_reason(world):
    courrier = world.register()
    service.cancel(world.session, world.bo, courrier.id, "Enregistré deux fois")
    assert (courrier.status, courrier.cancel_reason) == ("annule", "Enregistré deux fois")
    assert courrier.seq == 1 and courrier.chrono.endswith("-000001")
    assert world.register().seq == 2


def test_cancel_needs_a_reason_and_a_cancelled_one_cannot_be_cancelled_again(world):
    courrier = world.register()
    with pytest.raises(InvalidCourrier, match="motif est obligatoire"):
        service.cancel(world.session, world.bo, courrier.id, " ")
    service.cancel(world.session, world.bo, courrier.id, "Erreur de saisie")
    with pytest.raises(ForbiddenTransition):
        service.cancel(world.session, world.bo, courrier.id, "Encore")


def test_by_chrono_finds_the_courrier(world):
    courrier = world.register()
    assert service.by_chrono(world.session, world.bo, courrier.chrono.lower()) is courrier


def test_scans_waiting_in_the_intake_queue_are_offered_until_registered(world):
    from courrier import scans
    from ged.models import Document

    waiting = Document(title="Numérisation du matin", entity_id=world.entities["CEET"].id,
                       doc_type=scans.INTAKE_TYPE)
    world.session.add(waiting)
    world.session.flush()
    assert [d.id for d in scans.waiting(world.session, world.bo)] == [waiting.id]
    assert scans.waiting(world.session, world.agent) == []  # not a mail office
    courrier = world.register(document_ids=(waiting.id,))
    assert [(a.document_id, a.role) for a in courrier.attachments] == [(waiting.id, "scan")]
    assert scans.waiting(world.session, world.bo) == []


def test_follow_up_is_linked_to_the_earlier_courrier_both_ways(world):
    from courrier.errors import CourrierNotFound

    earlier = world.register(subject="Première demande")
    later = world.register(subject="Relance", follow_up_of=earlier.chrono)
    assert service.links_of(world.session, later) == [("Suite de", earlier)]
    assert service.links_of(world.session, earlier) == [("Suivi par", later)]
    assert earlier.steps[-1].action == "suite_recue"
    with pytest.raises(CourrierNotFound, match="Aucun courrier ne porte le numéro"):
        world.register(follow_up_of="CEET-A-1999-000001")


def _stored_files(session) -> list[str]:
    root = store_of(session).root
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_bad_scan_is_refused_before_the_number_is_taken(world):
    before = _stored_files(world.session)
    disguised = Upload("scan.pdf", io.BytesIO(b"MZ\x90\x00 not a letter at all"))
    with pytest.raises(RefusedFile):
        scans.register_with_files(world.session, world.bo, service.Registration(
            entity_code="CEET", subject="Lettre", sender=world.sender.id), [disguised])
    ceet = world.entities["CEET"].id
    assert chrono.last_number(world.session, ceet, "arrivee", service.today().year) == 0
    assert _stored_files(world.session) == before


def test_a_scan_checked_for_a_refused_registration_is_not_kept(world):
    before = _stored_files(world.session)
    with pytest.raises(InvalidCourrier, match="l'objet est obligatoire"):
        scans.register_with_files(world.session, world.bo, service.Registration(
            entity_code="CEET", subject=" ", sender=world.sender.id),
            [Upload("scan.pdf", io.BytesIO(small_pdf()))])
    assert _stored_files(world.session) == before
    courrier = scans.register_with_files(world.session, world.bo, service.Registration(
        entity_code="CEET", subject="Lettre", sender=world.sender.id),
        [Upload("scan.pdf", io.BytesIO(small_pdf()))])
    assert [a.role for a in courrier.attachments] == ["scan"]
    assert len(_stored_files(world.session)) == len(before) + 1
