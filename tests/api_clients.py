"""API test clients: a Django test client carrying a real bearer token of a user (apps/accounts/tokens.py)."""

from django.test import Client, RequestFactory


def token_client(user, password) -> Client:
    from apps.accounts import tokens

    pair = tokens.log_in(RequestFactory().post("/api/v1/auth/token"), login=user.username, password=password)
    return Client(HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
