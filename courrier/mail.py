"""E-mail of reminders, through the SMTP server named by ``ATD_SMTP_URL`` when there is one."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from core.errors import ConfigError, TransientError
from core.settings import Settings

DEFAULT_SENDER = "courrier@localhost"


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    """``smtp://user:password@host:587?from=bo@ministere.tg`` (STARTTLS), or ``smtps://``."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    ssl: bool = False
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str) -> SmtpMailer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(f"ATD_SMTP_URL doit être une URL smtp:// ou smtps:// (reçu {url!r})")
        query = parse_qs(parts.query)
        ssl = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if ssl else 25),
            sender=query.get("from", [DEFAULT_SENDER])[0],
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            ssl=ssl,
        )

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        client_class = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        try:
            with client_class(self.host, self.port, timeout=self.timeout) as client:
                if not self.ssl and client.has_extn("starttls"):
                    client.starttls()
                if self.user:
                    client.login(self.user, self.password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
            # The server being away for a while is worth another try later.
            raise TransientError(f"Serveur SMTP injoignable : {exc}") from exc


def mailer_for(settings: Settings) -> Mailer | None:
    """The SMTP mailer when the settings name a server, otherwise None (reminders stay in-app)."""
    url = settings.smtp_url
    return SmtpMailer.from_url(url) if url else None
