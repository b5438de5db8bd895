"""What every command shares: one runtime per invocation, built from the environment."""

from __future__ import annotations

import click

from core.runtime import Runtime, build_runtime
from core.settings import ensure_secret_key, load_settings

_KEY = "atd.runtime"


def runtime() -> Runtime:
    """The runtime of the running command, built on first use and closed when it ends."""
    root = click.get_current_context().find_root()
    rt = root.meta.get(_KEY)
    if rt is None:
        rt = root.meta[_KEY] = build_runtime(ensure_secret_key(load_settings()))
        root.call_on_close(rt.close)
    return rt
