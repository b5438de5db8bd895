"""What every command shares: the runtime built from the environment."""

from __future__ import annotations

from functools import cache

from core.runtime import Runtime, build_runtime
from core.settings import ensure_secret_key, load_settings


@cache
def runtime() -> Runtime:
    return build_runtime(ensure_secret_key(load_settings()))
