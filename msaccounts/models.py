"""Each member's Microsoft accounts, what was seen for each, the remediation checklist's history,
and the breach-exposure cache."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.models import Household, Member
from otpdash import secretbox
from scanner.models import Finding

from . import kinds

# A day without codes, alerts or notices ends a wave (the incidents' grouping gap).
WAVE_GAP = timedelta(hours=24)
# Microsoft's notice that an app was given access: the checklist then has a step for apps with access.
APPS_NOTICES = frozenset({"msa_new_app_connected"})


class Account(models.Model):
    """A Microsoft account of one member: a full address, or a masked hint (`pe**r@example.com`)
    until it can be matched to one of the member's addresses. Its kind chooses the checklist's steps."""

    class Kind(models.TextChoices):
        UNKNOWN = kinds.UNKNOWN, gettext_lazy("not known yet")
        PERSONAL = kinds.PERSONAL, gettext_lazy("personal Microsoft account")
        WORK_OR_SCHOOL = kinds.WORK_OR_SCHOOL, gettext_lazy("work or school account")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="ms_accounts")
    address = models.CharField(
        max_length=254, help_text=gettext_lazy("The full address, or the masked hint while unresolved.")
    )
    resolved = models.BooleanField(default=False)
    hints = models.JSONField(default=list, blank=True, help_text=gettext_lazy("Masked hints merged into this account."))
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.UNKNOWN)
    kind_by_person = models.BooleanField(
        default=False,
        help_text=gettext_lazy("The member or an admin said which kind it is: Microsoft's mail no longer decides."),
    )
    apps_notice_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When Microsoft last said an app was connected to the account.")
    )
    # The newest Microsoft code for the account: a step that should have stopped them is proven by the
    # quiet after it, or contradicted by the next one (msaccounts.evidence).
    last_code_at = models.DateTimeField(null=True, blank=True)
    findings = models.ManyToManyField(Finding, through="AccountFinding", related_name="ms_accounts")

    class Meta:
        verbose_name, verbose_name_plural = gettext_lazy("account"), gettext_lazy("accounts")
        ordering = ["member_id", "address"]
        constraints = [models.UniqueConstraint(fields=["member", "address"], name="one_account_per_address")]

    def __str__(self):
        return self.address

    def seen(self):
        """The findings about this account. Filtered by owner too: a finding's owner is the account's
        member, and the owner-first index then keeps the query to this member's rows whatever the
        database's planner guesses (SQLite, never analysed, otherwise walked every code)."""
        return Finding.objects.filter(owner_id=self.member.user_id, account_link__account=self)

    def under_attack(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.last_seen_at and now - self.last_seen_at < WAVE_GAP)

    @property
    def is_work_or_school(self) -> bool:
        return self.kind == self.Kind.WORK_OR_SCHOOL

    def learn_from(self, finding: Finding) -> None:
        """What a finding linked to this account says about it: an app was connected, or which kind it
        is. Asks the database for the other findings only when this one could change the kind, so a
        flood of codes that agree with it costs nothing more."""
        changes = {}
        if finding.category == Finding.Category.MS_CODE and (
            self.last_code_at is None or finding.arrived_at > self.last_code_at
        ):
            changes["last_code_at"] = finding.arrived_at
        if finding.template in APPS_NOTICES and (
            self.apps_notice_at is None or finding.arrived_at > self.apps_notice_at
        ):
            changes["apps_notice_at"] = finding.arrived_at
        if not self.kind_by_person:
            kind = kinds.by_domain(self.address)
            if kind is None and kinds.told_by(finding.template) not in (None, self.kind):
                kind = self.detected_kind()
            if kind and kind != self.kind:
                changes["kind"] = kind
        if changes:
            Account.objects.filter(pk=self.pk).update(**changes)
            for name, value in changes.items():
                setattr(self, name, value)

    def detected_kind(self) -> str:
        return kinds.detect(self.address, self.seen().order_by().values_list("template", flat=True).distinct())


