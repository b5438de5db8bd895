"""The simulator's outgoing webhooks: signed with HMAC-SHA256, sent in the background."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from connectors.portal.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

log = logging.getLogger(__name__)


@dataclass
class WebhookSender:
    """Posts each event to ``url``; a failed delivery is tried again a few times."""

    url: str
    secret: str
    attempts: int = 3
    pause_seconds: float = 1.0
    timeout_seconds: float = 10.0
    delivered: list[str] = field(default_factory=list)

    def body(self, event: str, dossier: dict[str, Any]) -> bytes:
        payload = {"id": uuid.uuid4().hex, "evenement": event, "dossier": dossier}
        return json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def send(self, event: str, dossier: dict[str, Any]) -> None:
        """Deliver in a background thread, so the citizen's submission is not held up."""
        body = self.body(event, dossier)
        threading.Thread(target=self._deliver, args=(body,), daemon=True).start()

    def _deliver(self, body: bytes) -> None:
        for attempt in range(1, self.attempts + 1):
            # Signed at each attempt: the timestamp must be fresh for the receiver.
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            }
            try:
                answer = requests.post(self.url, data=body, headers=headers,
                                       timeout=self.timeout_seconds)
                if answer.status_code < 500:
                    self.delivered.append(f"{answer.status_code}")
                    return
            except requests.RequestException as exc:
                log.warning("webhook attempt %d to %s failed: %s", attempt, self.url, exc)
            time.sleep(self.pause_seconds * attempt)
        log.error("webhook to %s given up after %d attempts", self.url, self.attempts)
