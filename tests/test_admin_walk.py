"""Every model the Django admin offers, walked as one household's owner (a superuser, as set-up
makes the install's first owner): no list, page, choice or save reaches the other household, and
nothing of the server (django-q's schedules, two-step authenticators, groups) is offered at all."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import Household, Invitation
from incidents.models import AuditEvent
from mailboxes.models import Mailbox
from msaccounts.models import Account, BreachCheck, StepMark
from otpdash.admin_scope import HouseholdScopedAdmin
from tests.accounts_data import NIGHT, PETER_CODE, delivered_to
from tests.findings import OTHER_PROVIDER_SUBJECT_MAIL, arrive, arrive_raw
from tests.people import join, sign_in

pytestmark = pytest.mark.django_db


def populate(household, owner_name: str, staff: bool = False):
    """One row of every admin-registered model in household."""
    owner = join(household, owner_name, "owner", staff=staff)
    member = join(household, f"{owner_name}-kid")
    mailbox = Mailbox(owner=owner, label=f"{owner_name} mail", host="imap.example.net", username=f"{owner_name}@x.test")
    mailbox.set_secret(f"{owner_name}-secret-1")
    mailbox.save()
    arrive_raw(owner, OTHER_PROVIDER_SUBJECT_MAIL)
    arrive(owner, NIGHT, mail=delivered_to(PETER_CODE, f"{owner_name}@x.test"))  # an account, a wave, an incident
    StepMark.objects.create(account=Account.objects.get(member__user=owner), step="password", state="done")
    Invitation.objects.create(household=household, email=f"new-{owner_name}@x.test", invited_by=owner)
    EmailAddress.objects.create(user=member, email=f"{owner_name}-kid@x.test", verified=True, primary=True)
    BreachCheck.objects.create(household=household, address=f"{owner_name}@x.test", checked_at=timezone.now())
    AuditEvent.objects.create(household=household, actor=owner, actor_name=owner_name, action="test", summary="s")
    return owner


@pytest.fixture
def alpha_and_beta():
    alpha, beta = Household.objects.create(name="Alpha"), Household.objects.create(name="Beta")
    return populate(alpha, "alice", staff=True), populate(beta, "bert", staff=True), alpha, beta


def rows_of(model_admin, household) -> set:
    manager = model_admin.model._default_manager
    return set(manager.filter(**{model_admin.household_path: household.pk}).values_list("pk", flat=True))


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def choice_fields(response):
    """(field name, form field) of every choice on the page: the form's own and its inlines'."""
    context = response.context
    forms = [(context["adminform"].form, None)] if "adminform" in context else []
    for inline in context.get("inline_admin_formsets", []):
        # An inline row's hidden own id is looked up among the parent's rows only (Django's
        # BaseInlineFormSet), whatever its field lists: it is not a choice.
        own_id = inline.formset.model._meta.pk.name
        forms += [(form, own_id) for form in [*inline.formset.forms, inline.formset.empty_form]]
    for form, own_id in forms:
        for name, field in form.fields.items():
            if name != own_id and isinstance(field, (ModelChoiceField, ModelMultipleChoiceField)):
                yield name, field


def assert_no_choice_reaches(response, beta_rows, where: str) -> None:
    for name, field in choice_fields(response):
        model = field.queryset.model
        offered = set(field.queryset.values_list("pk", flat=True))
        assert not offered & beta_rows.get(model, set()), f"{where}: {name} offers Beta's {model.__name__}"
        if model not in beta_rows:  # a model the admin does not scope is never a choice
            assert not offered, f"{where}: {name} offers {model.__name__} rows, which the admin does not scope"


def test_the_admin_registers_only_household_scoped_models():
    registered = admin.site._registry
    assert registered, "the admin has no models: the walk below would prove nothing"
    for model, model_admin in registered.items():
        assert isinstance(model_admin, HouseholdScopedAdmin), f"{model._meta.label} is registered unscoped"
    labels = {model._meta.label for model in registered}
    for library_model in ("django_q.Schedule", "django_q.Success", "django_q.Failure", "django_q.OrmQ",
                          "mfa.Authenticator", "auth.Group"):  # fmt: skip
        assert library_model not in labels


def test_alphas_owner_reaches_nothing_of_beta_through_any_admin_page(client, alpha_and_beta):
    alice, bert, alpha, beta = alpha_and_beta
    sign_in(client, alice)
    walked = 0
    beta_rows = {model: rows_of(ma, beta) for model, ma in admin.site._registry.items()}
    for model, model_admin in admin.site._registry.items():
        name = model._meta.label
        alpha_rows, theirs = rows_of(model_admin, alpha), beta_rows[model]
        assert alpha_rows and theirs, f"the walk needs a row of {name} in each household"
        listing = client.get(url(model, "changelist"))
        assert listing.status_code == 200, name
        shown = set(listing.context["cl"].result_list.values_list("pk", flat=True))
        assert shown == alpha_rows, name
        add = client.get(url(model, "add"))
        assert add.status_code in (200, 403), name
        if add.status_code == 200:
            assert_no_choice_reaches(add, beta_rows, f"{name} add")
        for pk in alpha_rows:
            page = client.get(url(model, "change", pk))
            assert page.status_code == 200, name
            assert_no_choice_reaches(page, beta_rows, f"{name} change")
            walked += 1
        for pk in theirs:
            views = ("change", "delete", "history") + (("password_change",) if model is get_user_model() else ())
            for view in views:
                answer = client.get(url(model, view, pk))
                assert answer.status_code in (302, 403, 404), f"{name} {view} of Beta's row"
            assert client.post(url(model, "delete", pk), {"post": "yes"}).status_code in (302, 403, 404)
            assert model._default_manager.filter(pk=pk).exists(), f"{name}: Beta's row was deleted"
    assert walked >= len(admin.site._registry)


def test_a_change_that_points_a_row_at_beta_is_refused(client, alpha_and_beta):
    """The forms that can be saved, posted with every choice set to Beta's row of that model."""
    alice, bert, alpha, beta = alpha_and_beta
    sign_in(client, alice)
    request = RequestFactory().get("/")
    request.user = alice
    saved_any = False
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_change_permission(request):
            continue
        for pk in rows_of(model_admin, alpha):
            page = client.get(url(model, "change", pk))
            form = page.context["adminform"].form
            data = _form_data(form)
            before = model._default_manager.filter(pk=pk).values().get()
            for field_name, field in choice_fields(page):
                other = model_admin.model._meta.get_field(field_name).related_model
                registered = admin.site._registry.get(other)
                target = next(iter(rows_of(registered, beta)), None) if registered else None
                if target is not None:
                    data[field_name] = [str(target)] if isinstance(field, ModelMultipleChoiceField) else str(target)
            answer = client.post(url(model, "change", pk), data)
            saved_any = True
            assert answer.status_code in (200, 302, 403), model._meta.label
            assert rows_of(model_admin, alpha) >= {pk}, f"{model._meta.label} moved to Beta"
            after = model._default_manager.filter(pk=pk).values().get()
            for key, value in before.items():
                if key.endswith("_id"):
                    assert after[key] == value, f"{model._meta.label}.{key} changed to another household's row"
    assert saved_any


