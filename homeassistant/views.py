"""The household's Home Assistant link: owner and admins only, like the other household settings."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import admin_required, sensitive
from incidents import audit

from . import tasks
from .forms import BrokerForm
from .models import Broker


def _broker_for(request) -> Broker | None:
    return Broker.objects.filter(household_id=request.member.household_id).first()


@admin_required
@sensitive  # it holds a password and decides where the household's state goes
@require_http_methods(["GET", "POST"])
def broker_settings(request):
    broker = _broker_for(request)
    form = BrokerForm(request.POST or None, instance=broker or Broker(household=request.member.household))
    if request.method == "POST" and form.is_valid():
        broker = form.save()
        audit.record(
            request.member.household_id, request.user, "homeassistant.settings",
            f"Home Assistant: {'publishing' if broker.enabled else 'off'}, broker {broker}",
        )  # fmt: skip
        tasks.queue_publish(broker.household_id)
        messages.success(request, _("Saved. OTP Dash publishes to the broker in the background."))
        return redirect("homeassistant")
    return render(request, "homeassistant/settings.html", {"form": form, "broker": broker})


@admin_required
@require_POST
def broker_test(request):
    broker = _broker_for(request)
    if broker is None:
        messages.error(request, _("Save the broker's settings first, then test the connection."))
        return redirect("homeassistant")
    tasks.queue_test(broker)
    if request.htmx:
        return render(request, "homeassistant/_test_result.html", {"broker": _broker_for(request)})
    return redirect("homeassistant")


@admin_required
@require_GET
def broker_test_result(request):
    return render(request, "homeassistant/_test_result.html", {"broker": _broker_for(request)})


@admin_required
@sensitive
@require_POST
def broker_remove(request):
    broker = _broker_for(request)
    if broker is not None:
        Broker.objects.filter(pk=broker.pk).update(enabled=False)
        tasks.queue_removal(broker)
        audit.record(request.member.household_id, request.user, "homeassistant.removed", "Home Assistant: removed")
        messages.success(
            request,
            _("OTP Dash removes its sensors from the broker in the background, then forgets the broker and its "
              "password. Should the broker be unreachable, delete the OTP Dash device in Home Assistant."),
        )  # fmt: skip
    return redirect("homeassistant")
