"""Fill a fresh OTP Dash database for bench-web: members, mailboxes, findings with one sighting each,
incidents, and a signed-in admin session. Prints one JSON line: the session cookie and query counts.

Run as a script with OTPDASH_DATA_DIR (and DATABASE_URL, if any) set; bulk inserts, no signals.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otpdash.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Household, Member  # noqa: E402
from incidents.models import Incident, IncidentFinding  # noqa: E402
from mailboxes.models import Mailbox  # noqa: E402
from msaccounts.checklist import STEP_KEYS  # noqa: E402
from msaccounts.models import Account, AccountFinding, StepMark  # noqa: E402
from otpdash.secretbox import seal  # noqa: E402
from scanner.models import Finding, Sighting  # noqa: E402

PAGES = ("/dashboard/", "/incidents/", "/microsoft-accounts/", "/whoami/")
BATCH = 5000
TEMPLATES = {
    "ms_code": ["msa_single_use_v2", "msa_security_code", "msa_password_reset"],
    "ms_alert": ["msa_unusual_signin", "msa_password_changed"],
    "phishing": ["msa_single_use_v2"],
}


def fill(members: int, mailboxes: int, sightings: int, rng: random.Random) -> get_user_model():
    User = get_user_model()
    household = Household.objects.create(name="Bench household")
    password = make_password("bench password not used")  # hashed once: 50 hashes would only cost time
    users = User.objects.bulk_create(
        [
            User(username=f"member{i}", email=f"member{i}@example.org", password=password, is_staff=i == 0)
            for i in range(members)
        ]
    )
    users = list(User.objects.order_by("pk"))
    Member.objects.bulk_create(
        [
            Member(
                user=u,
                household=household,
                role="owner" if i == 0 else ("admin" if i < 3 else "member"),
                display_name=f"Member {i}",
                addresses=[u.email],
            )
            for i, u in enumerate(users)
        ]
    )
    sealed = seal("bench mailbox secret")
    states = ["ok"] * 8 + ["error", "paused"]
    Mailbox.objects.bulk_create(
        [
            Mailbox(
                owner=users[i % members],
                label=f"box {i}",
                host="imap.example.com",
                username=f"u{i}",
                secret_sealed=sealed,
                state=rng.choice(states),
            )
            for i in range(mailboxes)
        ]
    )
    boxes = list(Mailbox.objects.values_list("pk", "owner_id"))
    now = timezone.now()
    made = 0
    while made < sightings:
        count = min(BATCH, sightings - made)
        findings = []
        for n in range(made, made + count):
            category = rng.choices(["ms_code", "ms_alert", "phishing"], weights=[90, 5, 5])[0]
            box = boxes[n % len(boxes)]
            findings.append(
                Finding(
                    owner_id=box[1],
                    message_key=f"<bench-{n}@example.org>",
                    message_id=f"<bench-{n}@example.org>",
                    subject="Your single-use code",
                    category=category,
                    provider="microsoft",
                    template=rng.choice(TEMPLATES[category]),
                    language="en",
                    codes_masked=["****42"],
                    account_hint=f"member{box[1]}@example.org",
                    sent_at=None,
                    sender_auth="pass",
                    arrived_at=now - timedelta(minutes=rng.randint(0, 365 * 24 * 60)),
                    status=rng.choice(["pending", "expected", "unsolicited"]),
                )
            )
        Finding.objects.bulk_create(findings, batch_size=1000)
        keys = [f.message_key for f in findings]
        ids = dict(Finding.objects.filter(message_key__in=keys).values_list("message_key", "pk"))
        Sighting.objects.bulk_create(
            [
                Sighting(
                    finding_id=ids[f"<bench-{n}@example.org>"],
                    mailbox_id=boxes[n % len(boxes)][0],
                    folder="INBOX",
                    uidvalidity=1,
                    uid=n + 1,
                )
                for n in range(made, made + count)
            ],
            batch_size=1000,
        )
        made += count
    accounts = add_accounts(household, rng, now)
    add_incidents(household, rng, now, accounts)
    return users[0]


def add_accounts(household, rng: random.Random, now) -> dict[int, int]:
    """Each member's account (the hint their findings name) with its findings linked, a masked hint
    for every third member, and a checklist history of a few marks per step. Returns owner -> account."""
    profiles = list(Member.objects.filter(household=household))
    rows = [Account(member=m, address=f"member{m.user_id}@example.org", resolved=True) for m in profiles]
    rows += [Account(member=m, address=f"me**{m.user_id % 10}@example.net") for m in profiles[::3]]
    Account.objects.bulk_create(rows)
    by_owner = dict(Account.objects.filter(resolved=True).values_list("member__user_id", "pk"))
    linked = Finding.objects.filter(category__in=["ms_code", "ms_alert"]).values_list("pk", "owner_id", "arrived_at")
    seen: dict[int, list] = {}
    links = []
    for pk, owner_id, at in linked.iterator(chunk_size=BATCH):
        links.append(AccountFinding(account_id=by_owner[owner_id], finding_id=pk))
        span = seen.setdefault(owner_id, [at, at])
        span[0], span[1] = min(span[0], at), max(span[1], at)
    AccountFinding.objects.bulk_create(links, batch_size=BATCH)
    for owner_id, (first, last) in seen.items():
        Account.objects.filter(pk=by_owner[owner_id]).update(first_seen_at=first, last_seen_at=last)
    marks = []
    for account_id in Account.objects.values_list("pk", flat=True):
        for step in STEP_KEYS:
            for n in range(rng.randint(0, 3)):
                state = rng.choice(["done", "to_do", "not_applicable"])
                at = now - timedelta(days=rng.randint(0, 300), minutes=n)
                marks.append(StepMark(account_id=account_id, step=step, state=state, actor_name="Member", at=at))
    StepMark.objects.bulk_create(marks, batch_size=BATCH)
    return by_owner


def add_incidents(household, rng: random.Random, now, accounts: dict[int, int]) -> None:
    """About one incident per 100 findings, a third of them still open, each with a few findings."""
    profiles = list(Member.objects.filter(household=household))
    findings = list(Finding.objects.filter(status="unsolicited").values_list("pk", "owner_id", "arrived_at"))
    rng.shuffle(findings)
    by_owner = {m.user_id: m for m in profiles}
    incidents = []
    chosen = findings[: max(1, len(findings) // 30)]
    for _, owner_id, at in chosen:
        kind = rng.choice(["account", "account", "phishing"])
        incidents.append(
            Incident(
                household=household,
                kind=kind,
                account_id=accounts[owner_id] if kind == "account" else None,
                period_start=at.date() - timedelta(days=at.weekday()) if kind == "phishing" else None,
                member=by_owner[owner_id],
                severity=rng.randint(1, 4),
                state=rng.choice(["open", "acknowledged", "resolved"]),
                opened_at=at,
                last_seen_at=at,
                resolution_note="bench",
            )
        )
    Incident.objects.bulk_create(incidents, batch_size=1000)
    made = Incident.objects.order_by("pk").values_list("pk", flat=True)  # insertion order: one per chosen finding
    links = [IncidentFinding(incident_id=pk, finding_id=finding[0]) for pk, finding in zip(made, chosen, strict=True)]
    IncidentFinding.objects.bulk_create(links, batch_size=1000)


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    store["account_authentication_methods_user"] = str(user.pk)
    store.create()
    return store.session_key


def first_requests(session_key: str, pages=PAGES) -> tuple[dict[str, int], dict[str, float]]:
    """Queries and time of each page's first request: the dashboard's figures are not cached yet."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key
    counts, times = {}, {}
    for page in pages:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page)
        times[page] = round((time.perf_counter() - started) * 1000, 1)
        assert response.status_code == 200, (page, response.status_code)
        counts[page] = len(captured)
    return counts, times


def main() -> None:
    members = int(os.environ.get("BENCH_MEMBERS", "50"))
    mailboxes = int(os.environ.get("BENCH_MAILBOXES", "200"))
    sightings = int(os.environ.get("BENCH_SIGHTINGS", "200000"))
    started = time.perf_counter()
    admin = fill(members, mailboxes, sightings, random.Random(4))
    session_key = session_for(admin)
    fill_s = round(time.perf_counter() - started, 1)
    counts, times = first_requests(session_key)
    # The account with the most findings: its page is the heaviest of the account pages.
    busiest = Account.objects.annotate(n=Count("links")).order_by("-n").values_list("code", flat=True).first()
    account_page = f"/microsoft-accounts/{busiest}/"
    more_counts, more_times = first_requests(session_key, (account_page,))
    print(
        json.dumps(
            {
                "session": session_key,
                "account_page": account_page,
                "queries": {**counts, **more_counts},
                "first_ms": {**times, **more_times},
                "fill_s": fill_s,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
