"""API tokens made the way a person makes them (the profile page), and clients that send them."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from tests.people import sign_in

TOKEN_SHAPE = re.compile(r"otpd_[A-Za-z0-9_-]{43}")


def make_token(user, name: str = "script") -> str:
    """The secret the profile page shows once, after "Make a token"."""
    page = sign_in(Client(), user).post(reverse("api_token_create"), {"name": name})
    assert page.status_code == 200, page.content.decode()[:500]
    found = TOKEN_SHAPE.findall(page.content.decode())
    assert len(set(found)) == 1, found
    return found[0]


class Reader:
    """A program reading the API with one token."""

    def __init__(self, secret: str):
        self.secret = secret
        self.client = Client()

    def get(self, path: str, **headers):
        return self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {self.secret}", **headers)

    def json(self, path: str) -> dict:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:500])
        return response.json()

    def walk(self, path: str) -> list[dict]:
        """Every item of a list route, following `next` to the end."""
        items, url = [], path
        while url:
            page = self.json(url)
            items += page["items"]
            url = page["next"]
        return items
