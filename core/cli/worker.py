"""``atd worker``: runs the background jobs queued in Redis."""

from __future__ import annotations

import click

from core.cli.context import runtime
from core.errors import ConfigError
from core.jobs import run_worker
from core.settings import load_settings

# The modules whose functions the worker runs as jobs (see ``run_worker``'s ``preload``).
JOB_MODULES = ("ged.jobs", "ged.search.jobs", "courrier.jobs", "connectors.schedule",
               "connectors.portal.pull_jobs")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Traite les tâches en attente puis s'arrête.")
def worker_command(burst: bool) -> None:
    """Exécute les tâches de fond (file Redis, rq).

    Lance aussi le planificateur qui remet en file les tâches à reprendre. Sans
    ATD_REDIS_URL, les tâches s'exécutent dans le processus du serveur.
    """
    # Checked before building the runtime, so a refused start writes nothing.
    if not load_settings().redis_url:
        raise ConfigError(
            "ATD_REDIS_URL n'est pas défini : sans Redis, les tâches s'exécutent "
            "dans le processus du serveur (atd serve), aucun worker n'est nécessaire."
        )
    rt = runtime()
    try:
        rt.redis.ping()
    except Exception as exc:  # noqa: BLE001  (any failure to reach Redis means the same here)
        url = rt.settings.redis_url
        raise ConfigError(f"ATD_REDIS_URL : Redis injoignable à {url} ({exc})") from None
    click.echo(f"Worker à l'écoute de la file « {rt.settings.queue_name} ».")
    run_worker(rt, burst=burst, preload=JOB_MODULES)


COMMANDS = [worker_command]
