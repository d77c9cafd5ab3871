import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from .health import report
from .metrics import exposition


@never_cache
@require_GET
def healthz(request):
    """For uptime monitors and container health checks: open to all, and it tells nothing private.
    The install's operator (a superuser, signed in) also gets the install-wide mailbox count."""
    healthy, body = report(operator=request.user.is_active and request.user.is_superuser)
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request):
    """For Prometheus: off (404) unless OTPDASH_METRICS_TOKEN is set, then only with that bearer token."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off: set OTPDASH_METRICS_TOKEN to turn them on.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        response = HttpResponse("A bearer token is needed: the one in OTPDASH_METRICS_TOKEN.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="otpdash metrics"'
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
