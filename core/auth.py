"""Passwords, login with a temporary lock after repeated failures, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core import audit
from core.db import Base, UTCDateTime, utcnow
from core.errors import AccountLocked, AuthenticationFailed, NotFound, ValidationError
from core.identity import User, user_by_login
from core.throttle import Throttle

PASSWORD_MIN_LENGTH = 10
# A chosen password gets scrypt at its full cost. A one-time password is 72 random bits that
# nobody chose, so a cheap salted scrypt is as strong as it needs to be and onboarding 2,000
# users stays fast.
CHOSEN_PASSWORD_METHOD = "scrypt:32768:8:1"
ONE_TIME_PASSWORD_METHOD = "scrypt:1024:8:1"
TOKEN_PREFIX = "atd_"


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


def new_one_time_password() -> str:
    return secrets.token_urlsafe(9)


def hash_one_time_password(password: str) -> str:
    return generate_password_hash(password, method=ONE_TIME_PASSWORD_METHOD)


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash or "", password)


def authenticate(session: Session, throttle: Throttle, login: str, password: str) -> User:
    """Return the active user whose login and password match.

    A failure is counted in the throttle, not the database, so a failed login changes no row.

    Raises:
        AccountLocked: too many recent failures for this login.
        AuthenticationFailed: unknown login, inactive account or wrong password.
    """
    key = f"login:{login.strip().lower()}"
    if throttle.is_locked(key):
        raise AccountLocked(
            "Trop de tentatives échouées : le compte est bloqué temporairement. "
            "Réessayez plus tard."
        )
    user = user_by_login(session, login.strip())
    if user is None or not user.active or not check_password(user, password):
        throttle.fail(key)
        raise AuthenticationFailed("Identifiant ou mot de passe incorrect.")
    throttle.reset(key)
    user.last_login_at = utcnow()
    audit.record(session, user, "utilisateur.connecte", "utilisateur", user.id, user.entity_id)
    return user


def validate_new_password(user: User, new: str, confirm: str) -> None:
    if new != confirm:
        raise ValidationError("Les deux saisies du nouveau mot de passe ne sont pas identiques.")
    if len(new) < PASSWORD_MIN_LENGTH:
        raise ValidationError(
            f"Le nouveau mot de passe doit compter au moins {PASSWORD_MIN_LENGTH} caractères."
        )
    if new.strip().lower() == user.login.lower():
        raise ValidationError("Le mot de passe ne peut pas être l'identifiant.")
    if check_password(user, new):
        raise ValidationError("Le nouveau mot de passe doit être différent de l'actuel.")


def change_password(session: Session, user: User, current: str, new: str, confirm: str) -> None:
    """Change the user's password after checking the current one; ends other sessions."""
    if not check_password(user, current):
        raise ValidationError("Le mot de passe actuel est incorrect.")
    validate_new_password(user, new, confirm)
    user.password_hash = generate_password_hash(new, method=CHOSEN_PASSWORD_METHOD)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    user.session_epoch += 1
    audit.record(
        session, user, "utilisateur.mot_de_passe_change", "utilisateur", user.id, user.entity_id
    )


def token_digest(token: str) -> str:
    """What is stored of an API token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, login: str, name: str, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the user; the clear token is returned once and never stored."""
    user = user_by_login(session, login)
    if user is None:
        raise NotFound(f"Utilisateur inconnu : {login}")
    if not user.active:
        raise ValidationError(f"L'utilisateur {login} est désactivé.")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_digest(clear))
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "jeton.cree",
        "jeton",
        token.id,
        user.entity_id,
        {"utilisateur": user.login, "nom": name},
        actor_name="cli",
    )
    return token, clear


def revoke_token(session: Session, token_id: int, actor: User | None = None) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"Jeton inconnu : {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            actor,
            "jeton.revoque",
            "jeton",
            token.id,
            token.user.entity_id,
            {"utilisateur": token.user.login},
            actor_name="cli",
        )
    return token


def user_for_token(session: Session, clear: str) -> User | None:
    """The active user owning this unrevoked token, or None."""
    if not clear.startswith(TOKEN_PREFIX):
        return None
    # The user comes in the same statement: every API request makes this lookup.
    token = session.scalars(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == token_digest(clear))
    ).one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token.user


def tokens_of(session: Session, login: str) -> list[ApiToken]:
    user = user_by_login(session, login)
    if user is None:
        raise NotFound(f"Utilisateur inconnu : {login}")
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )
