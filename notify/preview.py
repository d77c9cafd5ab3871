"""The digest preview: a person's next digest exactly as it will be mailed (rendered by the code that
sends it, notify.digests.rendered), and its HTML part on its own for the page's frame. Access: the
signed-in person's own digest only; an admin's carries the household's part, as it does in the mail."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from accounts.access import member_required

from . import digests


@member_required
@require_GET
def digest_preview(request):
    upcoming = digests.next_digest(request.member)
    context = {"next": upcoming}
    if upcoming.digest is not None:
        subject, text, _html, _headers = digests.rendered(upcoming.digest, upcoming.pref)
        context.update(subject=subject, text=text)
    return render(request, "notify/digest_preview.html", context)


# The mail's HTML carries its own inline styles, as mail must: only this response may use them, inside
# the preview page's frame, with no script, no form and nothing loaded from elsewhere.
@member_required
@require_GET
@xframe_options_sameorigin
@csp_replace(
    {
        "default-src": ["'none'"],
        "script-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'self'"],
        "sandbox": [""],
    }
)
def digest_preview_mail(request):
    upcoming = digests.next_digest(request.member)
    if upcoming.digest is None:
        return HttpResponse(_("Your digests are off: there is no next digest to show."), content_type="text/plain")
    _subject, _text, html, _headers = digests.rendered(upcoming.digest, upcoming.pref)
    return HttpResponse(html)
