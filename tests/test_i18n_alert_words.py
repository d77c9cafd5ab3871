"""Alerts read in their reader's language: each sentence an alert is made of (what happened, the account,
the next step, the code lines, "I'm on it", the question of a new code) is marked for translation, so in
the pseudo-locale no English is left outside ⟦…⟧ but the data (addresses, links, masked codes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as tz

import pytest
from django.utils import translation

from notify.message import compose
from notify.models import Alert
from tests.accounts_data import NIGHT, PETER_CODE
from tests.findings import arrive
from tests.people import never_quiet
from tests.test_i18n_pseudo import PSEUDO, english_left, in_pseudo, pseudo_locales  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _words_left(alert: Alert) -> list[str]:
    with translation.override(PSEUDO):
        message = compose(alert)
        # Text, not HTML: "<" never starts a tag here, so the parser must not read one.
        return english_left(message.title.replace("<", " "), []) + english_left(message.text().replace("<", " "), [])


def test_a_wave_alert_has_no_english_left_in_the_pseudo_locale(member, in_pseudo):  # noqa: F811
    arrive(member, NIGHT, mail=PETER_CODE)
    (alert,) = Alert.objects.all()
    with translation.override("en"):
        assert compose(alert).title == "OTP Dash: medium alert, peter.weber@example.com"  # the English is unchanged
    assert _words_left(alert) == []


def test_the_question_of_a_new_code_has_no_english_left_in_the_pseudo_locale(member, in_pseudo):  # noqa: F811
    never_quiet(member)
    arrive(member, datetime.now(tz.utc).replace(microsecond=0) - timedelta(minutes=1))
    (alert,) = Alert.objects.all()
    with translation.override("en"):
        assert compose(alert).line.startswith("A Microsoft code for anna.weber@example.com just arrived.")
    assert _words_left(alert) == []
