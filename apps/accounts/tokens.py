"""Bearer tokens for the JSON API, on django-allauth's headless JWT strategy with stateful validation.

Every token login is its own Django session (a "device", listed through ``allauth.usersessions``): the access
token (15 min) and the refresh token (7 days) carry that session's id, and each access token is checked against
the session on every request, so ending the session (logout, "revoke" on the profile page, "revoke all")
stops its tokens at once. Refresh tokens rotate on use; a refresh token that was already rotated away coming
back is treated as stolen and ends the whole session (the token family), as OAuth 2.0 Security BCP §4.14.2 asks.
"""

from datetime import timedelta

import jwt as pyjwt
from allauth.account.adapter import get_adapter
from allauth.core import context
from allauth.headless.internal.sessionkit import lookup_session, new_session
from allauth.headless.tokens.strategies.jwt import internal
from allauth.headless.tokens.strategies.jwt.strategy import JWTTokenStrategy
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

LAST_SEEN_EVERY = timedelta(seconds=60)
DEVICE_NAME_MAX = 80


class TokenError(Exception):
    """A token request that must be refused; ``code`` is the API error code."""

    def __init__(self, message: str, code: str, status: int = 401):
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def _strategy() -> JWTTokenStrategy:
    return JWTTokenStrategy()


def _pair(access: str, refresh: str) -> dict:
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",  # noqa: S105 - the scheme name
        "expires_in": settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN,
        "refresh_expires_in": settings.HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN,
    }


def log_in(request, *, login: str, password: str, device: str = "") -> dict:
    """Check the credentials (allauth's adapter: its failed-login rate limit applies) and open a device session
    with a fresh token pair."""
    adapter = get_adapter(request)
    field = "email" if "@" in login else "username"
    try:
        user = adapter.authenticate(request, **{field: login, "password": password})
    except ValidationError as exc:  # allauth's "too many failed login attempts"
        raise TokenError(" ".join(exc.messages), "rate_limited", status=429) from None
    if user is None or not user.is_active:
        raise TokenError("Wrong username/email or password.", "invalid_credentials")
    session = new_session()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = user.backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    with context.request_context(request):
        access = internal.create_access_token(user, session, _strategy().get_claims(user))
        refresh = internal.create_refresh_token(user, session)
        session.save()
        UserSession.objects.create_from_request(request, user=user, session=session)
    name = (device or request.headers.get("User-Agent", "") or "API client")[:DEVICE_NAME_MAX]
    UserSession.objects.filter(session_key=session.session_key).update(data={"kind": "api", "device": name})
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return _pair(access, refresh)


def refresh(request, refresh_token: str) -> dict:
    """A new pair for a refresh token, rotating it. The session row is locked so two refreshes with one token
    cannot both succeed."""
    payload = internal.decode_token(refresh_token, "refresh")
    if payload is None:
        raise TokenError(*_why_invalid(refresh_token, "refresh"))
    session_key = internal.session_key_from_sid(payload["sid"])
    reused = False
    with transaction.atomic():
        if not session_key or not Session.objects.select_for_update().filter(session_key=session_key).exists():
            raise TokenError("This session was ended; log in again.", "token_revoked")
        with context.request_context(request):
            pair = _strategy().refresh_token(refresh_token)
        if pair is None:
            session = lookup_session(session_key)
            reused = session is not None and payload["jti"] not in internal.get_refresh_token_state(session)
    if pair is not None:
        return _pair(*pair)
    if reused:
        _end(session_key)
        raise TokenError(
            "This refresh token was already used: the session was ended for safety. Log in again.", "token_reused"
        )
    raise TokenError("This refresh token is no longer valid; log in again.", "token_invalid")


def _why_invalid(token: str, use: str) -> tuple[str, str]:
    """Only tells an expired token from a bad one (for the client's benefit); never used to trust a token."""
    try:
        claims = pyjwt.decode(token, options={"verify_signature": False})
    except pyjwt.PyJWTError:
        return "Not a valid token.", "token_invalid"
    if claims.get("token_use") != use:
        return f"Not a {use} token.", "token_invalid"
    if isinstance(claims.get("exp"), int | float) and claims["exp"] <= timezone.now().timestamp():
        if use == "access":
            return "The access token expired; refresh it.", "token_expired"
        return "The refresh token expired; log in again.", "token_expired"
    return "Not a valid token.", "token_invalid"


def authenticate(request, access_token: str):
    """The user of a bearer access token (checked against its live session), or TokenError."""
    result = internal.validate_access_token(access_token)
    if result is None:
        message, code = _why_invalid(access_token, "access")
        if code == "token_invalid" and internal.decode_token(access_token, "access") is not None:
            message, code = "This session was ended; log in again.", "token_revoked"
        raise TokenError(message, code)
    request.user = result.user
    request.token_session_key = result.session.session_key
    # "Last used" on the profile page, written at most once a minute per device.
    now = timezone.now()
    UserSession.objects.filter(session_key=result.session.session_key, last_seen_at__lt=now - LAST_SEEN_EVERY).update(
        last_seen_at=now
    )
    return result.user


def log_out(request) -> None:
    _end(request.token_session_key)


def _end(session_key: str) -> None:
    Session.objects.filter(session_key=session_key).delete()
    UserSession.objects.filter(session_key=session_key).delete()


def devices(user) -> list[UserSession]:
    """The user's live sessions (browsers and API clients), most recently used first; ended ones are purged."""
    live = UserSession.objects.purge_and_list(user)
    return sorted(live, key=lambda s: s.last_seen_at, reverse=True)


def revoke(*, actor, device_id: int) -> bool:
    device = UserSession.objects.filter(user=actor, pk=device_id).first()
    if device is None:
        return False
    _end(device.session_key)
    return True


def revoke_all(*, actor, keep_session_key: str | None = None) -> int:
    """Ends every session of the user but ``keep_session_key`` (the browser asking)."""
    ended = 0
    for device in UserSession.objects.filter(user=actor).exclude(session_key=keep_session_key or ""):
        _end(device.session_key)
        ended += 1
    return ended
