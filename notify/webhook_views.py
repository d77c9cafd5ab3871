"""Adding a signed webhook and rotating its secret. The secret is shown once, on the page that answers
the POST: never in a message, a redirect or a log. Access: the person's own channels only."""

from __future__ import annotations

from django.http import Http404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import member_required

from .alerts import preference_of
from .forms import ChannelForm, PreferenceForm, WebhookForm
from .models import Channel
from .views import _own_channel, _page


@member_required
@require_POST
def webhook_add(request):
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _page(request, _preferences_form(request), ChannelForm(), status=400, webhook_form=form)
    channel = Channel(member=request.member, label=form.cleaned_data["label"], kind=Channel.Kind.WEBHOOK)
    channel.set_url(form.cleaned_data["url"], form.shown)
    secret = channel.new_secret()
    channel.save()
    return _secret_page(request, channel, secret, _("Added %(label)s.") % {"label": channel.label})


@member_required
@require_POST
def webhook_rotate(request, code):
    """A new signing secret; the old one stops working at once."""
    channel = _own_channel(request, code)
    if channel.kind != Channel.Kind.WEBHOOK:
        raise Http404
    secret = channel.new_secret()
    Channel.objects.filter(pk=channel.pk).update(secret_sealed=channel.secret_sealed)
    return _secret_page(request, channel, secret, _("%(label)s has a new signing secret.") % {"label": channel.label})


def _preferences_form(request):
    return PreferenceForm(instance=preference_of(request.member), is_admin=request.member.is_admin)


def _secret_page(request, channel, secret: str, headline: str):
    shown = {"label": channel.label, "secret": secret, "headline": headline}
    response = _page(request, _preferences_form(request), ChannelForm(), new_secret=shown)
    add_never_cache_headers(response)  # no copy of the secret in a cache or the browser's history
    return response
