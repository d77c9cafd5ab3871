"""Which Microsoft account a finding is about, and turning masked hints into known addresses.

A masked hint (`pe**r@example.com`) is matched against the member's own addresses: those on their
profile, their mailboxes' user names, the addresses their mail was delivered to, and the accounts
already known in full (Microsoft greets the full address in single-use code mails). Exactly one
fit merges the hint into that address; none or several leave it a hint, which the member can
settle with one click.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from accounts.models import Member
from incidents import audit
from mailboxes.models import Mailbox
from scanner.models import Finding

from . import masks
from .models import Account, AccountFinding
from .signals import account_merged


def known_addresses(member: Member) -> set[str]:
    found = {masks.normalise(a) for a in member.addresses or []}
    found |= {
        masks.normalise(u) for u in Mailbox.objects.filter(owner_id=member.user_id).values_list("username", flat=True)
    }
    found |= set(
        Finding.objects.filter(owner_id=member.user_id)
        .exclude(recipient="")
        .values_list("recipient", flat=True)
        .distinct()
    )
    found |= set(Account.objects.filter(member=member, resolved=True).values_list("address", flat=True))
    return {a for a in found if masks.is_address(a)}


def address_of(finding: Finding) -> str:
    """What a finding names as its account: the hint, else the address it was delivered to."""
    hint = masks.normalise(finding.account_hint)
    if masks.is_address(hint) or masks.parse(hint):
        return hint
    recipient = masks.normalise(finding.recipient)
    return recipient if masks.is_address(recipient) else ""


def attach(member: Member, finding: Finding) -> Account | None:
    """The account this finding is about, created when new; the finding is linked to it once."""
    existing = AccountFinding.objects.filter(finding=finding).select_related("account").first()
    if existing:
        return existing.account
    address = address_of(finding)
    if not address:
        return None
    if masks.parse(address):
        address = masks.resolve(address, known_addresses(member)) or address
    account = _get_or_create(member, address, finding.account_hint)
    AccountFinding.objects.get_or_create(finding=finding, defaults={"account": account})
    seen = Account.objects.filter(pk=account.pk)
    seen.filter(last_seen_at__isnull=True).update(first_seen_at=finding.arrived_at, last_seen_at=finding.arrived_at)
    seen.filter(first_seen_at__gt=finding.arrived_at).update(first_seen_at=finding.arrived_at)
    seen.filter(last_seen_at__lt=finding.arrived_at).update(last_seen_at=finding.arrived_at)
    account.refresh_from_db()
    account.learn_from(finding)
    if account.resolved:
        resolve_hints(member)
    return account


def _get_or_create(member: Member, address: str, hint: str) -> Account:
    resolved = masks.is_address(address)
    hint = masks.normalise(hint)
    # get_or_create absorbs a concurrent scan of another mailbox creating it a moment ago.
    account, _created = Account.objects.get_or_create(member=member, address=address, defaults={"resolved": resolved})
    if resolved and masks.parse(hint) and hint not in account.hints:
        account.hints = [*account.hints, hint]
        Account.objects.filter(pk=account.pk).update(hints=account.hints)
    return account


def resolve_hints(member: Member) -> list[Account]:
    """Merge every hint account of the member that exactly one known address fits. Returns the
    accounts that received a merge."""
    hinted = list(Account.objects.filter(member=member, resolved=False))
    if not hinted:
        return []
    known = known_addresses(member)
    merged = []
    for account in hinted:
        address = masks.resolve(account.address, known)
        if address:
            merged.append(merge_into_address(account, address, actor=None))
    return merged


@transaction.atomic
def merge_into_address(hinted: Account, address: str, actor) -> Account:
    """The hint account becomes (or joins) the account with the full address: its findings,
    checklist history and incidents move; the hint is kept among the account's hints."""
    address = masks.normalise(address)
    mask = masks.parse(hinted.address)
    if hinted.resolved or mask is None:
        raise ValidationError(_("This account already has a full address."))
    try:
        validate_email(address)  # Django's rule: one address, no quotes, spaces or line breaks
    except ValidationError:
        if address:
            raise ValidationError(_("%(address)s is not an email address.") % {"address": address[:80]}) from None
        raise ValidationError(_("That is not an email address.")) from None
    if not masks.is_address(address) or not mask.fits(address):
        words = {"address": address, "hint": hinted.address}
        if address:
            raise ValidationError(
                _("%(address)s does not fit %(hint)s: the first letters, the last letter and the domain must match.")
                % words
            )
        raise ValidationError(
            _("That does not fit %(hint)s: the first letters, the last letter and the domain must match.") % words
        )
    member = hinted.member
    target, _created = Account.objects.get_or_create(member=member, address=address, defaults={"resolved": True})
    AccountFinding.objects.filter(account=hinted).update(account=target)
    hinted.marks.update(account=target)
    hinted.incidents.update(account=target)
    target.hints = sorted({*target.hints, *hinted.hints, hinted.address})
    target.resolved = True
    _merge_kind(target, hinted)
    target.save(update_fields=["hints", "resolved", "kind", "kind_by_person", "apps_notice_at"])
    _refresh_seen(target)
    account_merged.send(sender=Account, source_id=hinted.pk, target=target)
    hinted.delete()
    who = "" if actor is None else " by the member's word"
    audit.record(
        member.household_id, actor, "account.merged", f"{member.display_name}: {hinted.address} is {address}{who}"
    )
    said_by_member = actor is not None and actor.pk == member.user_id
    if said_by_member and address not in [masks.normalise(a) for a in member.addresses]:
        # What the member said is theirs becomes one of their addresses, for the next hint too; an
        # admin's word resolves this account only and never writes into the member's profile.
        member.addresses = [*member.addresses, address]
        Member.objects.filter(pk=member.pk).update(addresses=member.addresses)
    return target


def _merge_kind(target: Account, hinted: Account) -> None:
    """What the person said about either wins over the mail; otherwise the merged findings decide. A
    new app on either is a new app on the merged account."""
    notices = [at for at in (target.apps_notice_at, hinted.apps_notice_at) if at]
    target.apps_notice_at = max(notices) if notices else None
    if not target.kind_by_person and hinted.kind_by_person:
        target.kind, target.kind_by_person = hinted.kind, True
    elif not target.kind_by_person:
        target.kind = target.detected_kind()


def _refresh_seen(account: Account) -> None:
    span = account.seen().aggregate(first=Min("arrived_at"), last=Max("arrived_at"))
    Account.objects.filter(pk=account.pk).update(first_seen_at=span["first"], last_seen_at=span["last"])
    account.first_seen_at, account.last_seen_at = span["first"], span["last"]