def _form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


def test_the_admin_is_closed_to_a_superuser_of_no_household(client, alpha_and_beta):
    root = get_user_model().objects.create_superuser("root", "root@x.test", "root has a long password 9")
    sign_in(client, root)
    assert client.get("/admin/").status_code == 302  # to the sign-in page: nothing here is theirs
    assert client.get(url(Household, "changelist")).status_code == 302


def test_library_pages_are_gone(client, alpha_and_beta):
    alice, *_ = alpha_and_beta
    sign_in(client, alice)
    for path in ("/admin/django_q/schedule/add/", "/admin/django_q/success/", "/admin/mfa/authenticator/",
                 "/admin/auth/group/", "/admin/account/emailconfirmation/"):  # fmt: skip
        assert client.get(path).status_code == 404, path


def test_a_schedule_may_name_only_the_projects_own_tasks():
    for func in ("subprocess.getoutput", "os.system", "notify.tasks.os.system", "notify.models.Channel", ""):
        with pytest.raises(ValidationError):
            Schedule.objects.create(name=f"evil {func}", func=func)
    with pytest.raises(ValidationError):
        Schedule.objects.create(name="hooked", func="notify.tasks.send_due", hook="subprocess.getoutput")
    assert not Schedule.objects.filter(name__startswith="evil").exists()
    Schedule.objects.create(name="ours", func="notify.tasks.send_due")
