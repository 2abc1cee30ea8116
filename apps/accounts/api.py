"""/api/v1/auth: bearer tokens (log in, refresh, log out) and the user's devices (list, revoke one or all)."""

from datetime import datetime

from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer

from apps.accounts import tokens


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <access token>``. A missing header lets the next method (the session) try; a
    present but bad token is a 401 saying why (expired, revoked, invalid)."""

    def authenticate(self, request, token):
        return tokens.authenticate(request, token)


bearer_auth = BearerAuth()
router = Router(tags=["auth"])


class LoginIn(Schema):
    login: str = Field(..., min_length=1, max_length=254, description="Username or email address.")
    password: str = Field(..., min_length=1, max_length=4096)
    device: str = Field("", max_length=tokens.DEVICE_NAME_MAX, description="A name for this device or client.")


class RefreshIn(Schema):
    refresh_token: str = Field(..., min_length=1, max_length=4096)


class TokenPairOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int = Field(..., description="Seconds the access token is valid.")
    refresh_expires_in: int = Field(..., description="Seconds the refresh token is valid.")


class DeviceOut(Schema):
    id: int
    kind: str = Field(..., description="api (a token login) or browser")
    name: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class ErrorOut(Schema):
    detail: str
    code: str


def _fail(exc: tokens.TokenError):
    return exc.status, {"detail": exc.message, "code": exc.code}


@router.post("/token", auth=None, response={200: TokenPairOut, 401: ErrorOut, 429: ErrorOut})
def log_in(request, payload: LoginIn):
    """Exchange a username/email and password for an access and a refresh token (a new device)."""
    try:
        return tokens.log_in(request, login=payload.login, password=payload.password, device=payload.device)
    except tokens.TokenError as exc:
        return _fail(exc)


@router.post("/refresh", auth=None, response={200: TokenPairOut, 401: ErrorOut})
def refresh(request, payload: RefreshIn):
    """A new token pair; the refresh token sent is used up. Sending a used one again ends the device's session."""
    try:
        return tokens.refresh(request, payload.refresh_token)
    except tokens.TokenError as exc:
        return _fail(exc)


@router.post("/logout", auth=bearer_auth, response={204: None})
def log_out(request):
    """End this token's session: its access and refresh tokens stop working."""
    tokens.log_out(request)
    return 204, None


def _device_out(device, current_key) -> dict:
    data = device.data or {}
    return {
        "id": device.pk,
        "kind": data.get("kind", "browser"),
        "name": data.get("device") or device.user_agent or "Unknown",
        "ip": device.ip,
        "created_at": device.created_at,
        "last_seen_at": device.last_seen_at,
        "current": device.session_key == current_key,
    }


def _current_key(request):
    return getattr(request, "token_session_key", None) or request.session.session_key


@router.get("/devices", response=list[DeviceOut])
@paginate(PageNumberPagination, page_size=50)
def list_devices(request):
    """Every signed-in session of yours: browsers and API clients, most recently used first."""
    current = _current_key(request)
    return [_device_out(d, current) for d in tokens.devices(request.user)]


@router.delete("/devices/{device_id}", response={204: None, 404: ErrorOut})
def revoke_device(request, device_id: int):
    """Sign a device out (its tokens stop working at once)."""
    if not tokens.revoke(actor=request.user, device_id=device_id):
        return 404, {"detail": "No such device.", "code": "not_found"}
    return 204, None


@router.delete("/devices", response={200: dict})
def revoke_all_devices(request):
    """Sign out every other device and session of yours."""
    return {"revoked": tokens.revoke_all(actor=request.user, keep_session_key=_current_key(request))}
