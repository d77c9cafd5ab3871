"""Run with manage.py shell by tests and benchmarks of several watch processes: one household whose
owner links one mailbox per Dovecot user given in FILL_USERS (user:password,...), INBOX watched,
scheduled polls far off (so what is seen is the watchers' doing). Prints the mailbox ids."""

import json
import os
from datetime import timedelta

from django.utils import timezone

from accounts.models import Household
from scanner.models import Mailbox
from tests.people import join

home = Household.objects.create(name="Watchers")
owner = join(home, "owner", role="admin")
ca = open(os.environ["FILL_CA"]).read()
ids = []
for pair in os.environ["FILL_USERS"].split(","):
    user, password = pair.split(":", 1)
    mailbox = Mailbox(owner=owner, label=user, host="127.0.0.1", port=int(os.environ["FILL_PORT"]), security="ssl",
                      username=user, ca_certificate=ca, folders=["INBOX"], poll_minutes=1440,
                      next_scan_at=timezone.now() + timedelta(days=1))  # fmt: skip
    mailbox.set_secret(password)
    mailbox.save()
    ids.append(mailbox.pk)
print(json.dumps(ids))
