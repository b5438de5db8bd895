"""``atd worker``: runs the background jobs queued in Redis."""

from __future__ import annotations

import click

from connectors.portal.outbox import PUSH_JOB
from connectors.portal.webhook import PULL_JOB
from core.cli.context import runtime
from core.cli.serve import PERIODIC
from core.errors import ConfigError
from core.jobs import run_worker
from core.settings import load_settings
from ged.search import INDEX_JOB
from ged.service import EXTRACTION_JOB

# The jobs the worker runs, by the names their callers queue them under (``run_worker``'s
# ``preload``); the periodic ones queue the rest from the modules they load.
JOBS = (EXTRACTION_JOB, INDEX_JOB, PULL_JOB, PUSH_JOB, *PERIODIC)


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
    run_worker(rt, burst=burst, preload=JOBS)


COMMANDS = [worker_command]
