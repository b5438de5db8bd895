"""``atd demo``: the demo ministry on the embedded default, ready to log into."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import click

from connectors import demo as connectors_demo
from core.app import create_app
from core.cli.context import runtime
from core.cli.serve import resume_lost_jobs, serve_app
from core.db import upgrade
from core.onboarding import apply_inventory, load_inventory
from core.runtime import Runtime
from courrier import demo as courrier_demo
from ged.demo.load import load_demo_documents
from supervision import demo as supervision_demo

CREDENTIALS_FILE = "demo-identifiants.txt"


def demo_inventory_path() -> Path:
    """The demo inventory shipped with the package; it also documents the inventory format."""
    return Path(str(resources.files("core") / "data" / "demo-ministere.yaml"))


def _fill(rt: Runtime) -> None:
    """Documents and a few months of courrier traffic, once (both add nothing the second time)."""
    with rt.session() as session:
        added = load_demo_documents(session)
    if added:
        click.echo(f"GED : {added} documents de démonstration ajoutés (lecture en arrière-plan).")
    with rt.session() as session:
        for line in courrier_demo.generate_traffic(session).lines():
            click.echo(line)


def _remember(path: Path, passwords: list[tuple[str, str]]) -> None:
    """Keep the one-time passwords of the demo users, readable by their owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        for login, password in passwords:
            fh.write(f"{login}\t{password}\n")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option("--no-serve", is_flag=True, help="Prépare l'instance sans lancer le serveur.")
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Crée le ministère de démonstration dans ./instance et lance le serveur."""
    rt = runtime()
    upgrade(rt.settings.database_url, engine=rt.engine)
    resume_lost_jobs(rt)  # an earlier demo's: before the new demo's jobs, so none runs twice
    inventory = load_inventory(demo_inventory_path())
    with rt.session() as session:
        report = apply_inventory(session, inventory, actor_name="demo")
    for line in report.lines():
        click.echo(line)
    _fill(rt)
    credentials = rt.settings.instance_dir / CREDENTIALS_FILE
    if report.passwords:
        _remember(credentials, report.passwords)
    if credentials.exists():
        click.echo(
            "\nIdentifiants de démonstration (mot de passe provisoire, à changer à la "
            f"première connexion ; copie dans {credentials}) :"
        )
        for line in credentials.read_text(encoding="utf-8").splitlines():
            click.echo(f"  {line}")
    if no_serve:
        return
    app = create_app(runtime=rt)
    simulator = connectors_demo.start(rt, port=0, app_url=f"http://{host}:{port}")
    click.echo(f"Simulateur du portail national : {simulator.url}/citoyen/")
    supervision_demo.start_generator(rt)
    serve_app(app, host, port, threads=8)


COMMANDS = [demo_command]
