"""The OpenAPI 3.1 description at /api/v1/schema: valid, describing every route the URLconf serves
under /api/v1/ (the list comes from the resolver), and true to what each route answers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from accounts.models import Household
from incidents.models import Incident
from tests.api_clients import Reader, make_token
from tests.findings import arrive
from tests.people import join

pytestmark = pytest.mark.django_db
PREFIX = "api/v1/"
NIGHT = (timezone.now() - timedelta(days=1)).replace(hour=2, minute=0)


def served_routes() -> list[str]:
    """Every URL pattern under /api/v1/, as OpenAPI writes a path ("/api/v1/incidents/{code}")."""
    found = []

    def walk(patterns, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)

    for top in get_resolver().url_patterns:
        if str(top.pattern) == PREFIX:
            walk(top.url_patterns, PREFIX)
    assert found, "the project's URLconf has no /api/v1/"
    return ["/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route in found]


@pytest.fixture
def spec(db):
    response = Client().get("/api/v1/schema")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"] == {"TokenAuth": {"type": "http", "scheme": "bearer"}}


def test_the_schema_describes_every_route_under_api_v1(spec):
    described = set(spec["paths"])
    served = served_routes()
    assert described <= set(served), described - set(served)
    reader = Reader(make_token(join(Household.objects.create(name="Home"), "alice")))
    for route in served:
        if route in described:
            operations = spec["paths"][route]
            assert set(operations) == {"get"}, route  # read-only
            assert operations["get"]["security"] == [{"TokenAuth": []}], route
        elif route != "/api/v1/schema":
            # Not described: then it is no route, only the JSON answer to a path that matches none.
            answer = reader.get(route)
            assert answer.status_code == 404 and set(answer.json()) == {"detail"}, route


def test_each_route_answers_as_its_schema_says(spec):
    household = Household.objects.create(name="Home")
    admin = join(household, "adam", "admin")
    arrive(join(household, "alice"), NIGHT)  # in quiet hours: an incident, so /incidents/{code} has one to read
    reader = Reader(make_token(admin))
    incident = Incident.objects.get()
    for route, operations in spec["paths"].items():
        url = route.replace("{code}", str(incident.code))
        answer = reader.get(url)
        assert answer.status_code == 200, url
        schema = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        OAS31Validator({**schema, "components": spec["components"]}).validate(answer.json())
        error = operations["get"]["responses"]["401"]["content"]["application/json"]["schema"]
        refused = Client().get(url)
        OAS31Validator({**error, "components": spec["components"]}).validate(refused.json())