class AccountFinding(models.Model):
    """Which account a code, alert or sign-in notice is about: each finding belongs to one."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="links")
    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="account_link")


class StepMark(models.Model):
    """One change of one checklist step: never updated, so the history stays whole. The current
    state of a step is its newest mark; no mark is "to do"."""

    class State(models.TextChoices):
        TO_DO = "to_do", gettext_lazy("to do")
        DONE = "done", gettext_lazy("done")
        NOT_APPLICABLE = "not_applicable", gettext_lazy("not applicable")

    class Evidence(models.TextChoices):
        # What the mail said, beside (or instead of) the person's word. Empty: a person's mark.
        NONE = "", gettext_lazy("the person's mark")
        NOTICE = "notice", gettext_lazy("done by Microsoft's notice")
        CONTRADICTED = "contradicted", gettext_lazy("contradicted by what arrived")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="marks")
    step = models.CharField(max_length=20)
    state = models.CharField(max_length=16, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor_name = models.CharField(
        max_length=80, blank=True, help_text=gettext_lazy("Empty when OTP Dash reopened the step.")
    )
    on_behalf = models.BooleanField(default=False, help_text=gettext_lazy("An admin marked it for the member."))
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    evidence = models.CharField(max_length=12, choices=Evidence.choices, blank=True, default="")
    finding = models.ForeignKey(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy("The mail that proved it."),
    )

    class Meta:
        verbose_name, verbose_name_plural = gettext_lazy("step mark"), gettext_lazy("step marks")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["account", "step", "at"], name="stepmark_account_step")]

    @property
    def who(self) -> str:
        if not self.actor_name:
            return "OTP Dash"
        if self.on_behalf:
            return _("%(name)s (on the member's behalf)") % {"name": self.actor_name}
        return self.actor_name


class BreachSetting(models.Model):
    """Have I Been Pwned, opt-in per household by an admin: addresses are sent to that service."""

    household = models.OneToOneField(Household, on_delete=models.CASCADE, related_name="breach_setting")
    enabled = models.BooleanField(default=False)
    api_key_sealed = models.TextField(blank=True, editable=False)
    enabled_by = models.CharField(max_length=80, blank=True)
    enabled_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True, help_text=gettext_lazy("A setup error, shown to admins."))
    problem_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Rate-limited until then (retry-after).")
    )

    def set_key(self, key: str) -> None:
        self.api_key_sealed = secretbox.seal(key)

    def get_key(self) -> str:
        return secretbox.unseal(self.api_key_sealed) if self.api_key_sealed else ""

    @property
    def key_hint(self) -> str:
        """The key as shown back: its last four characters only."""
        try:
            key = self.get_key()
        except secretbox.SecretUnreadable:
            return _("saved, but it cannot be decrypted: enter it again")
        return f"…{key[-4:]}" if len(key) >= 12 else (pgettext("an API key is", "set") if key else "")


class BreachCheck(models.Model):
    """The last answer of Have I Been Pwned for one address of a household."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="breach_checks")
    address = models.CharField(max_length=254)
    checked_at = models.DateTimeField()
    breaches = models.JSONField(default=list, help_text=gettext_lazy("Names of the breaches the address is in."))

    class Meta:
        verbose_name, verbose_name_plural = gettext_lazy("breach check"), gettext_lazy("breach checks")
        constraints = [models.UniqueConstraint(fields=["household", "address"], name="one_check_per_address")]


class Breach(models.Model):
    """Have I Been Pwned's breach catalogue, cached: what each breach exposed."""

    name = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True)
    breach_date = models.DateField(null=True, blank=True)
    added_at = models.DateTimeField(null=True, blank=True)
    data_classes = models.JSONField(default=list)
    fetched_at = models.DateTimeField()


def accounts_visible_to(member: Member):
    """Admins see every account of the household; a member sees their own."""
    rows = Account.objects.filter(member__household_id=member.household_id)
    return rows if member.is_admin else rows.filter(member=member)
