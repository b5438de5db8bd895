"""Typed settings read once from ``ATD_*`` environment variables and an optional TOML file."""

from __future__ import annotations

import math
import os
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from core.errors import ConfigError

SEARCH_BACKENDS = ("db", "elasticsearch")


@dataclass(frozen=True)
class Settings:
    """Everything the toolkit can be configured with; defaults are the embedded setup."""

    database_url: str = "sqlite:///instance/atd.db"
    storage_dir: Path = Path("instance/files")
    instance_dir: Path = Path("instance")
    redis_url: str | None = None
    search: str = "db"
    elasticsearch_url: str | None = None
    secret_key: str = ""
    workers: int = 2
    ocr_lang: str = "fra"
    max_upload_mb: int = 50
    max_image_pixels: int = 80_000_000
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    secure_cookies: bool = False
    session_hours: int = 12
    job_max_attempts: int = 5
    job_backoff_seconds: float = 2.0
    # rq cuts a job running longer (180 s by default there): a scan of a few hundred pages
    # takes longer. 0: no limit.
    job_timeout_seconds: int = 7200
    queue_name: str = "atd"
    smtp_url: str | None = None
    # Connectors (connectors/): the national portal, the scanner hot folder, the mailbox.
    portal_url: str | None = None
    portal_token: str = ""
    portal_webhook_secret: str = ""
    portal_timeout_seconds: float = 10.0
    portal_max_attempts: int = 10
    portal_backoff_seconds: float = 30.0
    portal_pull_minutes: int = 5
    intake_dir: Path | None = None
    imap_url: str | None = None
    imap_minutes: int = 5
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def uses_redis(self) -> bool:
        return bool(self.redis_url)


def _as_int(name: str, raw: Any) -> int:
    try:
        # Through str, so that 2.7 or true in a TOML file are refused instead of truncated.
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ConfigError(f"{name} doit être un nombre entier (reçu {raw!r})") from None
    if value < 0:
        raise ConfigError(f"{name} doit être positif ou nul (reçu {raw!r})")
    return value


def _as_float(name: str, raw: Any) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} doit être un nombre (reçu {raw!r})") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} doit être un nombre fini (reçu {raw!r})")
    if value < 0:
        raise ConfigError(f"{name} doit être positif ou nul (reçu {raw!r})")
    return value


def _as_bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "oui", "on"}:
        return True
    if text in {"0", "false", "no", "non", "off", ""}:
        return False
    raise ConfigError(f"{name} doit valoir true ou false (reçu {raw!r})")


def _as_database_url(name: str, raw: Any) -> str:
    url = str(raw).strip()
    if not url.startswith(("sqlite:", "postgresql", "postgres://")):
        raise ConfigError(
            f"{name} doit être une URL sqlite:/// ou postgresql+psycopg:// (reçu {url!r})"
        )
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _as_search(name: str, raw: Any) -> str:
    value = str(raw).strip().lower()
    if value not in SEARCH_BACKENDS:
        raise ConfigError(f"{name} doit valoir {' ou '.join(SEARCH_BACKENDS)} (reçu {raw!r})")
    return value


def _as_redis_url(name: str, raw: Any) -> str | None:
    url = str(raw).strip()
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"{name} doit être une URL redis:// (reçu {url!r})")
    return url


def _as_smtp_url(name: str, raw: Any) -> str | None:
    url = str(raw).strip()
    if not url:
        return None
    if not url.startswith(("smtp://", "smtps://")):
        raise ConfigError(f"{name} doit être une URL smtp:// ou smtps:// (reçu {url!r})")
    return url


def _as_imap_url(name: str, raw: Any) -> str | None:
    url = str(raw).strip()
    if not url:
        return None
    if not url.startswith(("imap://", "imaps://")):
        raise ConfigError(f"{name} doit être une URL imaps:// ou imap:// (reçu {url!r})")
    return url


def _as_optional_str(name: str, raw: Any) -> str | None:
    return str(raw).strip() or None


Parser = Callable[[str, Any], Any]

