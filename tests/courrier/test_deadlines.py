"""The reminders pass: overdue marked once, holders and heads reminded once, late opinions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from sqlalchemy import func, select

from core.audit import Event
from core.errors import ConfigError
from core.runtime import activated
from courrier import deadlines, jobs, routing, service
from courrier.calendar import load_calendar
from courrier.config import set_rules
from courrier.mail import SmtpMailer
from courrier.models import Reminder
from courrier.routing import RoutingInput
from tests.conftest import free_port


def reminders(world, kind):
    return list(world.session.scalars(select(Reminder).where(Reminder.kind == kind)))


def routed_to_agent(world, **fields):
    courrier = world.register(**fields)
    routing.route(world.session, world.bo, courrier.id,
                  RoutingInput("attribution", "CEET-COM", "agent.com"))
    return courrier


def test_overdue_courrier_is_marked_once_and_its_holder_reminded_once(world):
    late = routed_to_agent(world, received_on=service.today() - timedelta(days=70))
    first = deadlines.run(world.session)
    second = deadlines.run(world.session)
    assert late.overdue
    assert first.marked_overdue == [late.chrono] and second.marked_overdue == []
    assert [r.user_id for r in reminders(world, "retard")] == [world.agent.id]
    assert second.reminders == [] or all(r.kind != "retard" for r in second.reminders)
    events = world.session.scalar(
        select(func.count()).select_from(Event).where(Event.action == "courrier.en_retard"))
    assert events == 1
    assert "en retard" in reminders(world, "retard")[0].message


def test_head_is_told_after_the_configured_days_late(world):
    set_rules(world.session, None, world.entities["CEET"], head_after_days=3)
    routed_to_agent(world, received_on=service.today() - timedelta(days=70))
    deadlines.run(world.session)
    assert [r.user_id for r in reminders(world, "chef")] == [world.chef.id]


def test_holder_is_reminded_before_the_deadline(world):
    courrier = routed_to_agent(world, priority="tres_urgente", received_on=service.today())
    calendar = load_calendar(world.session)
    on = courrier.due_on - timedelta(days=1)
    while not calendar.is_working_day(on):
        on -= timedelta(days=1)
    deadlines.run(world.session, on)
    assert [r.user_id for r in reminders(world, "avant_echeance")] == [world.agent.id]
    assert not courrier.overdue


def test_unrouted_overdue_courrier_reminds_the_mail_office(world):
    world.register(received_on=service.today() - timedelta(days=70))
    deadlines.run(world.session)
    assert [r.user_id for r in reminders(world, "retard")] == [world.bo.id]


def test_late_opinion_reminds_the_one_asked(world):
    courrier = routed_to_agent(world)
    routing.route(world.session, world.bo, courrier.id, RoutingInput(
        "avis", "CEET-JUR", "juriste", due_on=service.today()))
    deadlines.run(world.session, service.today() + timedelta(days=3))
    assert [r.user_id for r in reminders(world, "avis_retard")] == [world.juriste.id]


def test_closed_courriers_are_left_alone(world):
    courrier = world.register(received_on=service.today() - timedelta(days=70))
    service.cancel(world.session, world.bo, courrier.id, "Doublon")
    report = deadlines.run(world.session)
    assert report.marked_overdue == [] and report.reminders == []


def test_relances_job_runs_in_its_own_session_and_reports(world, runtime):
    routed_to_agent(world, received_on=service.today() - timedelta(days=70))
    world.session.commit()  # the job reads what the office committed
    with activated(runtime):
        lines = jobs.relances()
    assert lines[0] == "1 courrier(s) passé(s) en retard."


@pytest.fixture
def smtp_server() -> Iterator[tuple[list[Message], str]]:
    """A real SMTP server on a free local port (aiosmtpd): the messages it receives, its URL."""
    from aiosmtpd.controller import Controller

    received: list[Message] = []

    class Keep:
        async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
            received.append(message_from_bytes(envelope.content))
            return "250 OK"

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield received, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def test_overdue_reminder_is_emailed_once_through_the_smtp_server(world, runtime, smtp_server):
    """GIVEN an SMTP server named by ATD_SMTP_URL and a courrier routed to an agent, long past
    due WHEN the reminders pass runs twice THEN the agent and the head of service each get one
    e-mail naming the courrier, from the configured sender."""
    received, url = smtp_server
    courrier = routed_to_agent(world, received_on=service.today() - timedelta(days=70))
    world.session.commit()
    runtime.settings = replace(runtime.settings, smtp_url=f"{url}?from=courrier@ceet.tg")
    with activated(runtime):
        lines = jobs.relances()
        again = jobs.relances()
    assert lines[-1] == "2 rappel(s) envoyé(s) par courriel."
    assert not any("courriel" in line for line in again)
    assert sorted(mail["To"] for mail in received) == sorted([world.agent.email,
                                                               world.chef.email])
    assert {(mail["From"], mail["Subject"]) for mail in received} == {
        ("courrier@ceet.tg", f"Rappel : courrier {courrier.chrono}")}


def test_smtp_url_is_read_with_its_sender_and_refused_when_wrong():
    mailer = SmtpMailer.from_url("smtp://bo%40ceet:secret@mail.ceet.tg:587?from=bo@ceet.tg")
    assert (mailer.host, mailer.port, mailer.user, mailer.sender) == (
        "mail.ceet.tg", 587, "bo@ceet", "bo@ceet.tg")
    assert SmtpMailer.from_url("smtps://mail.ceet.tg").port == 465
    with pytest.raises(ConfigError, match="ATD_SMTP_URL"):
        SmtpMailer.from_url("http://mail.ceet.tg")


def test_next_daily_run_is_tomorrow_morning_once_past_the_hour():
    from datetime import UTC, datetime

    assert jobs.seconds_until_next_run(datetime(2026, 12, 1, 5, 0, tzinfo=UTC)) == 3600
    assert jobs.seconds_until_next_run(datetime(2026, 12, 1, 7, 0, tzinfo=UTC)) == 23 * 3600
