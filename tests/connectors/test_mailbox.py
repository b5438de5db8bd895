"""Each e-mail of the mailbox waits once in the intake queue, read from a real IMAP server."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.errors import MailboxRefused, MailboxUnavailable
from connectors.intake import mail
from connectors.intake.mailbox import parse_url
from connectors.intake.messages import parse
from connectors.intake.models import IntakeItem
from connectors.schedule import schedule
from core.errors import ConfigError
from core.jobs import run_job
from core.runtime import activated
from ged.models import Document
from tests.conftest import atd_runner
from tests.connectors.imap_server import PASSWORD, USER
from tests.factories import make_ministry

SAMPLES = Path(__file__).resolve().parents[1] / "ged" / "samples"


def message(subject: str = "Demande de raccordement", message_id: str = "<m1@gouv.tg>",
            files: tuple[str, ...] = (), html: str = "",
            body: str = "Madame, Monsieur,\n\nJe sollicite un raccordement.\n") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Afi Mensah <afi.mensah@example.tg>"
    msg["To"] = "bo@ceet.tg"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 30 Nov 2026 09:15:00 +0000"
    if message_id:
        msg["Message-ID"] = message_id
    if html:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
    for name in files:
        data = (SAMPLES / name).read_bytes() if (SAMPLES / name).exists() else b"MZ\x90\x00"
        maintype, subtype = ("application", "pdf") if name.endswith(".pdf") else (
            "application", "octet-stream")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


@pytest.fixture
def mailbox(runtime, db_session, imap_server):
    """The test's runtime reading the dovecot mailbox into CEET's intake queue."""
    make_ministry(db_session)
    db_session.flush()
    runtime.settings = replace(runtime.settings, imap_url=imap_server.url + "?entite=CEET")
    return imap_server


def read(runtime) -> mail.MailReport:
    config = mail.configured_mailbox(runtime)
    assert config is not None
    return mail.read_mailbox(runtime, config)


def items(db_session) -> list[IntakeItem]:
    db_session.expire_all()
    return list(db_session.scalars(select(IntakeItem).order_by(IntakeItem.id)))


def test_email_waits_in_the_queue_with_sender_subject_body_and_attachment(runtime, db_session,
                                                                          mailbox):
    mailbox.deliver(message(files=("nee-numerique.pdf",)))
    report = read(runtime)
    assert report.outcomes["recu"] == 1
    [item] = items(db_session)
    assert (item.source, item.status, item.entity.code) == ("courriel", "en_attente", "CEET")
    assert (item.sender_name, item.sender_email) == ("Afi Mensah", "afi.mensah@example.tg")
    assert item.title == "Demande de raccordement"
    assert "Je sollicite un raccordement." in item.body
    assert item.source_key == "courriel:m1@gouv.tg"
    [document] = [db_session.get(Document, i) for i in item.document_ids]
    assert document.entity.code == "CEET" and document.doc_type == "courriel"
    assert document.current.filename == "nee-numerique.pdf"


def test_reading_again_takes_nothing_twice(runtime, db_session, mailbox):
    mailbox.deliver(message())
    read(runtime)
    assert read(runtime).outcomes["recu"] == 0
    assert len(items(db_session)) == 1


def test_same_message_id_delivered_twice_is_taken_once(runtime, db_session, mailbox):
    mailbox.deliver(message())
    mailbox.deliver(message(subject="RE-ENVOI : Demande de raccordement"))
    mailbox.deliver(message(message_id="<m2@gouv.tg>", subject="Autre demande"))
    report = read(runtime)
    assert (report.outcomes["recu"], report.outcomes["connu"]) == (2, 1)
    assert [i.title for i in items(db_session)] == ["Demande de raccordement", "Autre demande"]


def test_attachment_the_ged_refuses_is_listed_and_the_email_still_taken(runtime, db_session,
                                                                        mailbox):
    mailbox.deliver(message(files=("programme.exe", "nee-numerique.pdf")))
    report = read(runtime)
    assert report.outcomes["pieces_refusees"] == 1
    [item] = items(db_session)
    assert len(item.document_ids) == 1
    [refused] = item.details["pieces_refusees"]
    assert refused["fichier"] == "programme.exe" and refused["motif"]


def test_html_only_email_is_read_as_text(runtime, db_session, mailbox):
    mailbox.deliver(message(html="<p>Bonjour,</p><p>Voir le <b>dossier</b> joint.</p>"))
    read(runtime)
    [item] = items(db_session)
    assert "Bonjour," in item.body and "Voir le dossier joint." in item.body
    assert "<" not in item.body


def test_message_without_message_id_is_known_by_its_content(runtime, db_session, mailbox):
    mailbox.deliver(message(message_id=""))
    read(runtime)
    [item] = items(db_session)
    assert item.source_key.startswith("courriel:sha256:")


def test_reading_killed_in_the_middle_resumes_without_taking_a_message_twice(
        runtime, db_session, mailbox, monkeypatch):
    """GIVEN three e-mails and a reading killed while taking the second WHEN the mailbox is
    read again THEN each e-mail is in the queue exactly once."""
    for n in (1, 2, 3):
        mailbox.deliver(message(subject=f"Courriel {n}", message_id=f"<m{n}@gouv.tg>"))
    taken = mail.take_message

    def dies_on_the_second(session, raw, entity):
        if b"Courriel 2" in raw:
            raise KeyboardInterrupt  # the process dies here
        return taken(session, raw, entity)

    monkeypatch.setattr(mail, "take_message", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        read(runtime)
    monkeypatch.undo()
    assert [i.title for i in items(db_session)] == ["Courriel 1"]
    assert read(runtime).outcomes["recu"] == 2
    assert [i.title for i in items(db_session)] == ["Courriel 1", "Courriel 2", "Courriel 3"]


def test_wrong_password_is_refused_and_a_stopped_server_is_unavailable(runtime, db_session,
                                                                        mailbox):
    config = parse_url(mailbox.url.replace(PASSWORD, "faux") + "?entite=CEET")
    with pytest.raises(MailboxRefused):
        mail.read_mailbox(runtime, config)
    mailbox.stop()
    with pytest.raises(MailboxUnavailable):
        read(runtime)


def test_worker_reads_the_mailbox_and_plans_its_next_reading(runtime, db_session, mailbox):
    mailbox.deliver(message())
    schedule(runtime)
    [path] = [job[0] for job in runtime.queue.submitted if job[0].endswith("watch_mailbox")]
    runtime.queue.submitted.clear()
    with activated(runtime):
        run_job(path, (), {})
    assert len(items(db_session)) == 1
    assert path in [job[0] for job in runtime.queue.submitted]


def test_imap_command_reads_the_configured_mailbox(make_runtime, fresh_database_url, tmp_path,
                                                   imap_server, monkeypatch):
    with make_runtime().session() as session:
        make_ministry(session)
    imap_server.deliver(message())
    monkeypatch.setenv("ATD_IMAP_URL", imap_server.url + "?entite=CEET")
    atd = atd_runner(tmp_path, fresh_database_url)
    result = atd("intake", "imap")
    assert result.exit_code == 0, result.output
    assert "1 courriel(s) reçu(s)" in result.output
    assert "0 courriel(s) reçu(s)" in atd("intake", "imap").output


def test_imap_command_without_a_mailbox_says_which_variable_to_set(tmp_path, sqlite_database,
                                                                   monkeypatch):
    monkeypatch.delenv("ATD_IMAP_URL", raising=False)
    result = atd_runner(tmp_path, sqlite_database)("intake", "imap")
    assert result.exit_code == 1 and "ATD_IMAP_URL" in result.output


@pytest.mark.parametrize("url", [
    "imaps://bo:mdp@mail.gouv.tg/INBOX",
    "imaps://mail.gouv.tg/INBOX?entite=CEET",
    "imaps://bo:mdp@mail.gouv.tg:port/INBOX?entite=CEET",
])
def test_mailbox_url_without_entity_user_or_valid_port_names_the_variable(url):
    with pytest.raises(ConfigError, match="ATD_IMAP_URL"):
        parse_url(url)


def test_mailbox_url_gives_tls_default_port_encoded_password_and_folder():
    config = parse_url("imaps://bo%40ceet.tg:p%C3%A0ss%2Fw@mail.gouv.tg/Arriv%C3%A9es?entite=ceet")
    assert (config.user, config.password, config.host, config.port) == (
        "bo@ceet.tg", "pàss/w", "mail.gouv.tg", 993)
    assert (config.mailbox, config.entity_code, config.tls) == ("Arrivées", "CEET", True)
    assert "pàss" not in config.name and USER not in config.name


def test_body_in_a_charset_python_does_not_know_is_still_read():
    raw = (b"From: a@example.tg\r\nSubject: x\r\nMessage-ID: <x@example.tg>\r\n"
           b"Content-Type: text/plain; charset=x-inconnu\r\n\r\nBonjour\r\n")
    assert parse(raw).body == "Bonjour"