# One line per setting: its environment variable is ATD_<NAME>, documented in the README.
PARSERS: dict[str, Parser] = {
    "database_url": _as_database_url,
    "storage_dir": lambda _n, raw: Path(raw),
    "instance_dir": lambda _n, raw: Path(raw),
    "redis_url": _as_redis_url,
    "search": _as_search,
    "elasticsearch_url": _as_optional_str,
    "secret_key": lambda _n, raw: str(raw),
    "workers": _as_int,
    "ocr_lang": lambda _n, raw: str(raw),
    "max_upload_mb": _as_int,
    "max_image_pixels": _as_int,
    "login_max_failures": _as_int,
    "login_lock_minutes": _as_int,
    "secure_cookies": _as_bool,
    "session_hours": _as_int,
    "job_max_attempts": _as_int,
    "job_backoff_seconds": _as_float,
    "job_timeout_seconds": _as_int,
    "queue_name": lambda _n, raw: str(raw),
    "smtp_url": _as_smtp_url,
    "portal_url": _as_optional_str,
    "portal_token": lambda _n, raw: str(raw),
    "portal_webhook_secret": lambda _n, raw: str(raw),
    "portal_timeout_seconds": _as_float,
    "portal_max_attempts": _as_int,
    "portal_backoff_seconds": _as_float,
    "portal_pull_minutes": _as_int,
    "intake_dir": lambda _n, raw: Path(raw) if str(raw).strip() else None,
    "imap_url": _as_imap_url,
    "imap_minutes": _as_int,
}


def env_name(key: str) -> str:
    return f"ATD_{key.upper()}"


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"ATD_CONFIG : fichier introuvable {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"ATD_CONFIG : {path} n'est pas un TOML valide ({exc})") from None
    table = data.get("atd", data)
    unknown = sorted(set(table) - set(PARSERS))
    if unknown:
        raise ConfigError(f"ATD_CONFIG : clé inconnue {unknown[0]!r} dans {path}")
    return dict(table)


def _secret_from_file(env: Mapping[str, str], key: str) -> str | None:
    """``ATD_X_FILE`` names a file holding the value of ``ATD_X`` (for secrets)."""
    path = env.get(env_name(key) + "_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        message = f"{env_name(key)}_FILE : lecture impossible de {path} ({exc.strerror})"
        raise ConfigError(message) from None


def load_settings(
    env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Build the settings from the environment, the TOML file and explicit overrides.

    Args:
        env: the environment to read (``os.environ`` by default).
        overrides: values that win over everything else (tests pass a dict here).

    Raises:
        ConfigError: naming the variable whose value is wrong.
    """
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    if env.get("ATD_CONFIG"):
        raw.update(_read_toml(env["ATD_CONFIG"]))
    for key in PARSERS:
        from_file = _secret_from_file(env, key)
        if from_file is not None:
            raw[key] = from_file
        elif env_name(key) in env:
            raw[key] = env[env_name(key)]
    extra: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if key in PARSERS:
            raw[key] = value
        else:
            extra[key] = value
    values: dict[str, Any] = {
        key: PARSERS[key](env_name(key), value) for key, value in raw.items() if value is not None
    }
    settings = Settings(**values, extra=extra)
    if settings.search == "elasticsearch" and not settings.elasticsearch_url:
        raise ConfigError("ATD_ELASTICSEARCH_URL est requis quand ATD_SEARCH=elasticsearch")
    return settings


def ensure_secret_key(settings: Settings) -> Settings:
    """Return settings with a secret key, generated once into the instance folder when unset."""
    if settings.secret_key:
        return settings
    path = settings.instance_dir / "secret_key"
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _publish_secret(path, secrets.token_urlsafe(48))
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ConfigError(f"ATD_SECRET_KEY : {path} est vide (supprimez-le pour en générer un)")
    return replace(settings, secret_key=key)


def _publish_secret(path: Path, key: str) -> None:
    """Write ``key`` to ``path`` (mode 0600) unless another process got there first.

    The key is written to a private file and then linked into place, so a concurrent reader
    never sees a created but still empty file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process generated it first: use theirs
    finally:
        tmp.unlink(missing_ok=True)
