"""A forgotten password: by email through a real SMTP server when one is set, a clear page when none is."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.smtp import free_port

pytestmark = pytest.mark.django_db


def test_without_a_mail_server_the_page_says_who_can_help(client, member, settings):
    settings.EMAIL_HOST = ""
    assert "manage.py changepassword" in client.get(reverse("account_reset_password")).content.decode()
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response.status_code == 200 and "cannot mail you a reset link" in response.content.decode()


def test_reset_by_mail_through_a_real_smtp_server(client, member, smtp):
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "alice@example.org"
    body = smtp.messages[0].get_body(("plain",)).get_content()
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", body).group(1)
    form = client.get(link, follow=True)
    action = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = client.post(action, {"password1": "a brand new long password 8", "password2": "a brand new long password 8"})
    assert done.status_code == 302
    client.post(reverse("account_logout"))
    signed_in = client.post(reverse("account_login"), {"login": "alice", "password": "a brand new long password 8"})
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("dashboard")


def test_a_mail_server_that_is_down_gets_a_message_not_an_error(client, member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"}, follow=True)
    assert response.status_code == 200 and "The mail server did not take the message" in response.content.decode()


def _add_address(client, address="alice.second@example.org", **extra):
    return client.post(reverse("account_email"), {"action_add": "", "email": address, **extra}, follow=True)


def test_adding_an_address_without_a_mail_server_says_so_and_saves_nothing(client, member, settings):
    from allauth.account.models import EmailAddress

    from tests.people import sign_in

    settings.EMAIL_HOST = ""
    sign_in(client, member)
    assert client.get(reverse("account_email")).status_code == 200
    before = list(EmailAddress.objects.values_list("email", flat=True))
    response = _add_address(client)
    assert response.status_code == 200 and "cannot confirm a new address by mail" in response.content.decode()
    assert list(EmailAddress.objects.values_list("email", flat=True)) == before
    assert not EmailAddress.objects.filter(email="alice.second@example.org").exists()


def test_adding_an_address_when_the_mail_server_is_down_saves_nothing(client, member, settings):
    from allauth.account.models import EmailAddress

    from tests.people import sign_in

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    sign_in(client, member)
    response = _add_address(client)
    assert response.status_code == 200 and "The mail server did not take the message" in response.content.decode()
    assert not EmailAddress.objects.filter(email="alice.second@example.org").exists()


def test_adding_an_address_with_a_mail_server_sends_the_confirmation(client, member, smtp):
    from allauth.account.models import EmailAddress

    from tests.people import sign_in

    sign_in(client, member)
    _add_address(client)
    assert EmailAddress.objects.filter(email="alice.second@example.org").exists()
    assert [m["To"] for m in smtp.messages] == ["alice.second@example.org"]
