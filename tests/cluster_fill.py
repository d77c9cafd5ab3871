"""Run by test_two_clusters with manage.py shell: a household whose members each get a security code
in quiet hours (a high alert, due at once) through detect() and the store, as a scan would store it."""

from datetime import datetime, timedelta, timezone

from django.contrib.auth import get_user_model

from accounts.models import Household, Member
from detect import detect
from scanner.store import message_key, record_import
from tests.corpus_labels import CORPUS
from tests.findings import with_date
from tests.mailgen import with_message_id

MEMBERS = 6
home = Household.objects.create(name="Cluster test")
night = (datetime.now(timezone.utc) - timedelta(days=1)).replace(hour=2, minute=0, second=0, microsecond=0)
raw = (CORPUS / "ms_otp" / "en_security_code_classic_marc.eml").read_bytes()
for n in range(MEMBERS):
    user = get_user_model().objects.create_user(f"m{n}", email=f"m{n}@example.org", password="x" * 12)
    Member.objects.create(user=user, household=home, display_name=f"M{n}", role="member")
    mail = with_date(with_message_id(raw, f"<cluster-{n}@otpdash.test>"), night)
    detected = detect(mail)
    record_import(user.pk, f"cluster-{n}.eml", detected, message_key(detected, mail))
print("filled")
