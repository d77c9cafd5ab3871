"""'I'm done signing in' ends the person's own sign-in window early: codes after it are asked about
again, codes inside it keep their answer, other people's windows stay open, and it is in the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import triage
from incidents.models import AuditEvent, SignInWindow
from scanner.models import Finding
from tests.findings import arrive
from tests.people import never_quiet, sign_in

pytestmark = pytest.mark.django_db
S = Finding.Status


@pytest.fixture
def alice(client, member):
    never_quiet(member)  # codes at the wall clock's time are then the window's business alone
    return sign_in(client, member)


def test_the_button_shows_while_the_window_is_open_and_ends_it(alice, member):
    assert "I'm done signing in" not in alice.get(reverse("codes")).content.decode()
    alice.post(reverse("sign_in_window"), {"next": reverse("codes")})
    page = alice.get(reverse("codes")).content.decode()
    assert "I'm done signing in" in page and f'action="{reverse("sign_in_window_end")}"' in page
    inside = arrive(member, timezone.now() - timedelta(seconds=5))
    assert Finding.objects.get(pk=inside.pk).status == S.EXPECTED

    response = alice.post(reverse("sign_in_window_end"), {"next": reverse("codes")}, follow=True)
    assert response.redirect_chain == [(reverse("codes"), 302)]
    page = response.content.decode()
    assert "Sign-in window closed" in page and "I'm about to sign in to Microsoft" in page
    assert triage.open_window_for(member.member) is None
    after = arrive(member, timezone.now() + timedelta(seconds=1))
    assert Finding.objects.get(pk=after.pk).status == S.PENDING  # asked again
    assert Finding.objects.get(pk=inside.pk).status == S.EXPECTED  # kept
    event = AuditEvent.objects.get(action="window.closed")
    assert event.actor == member and event.summary.startswith("Alice is done signing in: the window meant to last")
    assert event.household_id == member.member.household_id


def test_only_the_persons_own_window_ends(alice, member, other_member):
    bobs = triage.open_window(other_member.member, other_member)
    triage.open_window(member.member, member)
    triage.open_window(member.member, member)  # a double click opens two: both end
    alice.post(reverse("sign_in_window_end"))
    assert not SignInWindow.objects.filter(member=member.member, ends_at__gt=timezone.now()).exists()
    assert triage.open_window_for(other_member.member) == bobs
    assert AuditEvent.objects.filter(action="window.closed").count() == 1


def test_with_no_window_open_it_says_so_and_logs_nothing(alice):
    response = alice.post(reverse("sign_in_window_end"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("me")  # never off the site
    page = alice.get(reverse("me")).content.decode()
    assert "Your sign-in window had already ended" in page
    assert not AuditEvent.objects.filter(action="window.closed").exists()


def test_it_takes_a_signed_in_member_and_a_post(alice, member):
    triage.open_window(member.member, member)
    assert alice.get(reverse("sign_in_window_end")).status_code == 405
    anonymous = Client().post(reverse("sign_in_window_end"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    forged = sign_in(Client(enforce_csrf_checks=True), member)  # a page elsewhere cannot end it for them
    assert forged.post(reverse("sign_in_window_end")).status_code == 403
    assert triage.open_window_for(member.member) is not None
