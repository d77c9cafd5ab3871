from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import report


@never_cache
@require_GET
def healthz(request):
    """For uptime monitors and container health checks: open to all, and it tells nothing private.
    The install's operator (a superuser, signed in) also gets the install-wide mailbox count."""
    healthy, body = report(operator=request.user.is_active and request.user.is_superuser)
    return JsonResponse(body, status=200 if healthy else 503)
