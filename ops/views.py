from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import report


@never_cache
@require_GET
def healthz(request):
    """For uptime monitors and container health checks: open to all, and it tells nothing private."""
    healthy, body = report()
    return JsonResponse(body, status=200 if healthy else 503)
