"""The simulator as a real HTTP server in a thread, which can close its port for a while."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from connectors.portal_sim.app import create_sim_app
from connectors.portal_sim.faults import Faults
from connectors.portal_sim.store import Store
from connectors.portal_sim.webhooks import WebhookSender


@dataclass
class SimulatorOptions:
    db: Path | str = ":memory:"
    token: str = ""
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port (read it back from ``url``)
    webhook_url: str | None = None
    webhook_secret: str = ""
    seed: int | None = None


class SimulatorServer:
    """Serve the simulator on a loopback port; ``refuse_for`` makes connections fail."""

    def __init__(self, options: SimulatorOptions) -> None:
        self.options = options
        self.store = Store(options.db)
        self.faults = Faults(options.seed)
        self.webhook = (
            WebhookSender(options.webhook_url, options.webhook_secret)
            if options.webhook_url else None
        )
        self.app = create_sim_app(self.store, options.token, self.faults, self.webhook,
                                  self.refuse_for)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.port = options.port
        # A request log line per call would drown a benchmark's output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.port}"

    def start(self) -> SimulatorServer:
        server = make_server(self.options.host, self.port, self.app, threaded=True)
        self.port = server.server_port  # the real one when 0 was asked
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True,
                                        name="portal-sim")
        self._thread.start()
        return self

    def _close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def refuse_for(self, seconds: float) -> None:
        """Close the port now and open it again after ``seconds`` (in the background)."""
        threading.Thread(target=self._outage, args=(seconds,), daemon=True).start()

    def _outage(self, seconds: float) -> None:
        with self._lock:
            self._close()
            time.sleep(seconds)
            self.start()

    def stop(self) -> None:
        with self._lock:
            self._close()
        self.store.close()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.stop()
