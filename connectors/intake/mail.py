"""E-mails of the mailbox into the intake queue, each exactly once.

Each message is taken in its own transaction with the mailbox's cursor (its UIDVALIDITY and
the last UID taken): killed in the middle, the next reading starts at the first message not
committed. A message seen again (the cursor lost, the mailbox rebuilt, a copy in another
folder) is recognised by its Message-ID and not taken twice.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.intake.mailbox import ImapMailbox, MailboxConfig, parse_url
from connectors.intake.messages import MailIn, parse
from connectors.intake.models import IntakeItem
from connectors.portal.state import get_state, set_state
from core import audit
from core.errors import ConfigError
from core.identity import Entity, entity_by_code
from core.runtime import Runtime
from ged import service as ged
from ged.errors import RefusedFile

log = logging.getLogger(__name__)


@dataclass
class MailReport:
    outcomes: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        o = self.outcomes
        return (f"{o['recu']} courriel(s) reçu(s), {o['connu']} déjà connu(s), "
                f"{o['pieces_refusees']} pièce(s) jointe(s) refusée(s).")


def configured_mailbox(runtime: Runtime) -> MailboxConfig | None:
    url = runtime.settings.imap_url
    return parse_url(url) if url else None


def _cursor_name(config: MailboxConfig) -> str:
    return f"imap:{config.name}"


def _store(session: Session, mail: MailIn, entity: Entity) -> int:
    """The item with its attachments in the GED; returns how many attachments were refused."""
    documents, refused = [], []
    for name, content in mail.attachments:
        try:
            document = ged.add_document(session, None, ged.Upload(name, io.BytesIO(content)),
                                        entity, doc_type="courriel",
                                        extra={"source": "courriel", "expediteur":
                                               mail.sender_email})
        except RefusedFile as exc:
            refused.append({"fichier": name, "motif": str(exc)})
            continue
        documents.append(document.id)
    item = IntakeItem(
        source="courriel", source_key=mail.key, entity_id=entity.id, status="en_attente",
        title=mail.subject or "(sans objet)", sender_name=mail.sender_name,
        sender_email=mail.sender_email, body=mail.body, document_ids=documents,
        details={"envoye_le": mail.sent_at.isoformat() if mail.sent_at else "",
                 "pieces_refusees": refused},
    )
    session.add(item)
    session.flush()
    audit.record(session, None, "intake.courriel.recu", "intake_item", item.id, entity.id,
                 {"expediteur": mail.sender_email, "objet": item.title,
                  "documents": documents, "refusees": len(refused)}, actor_name="courriel")
    return len(refused)


def take_message(session: Session, raw: bytes, entity: Entity) -> tuple[str, int]:
    """One message into the queue, in the caller's transaction: ``recu`` or ``connu``."""
    mail = parse(raw)
    known = session.scalars(select(IntakeItem.id).where(IntakeItem.source_key == mail.key))
    if known.first() is not None:
        return "connu", 0
    try:
        with session.begin_nested():
            return "recu", _store(session, mail, entity)
    except IntegrityError:
        return "connu", 0  # another reader took it at the same moment


def _entity(session: Session, config: MailboxConfig) -> Entity:
    entity = entity_by_code(session, config.entity_code)
    if entity is None:
        raise ConfigError(f"ATD_IMAP_URL : aucune entité ne porte le code "
                          f"« {config.entity_code} » (?entite=).")
    return entity


def read_mailbox(runtime: Runtime, config: MailboxConfig) -> MailReport:
    """Take every message arrived since the last reading.

    Raises:
        MailboxUnavailable: the server failed; what was taken before stays taken.
        MailboxRefused: the login or the folder was refused.
    """
    report = MailReport()
    name = _cursor_name(config)
    with ImapMailbox(config) as mailbox:
        with runtime.session() as session:
            entity_id = _entity(session, config).id
            validity, _, last = get_state(session, name, ":0").partition(":")
        # A new UIDVALIDITY numbers the messages afresh: read them all, Message-IDs dedupe.
        last_uid = int(last or 0) if validity == mailbox.uidvalidity else 0
        for uid, raw in mailbox.messages_after(last_uid):
            with runtime.session() as session:
                outcome, refused = take_message(session, raw, session.get_one(Entity, entity_id))
                set_state(session, name, f"{mailbox.uidvalidity}:{uid}")
            report.outcomes[outcome] += 1
            report.outcomes["pieces_refusees"] += refused
    return report
