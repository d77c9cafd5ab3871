"""The account page's "silence this account's alerts" form, drawn by notify so msaccounts needs no
knowledge of alerts."""

from __future__ import annotations

from django import template
from django.utils import timezone

from notify.models import Snooze

register = template.Library()


@register.inclusion_tag("notify/_snooze.html", takes_context=True)
def snooze_form(context, account):
    member = context.get("member")
    mine = member is not None and account.member_id == member.pk
    snooze = Snooze.objects.filter(account=account, until__gt=timezone.now()).select_related("member").first()
    return {
        "account": account,
        "mine": mine,
        "snooze": snooze,
        "days": Snooze.DAYS,
        "csrf_token": context.get("csrf_token"),
    }
