"""``atd portal-sim``: run the portal simulator in the foreground."""

from __future__ import annotations

import time
from pathlib import Path

import click

from connectors.portal_sim.server import SimulatorOptions, SimulatorServer


@click.command("portal-sim")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option("--port", default=8100, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 : un port libre, affiché au démarrage).")
@click.option("--db", "db_path", default="instance/portail-simulateur.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Fichier SQLite du simulateur.")
@click.option("--token", default="simulateur", show_default=True,
              help="Jeton (bearer) exigé par l'API du simulateur.")
@click.option("--webhook-url", help="Adresse à laquelle envoyer les webhooks signés.")
@click.option("--webhook-secret", default="", help="Secret HMAC-SHA256 des webhooks.")
def portal_sim_command(host: str, port: int, db_path: Path, token: str,
                       webhook_url: str | None, webhook_secret: str) -> None:
    """Lance le simulateur du portail national des services publics."""
    if webhook_url and not webhook_secret:
        raise click.UsageError("--webhook-secret est requis avec --webhook-url.")
    options = SimulatorOptions(db=db_path, token=token, host=host, port=port,
                               webhook_url=webhook_url, webhook_secret=webhook_secret)
    server = SimulatorServer(options).start()
    click.echo(f"Simulateur du portail prêt : {server.url}/ (citoyens : {server.url}/citoyen/)",
               nl=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


COMMANDS = [portal_sim_command]
