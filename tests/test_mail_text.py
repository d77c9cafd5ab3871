"""Subjects and text parts of our mails are plain text: nothing in them is HTML-escaped, while the
HTML part still is. Sent through a real SMTP server (aiosmtpd) and read back as a mail client would."""

from __future__ import annotations

import pytest

from accounts.models import Household, Invitation
from otpdash import mail
from tests.people import join

pytestmark = pytest.mark.django_db

NAME = 'Bella & Co <"Kids\'">'  # invented: a household name with every character HTML escapes


def test_an_invitation_reads_as_written_in_the_subject_and_text_and_is_escaped_in_html(smtp):
    household = Household.objects.create(name=NAME)
    inviter = join(household, "bella", "owner").member
    invitation = Invitation.objects.create(household=household, email="new@example.org")
    mail.send("accounts/invitation", {"invitation": invitation, "link": "https://x.test/j/", "inviter": inviter},
              to=invitation.email)  # fmt: skip
    (message,) = smtp.messages
    assert message["Subject"] == f"Bella invites you to {NAME} on OTP Dash"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert NAME in text and "&amp;" not in text and "&lt;" not in text
    assert "Bella &amp; Co &lt;&quot;Kids&#x27;&quot;&gt;" in html and NAME not in html
