"""An e-mail as the intake queue needs it: sender, subject, body text and attached files."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime

TITLE_MAX = 500
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")


@dataclass(frozen=True)
class MailIn:
    """The parts of one e-mail that become an item of the intake queue."""

    key: str
    subject: str
    sender_name: str
    sender_email: str
    body: str
    sent_at: datetime | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


def _key(message: EmailMessage, raw: bytes) -> str:
    """``courriel:<Message-ID>``; a message without one is known by its SHA-256."""
    message_id = str(message.get("Message-ID", "")).strip().strip("<>").strip()
    if message_id:
        return f"courriel:{message_id}"[:500]
    return f"courriel:sha256:{hashlib.sha256(raw).hexdigest()}"


def _html_to_text(markup: str) -> str:
    text = re.sub(r"<br\s*/?>|</p\s*>|</div\s*>", "\n", markup, flags=re.IGNORECASE)
    return html.unescape(_TAGS.sub("", text))


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeError):  # a charset Python does not know: keep what reads
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        text = _html_to_text(text)
    return _BLANK_LINES.sub("\n\n", text.replace("\r\n", "\n")).strip()


def _attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    files = []
    for n, part in enumerate(message.iter_attachments(), start=1):
        content = part.get_payload(decode=True)
        if isinstance(content, bytes) and content:
            files.append((part.get_filename() or f"piece-jointe-{n}", content))
    return files


def _sent_at(message: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        return None


def parse(raw: bytes) -> MailIn:
    """Read a message as received (RFC 5322 bytes); a damaged one still gives what it can."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    name, address = parseaddr(str(message.get("From", "")))
    subject = " ".join(str(message.get("Subject", "")).split())
    return MailIn(
        key=_key(message, raw), subject=subject[:TITLE_MAX], sender_name=name.strip()[:300],
        sender_email=address.strip()[:254], body=_body(message), sent_at=_sent_at(message),
        attachments=_attachments(message),
    )
