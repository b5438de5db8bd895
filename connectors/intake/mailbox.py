"""The mail office's IMAP mailbox: its address read from ``ATD_IMAP_URL``, and the client.

The mailbox is only read (``EXAMINE`` and ``BODY.PEEK``): what the staff see in their own
mail client stays as it was. Which messages were read is known by their UID, kept with the
mailbox's UIDVALIDITY; a message seen again is recognised by its Message-ID anyway.
"""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

from connectors.errors import MailboxRefused, MailboxUnavailable
from core.errors import ConfigError

VARIABLE = "ATD_IMAP_URL"
TIMEOUT_SECONDS = 30.0
# Errors of the network or of a server that stopped answering: worth trying again later.
_TRANSIENT = (OSError, imaplib.IMAP4.abort, EOFError)


@dataclass(frozen=True)
class MailboxConfig:
    """Where the mailbox is, how to log in, and which entity's intake queue it feeds."""

    host: str
    port: int
    user: str
    password: str
    mailbox: str
    entity_code: str
    tls: bool

    @property
    def name(self) -> str:
        """The mailbox without its password, for logs, pages and the stored cursor."""
        return f"{self.user}@{self.host}:{self.port}/{self.mailbox}"


def parse_url(url: str) -> MailboxConfig:
    """``imaps://user:password@host:993/INBOX?entite=CODE`` (``imap://`` in clear, port 143)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{VARIABLE} : port invalide dans {parts.netloc!r}") from None
    entity = parse_qs(parts.query).get("entite", [""])[0].strip()
    missing = [label for label, value in (("l'hôte", parts.hostname), ("l'utilisateur",
               parts.username), ("?entite=CODE", entity)) if not value]
    if parts.scheme not in ("imap", "imaps") or missing:
        raise ConfigError(f"{VARIABLE} : il manque {', '.join(missing) or 'imaps://'} "
                          "(forme attendue imaps://utilisateur:mot-de-passe@hôte:993/INBOX"
                          "?entite=CODE)")
    tls = parts.scheme == "imaps"
    return MailboxConfig(
        host=parts.hostname or "", port=port or (993 if tls else 143),
        user=unquote(parts.username or ""), password=unquote(parts.password or ""),
        mailbox=unquote(parts.path.lstrip("/")) or "INBOX", entity_code=entity.upper(),
        tls=tls,
    )


class ImapMailbox:
    """A read-only session on the mailbox; use it as a context manager."""

    def __init__(self, config: MailboxConfig, timeout: float = TIMEOUT_SECONDS) -> None:
        self.config = config
        self.timeout = timeout
        self.uidvalidity = ""
        self._imap: imaplib.IMAP4 | None = None

    def __enter__(self) -> ImapMailbox:
        config = self.config
        try:
            if config.tls:
                self._imap = imaplib.IMAP4_SSL(config.host, config.port, timeout=self.timeout,
                                               ssl_context=ssl.create_default_context())
            else:
                self._imap = imaplib.IMAP4(config.host, config.port, timeout=self.timeout)
            self._imap.login(config.user, config.password)
            status, _data = self._imap.select(_quoted(config.mailbox), readonly=True)
        except _TRANSIENT as exc:  # before IMAP4.error, of which abort is a kind
            self.__exit__(None, None, None)
            raise MailboxUnavailable(f"Boîte {config.name} injoignable : {exc}") from None
        except imaplib.IMAP4.error as exc:
            self.__exit__(None, None, None)
            raise MailboxRefused(f"Boîte {config.name} : connexion refusée ({exc}).") from None
        if status != "OK":
            self.__exit__(None, None, None)
            raise MailboxRefused(f"Boîte {config.name} : dossier « {config.mailbox} » introuvable.")
        _name, values = self._imap.response("UIDVALIDITY")
        self.uidvalidity = values[-1].decode() if values and values[-1] else ""
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._imap is not None:
            try:
                self._imap.logout()
            except (*_TRANSIENT, imaplib.IMAP4.error):
                pass  # the session is over either way
            self._imap = None

    def _call(self, *args: str) -> list[bytes | tuple[bytes, bytes]]:
        assert self._imap is not None, "use the mailbox as a context manager"
        try:
            status, data = self._imap.uid(*args)
        except _TRANSIENT as exc:
            raise MailboxUnavailable(f"Boîte {self.config.name} : {exc}") from None
        if status != "OK":
            raise MailboxUnavailable(f"Boîte {self.config.name} : {args[0]} a échoué ({data}).")
        return data

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs of the messages arrived after ``last_uid``, oldest first."""
        data = self._call("SEARCH", f"UID {last_uid + 1}:*")
        found = (int(part) for part in b" ".join(d for d in data if isinstance(d, bytes)).split())
        # ``N:*`` also names the last message when none is newer than N.
        return sorted(uid for uid in found if uid > last_uid)

    def fetch(self, uid: int) -> bytes | None:
        """The message as it was received (None if it was deleted meanwhile)."""
        for part in self._call("FETCH", str(uid), "(BODY.PEEK[])"):
            if isinstance(part, tuple):
                return part[1]
        return None

    def messages_after(self, last_uid: int) -> Iterator[tuple[int, bytes]]:
        for uid in self.uids_after(last_uid):
            raw = self.fetch(uid)
            if raw is not None:
                yield uid, raw


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
