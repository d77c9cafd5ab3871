"""All outgoing mail: one helper renders a subject, a text and an HTML template and sends them with
the OTPDASH_SMTP_* settings; what went wrong last is kept for the admins' banner.

Templates come in threes: `<name>_subject.txt`, `<name>.txt`, `<name>.html`.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import socket

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .times import zoned

log = logging.getLogger(__name__)
_FAILURE_KEY = "otpdash:mail:last_failure"


class MailUnavailable(Exception):
    """No mail could be sent: no server set up, or the server refused or could not be reached."""


def configured() -> bool:
    return bool(settings.EMAIL_HOST)


def absolute(path: str) -> str:
    """A link for a mail: mail is sent by background tasks, which have no request to take a host from."""
    return settings.BASE_URL.rstrip("/") + path


def render(name: str, context: dict, language: str | None = None) -> tuple[str, str, str]:
    """The three parts in the recipient's language when given, else in the one active now."""
    context = {"base_url": settings.BASE_URL.rstrip("/"), **context}
    with translation.override(language) if language else contextlib.nullcontext():
        # Subject and text through the "text" engine, without HTML escaping ("Bella & Co", not "&amp;").
        subject = " ".join(render_to_string(f"{name}_subject.txt", context, using="text").split())
        text = render_to_string(f"{name}.txt", context, using="text")
        return subject, text, render_to_string(f"{name}.html", context, using="django")


def send(name: str, context: dict, to: str, headers: dict | None = None, language: str | None = None) -> None:
    """Render and send one mail; raises MailUnavailable (and remembers why) when it cannot go."""
    if not configured():
        raise MailUnavailable("no mail server is set up (OTPDASH_SMTP_HOST)")
    subject, text, html = render(name, context, language)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        why = f"{type(exc).__name__}: {exc}"[:300]
        cache.set(_FAILURE_KEY, {"at": timezone.now(), "why": why}, None)
        log.warning("Sending mail failed: %s", why)
        raise MailUnavailable(why) from None
    cache.delete(_FAILURE_KEY)


def problem() -> str | None:
    """Why mail is not going out, in words, for the admins' banner; None when all is well."""
    if not configured():
        return _(
            "Email is not set up: alerts, weekly digests, invitations and password resets cannot be mailed. "
            "Set OTPDASH_SMTP_HOST (and OTPDASH_SMTP_USER, OTPDASH_SMTP_PASSWORD, OTPDASH_MAIL_FROM)."
        )
    failure = cache.get(_FAILURE_KEY)
    if failure:
        when = zoned(failure["at"])
        failed = {"when": when, "why": failure["why"]}
        return _("Sending email failed at %(when)s: %(why)s. Check the OTPDASH_SMTP_* settings.") % failed
    return None
