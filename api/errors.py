"""Every error of the API as {"detail": "<what failed and what to do>"}: Ninja's own answers (a list
of pydantic errors for 422, a bare "Not Found") are rewritten into one sentence a person can act on."""

from __future__ import annotations

import logging
from functools import wraps

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .auth import RateLimited

log = logging.getLogger(__name__)


def install(api) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        return api.create_response(request, {"detail": describe(exc.errors)}, status=422)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc: AuthenticationError):
        response = api.create_response(request, {"detail": str(exc)}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="otpdash api"'
        return response

    @api.exception_handler(RateLimited)
    def limited(request, exc: RateLimited):
        response = api.create_response(request, {"detail": str(exc)}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(Exception)
    def failed(request, exc: Exception):
        log.exception("API request %s failed", request.path)
        words = _("Something went wrong on the server: try again later, and tell the install's operator if it lasts.")
        return api.create_response(request, {"detail": words}, status=500)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": no_such_route_words()}, status=404)


def describe(errors: list[dict]) -> str:
    """Pydantic's errors as one line: which parameter, what is wrong with it."""
    parts = []
    for error in errors:
        where = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
        name = ".".join(where) or _("the request")
        parts.append(f"{name}: {error.get('msg', _('not valid'))}")
    return _("Bad value: %(problems)s. Fix it and ask again.") % {"problems": "; ".join(parts)}


def no_such_route_words() -> str:
    return _("There is no such API route: the routes are listed in /api/v1/schema.")


def no_such_route(request, *args, **kwargs):
    """Anything under /api/v1/ that is no route: the same JSON error as every other."""
    return JsonResponse({"detail": no_such_route_words()}, status=404)


def json_refusals(view):
    """Ninja answers a method a route does not take in plain text; this API answers in JSON there too."""

    @wraps(view)  # keeps csrf_exempt and the rest of the view's marks
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        words = _("This API is read-only: only GET is answered here.")
        return JsonResponse({"detail": words}, status=405, headers={"Allow": response["Allow"]})

    return wrapper
