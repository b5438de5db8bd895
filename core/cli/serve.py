"""``atd serve``: the web application under a production WSGI server."""

from __future__ import annotations

import click
from flask import Flask

from core.app import create_app
from core.cli.context import runtime
from core.dotted import resolve
from core.runtime import Runtime

# Periodic work (reminders, portal pull, hot folder): each function schedules its own next run.
PERIODIC = ("courrier.jobs.schedule", "connectors.schedule.schedule")
# What the in-process pool lost when its process stopped (readings, indexing), queued again.
RESUMED = ("ged.jobs.resume",)


def start_periodic_jobs(rt: Runtime) -> None:
    """Put the periodic jobs on the in-process pool (rq deployments run them from cron)."""
    for path in PERIODIC:
        resolve(path)(rt)


def resume_lost_jobs(rt: Runtime) -> None:
    """Queue again on the in-process pool what it lost when its process last stopped; call it
    at the process's start, before anything new is queued (rq keeps its jobs in Redis)."""
    if rt.redis is None:
        for path in RESUMED:
            resolve(path)(rt)


def serve_app(app: Flask, host: str, port: int, threads: int) -> None:
    """Serve until interrupted (waitress: pure Python, production grade, no compiler needed)."""
    from waitress import serve

    from core.app import runtime_of_app

    runtime = runtime_of_app(app)
    if runtime.redis is None:
        start_periodic_jobs(runtime)
        click.echo(f"Tâches de fond : pool intégré ({runtime.settings.workers} fils d'exécution).")
    else:
        click.echo("Tâches de fond : files rq sur Redis (lancez « atd worker »).")
    click.echo(f"Serveur prêt : http://{host}:{port}/")
    serve(app, host=host, port=port, threads=threads, ident="atd")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requêtes servies en parallèle.",
)
def serve_command(host: str, port: int, threads: int) -> None:
    """Lance l'application web (et, sans Redis, le pool de tâches intégré)."""
    rt = runtime()
    resume_lost_jobs(rt)
    serve_app(create_app(runtime=rt), host, port, threads)


COMMANDS = [serve_command]
