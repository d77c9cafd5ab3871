"""The "That was me" / "Not me" links of alerts: a GET changes nothing, the POST works once, for 7
days, for its person only, and signs nobody in."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client

from notify import delivery
from notify.models import Alert
from scanner.models import Finding
from tests.accounts_data import NIGHT, PETER_CODE
from tests.findings import arrive
from tests.people import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def links(member, smtp):
    """Alice's alert for one code during quiet hours, sent; its two links as paths."""
    arrive(member, NIGHT, mail=PETER_CODE)
    alert = Alert.objects.get()
    delivery.send_due(now=max(alert.due_at, alert.created_at))
    text = smtp.messages[0].get_body(("plain",)).get_content()
    found = re.search(r"that was me http://localhost:8000(\S+) · not me http://localhost:8000(\S+)", text)
    return {"expected": found.group(1), "unsolicited": found.group(2)}


def test_the_get_only_asks_and_the_post_answers_once_without_signing_in(links, member):
    client = Client()
    finding = Finding.objects.get()
    page = client.get(links["expected"])
    assert page.status_code == 200 and "That was me?" in page.content.decode()
    assert Finding.objects.get().status == finding.status  # a mail scanner following the link changes nothing
    done = client.post(links["expected"])
    assert done.status_code == 200 and "Noted: that was me" in done.content.decode()
    answered = Finding.objects.get()
    assert answered.status == Finding.Status.EXPECTED and answered.status_by == member
    assert client.post(links["expected"]).status_code == 410  # works once
    assert client.get(links["unsolicited"]).status_code == 410  # the pair's other link goes with it
    assert client.get("/me/").status_code == 302  # nobody was signed in


def test_an_altered_or_old_link_does_nothing(links, monkeypatch):
    client = Client()
    altered = links["unsolicited"][:-3] + ("A" if links["unsolicited"][-3] != "A" else "B") + links["unsolicited"][-2:]
    assert client.post(altered).status_code == 400
    later = time.time() + timedelta(days=7, minutes=1).total_seconds()
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    old = client.post(links["unsolicited"])
    assert old.status_code == 410 and "older than 7 days" in old.content.decode()
    assert Finding.objects.get().status == Finding.Status.UNSOLICITED  # as the rules left it (quiet hours)


def test_a_link_followed_by_someone_else_signed_in_is_refused(links, other_member):
    client = sign_in(Client(), other_member)
    refused = client.post(links["expected"])
    text = refused.content.decode()
    assert refused.status_code == 403 and "This link is for someone else" in text and "Alice" not in text
    assert Finding.objects.get().status == Finding.Status.UNSOLICITED
