"""Run with manage.py shell by tests and benchmarks of several watch processes: an office whose every
person links one mailbox, one per Dovecot user given in FILL_USERS (user:password,...), INBOX
watched, scheduled polls far off (so what is seen is the watchers' doing). Prints the mailbox ids."""

import json
import os
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Household, Member
from mailboxes.models import Mailbox

home = Household.objects.create(name="Office")
ca = open(os.environ["FILL_CA"]).read()
ids = []
for n, pair in enumerate(os.environ["FILL_USERS"].split(",")):
    user, password = pair.split(":", 1)
    # No password to sign in with (none is needed here, and hashing 200 would take a minute).
    person = get_user_model().objects.create_user(f"person-{user}", email=f"{user}@example.org")
    Member.objects.create(user=person, household=home, role="admin" if n == 0 else "member",
                          display_name=user, addresses=[person.email])  # fmt: skip
    mailbox = Mailbox(owner=person, label=user, host="127.0.0.1", port=int(os.environ["FILL_PORT"]), security="ssl",
                      username=user, ca_certificate=ca, folders=["INBOX"], poll_minutes=1440,
                      next_scan_at=timezone.now() + timedelta(days=1))  # fmt: skip
    mailbox.set_secret(password)
    mailbox.save()
    ids.append(mailbox.pk)
print(json.dumps(ids))
