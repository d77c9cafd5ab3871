"""manage.py accounts --json [--owner USERNAME]: one JSON line per account, the same as the pages."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from incidents.models import Incident
from msaccounts import checklist
from tests.accounts_data import MARC_CODE, NIGHT, PETER_CODE, delivered_to
from tests.findings import arrive

pytestmark = pytest.mark.django_db


def run(*args) -> list[dict]:
    out = io.StringIO()
    call_command("accounts", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_each_account_is_one_line_with_its_state_waves_and_checklist(member, other_member):
    arrive(member, NIGHT, mail=PETER_CODE)
    arrive(member, NIGHT + timedelta(days=2), mail=PETER_CODE)
    arrive(other_member, NIGHT, mail=delivered_to(MARC_CODE, "family@example.net"))
    lines = run("--json")
    assert [(line["member"], line["address"], line["resolved"]) for line in lines] == [
        ("alice", "peter.weber@example.com", True),
        ("bob", "ma**s@example.org", False),
    ]
    peter = lines[0]
    open_wave = Incident.objects.filter(account__address="peter.weber@example.com").order_by("-opened_at").first()
    assert peter == {
        "member": "alice",
        "address": "peter.weber@example.com",
        "resolved": True,
        "state": "quiet since 22 Nov 2026",
        "waves": 2,
        "codes_total": 2,
        "first_seen": "2026-11-20T02:00:00Z",
        "last_seen": "2026-11-22T02:00:00Z",
        "kind": "personal",  # Microsoft account team mail: a personal account's six steps
        "checklist": dict.fromkeys(checklist.STEP_KEYS, "to_do"),
        # Nothing marked and no notice of a change: no evidence either way (tests/test_evidence_scenario.py).
        "evidence": dict.fromkeys(checklist.STEP_KEYS, {"evidence": "none", "source": None}),
        "open_incident": str(open_wave.code),
    }
    assert [line["address"] for line in run("--json", "--owner", "bob")] == ["ma**s@example.org"]


def test_bad_arguments_say_what_is_wrong(member):
    with pytest.raises(CommandError, match="Say --json"):
        run()
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        run("--json", "--owner", "nobody")
