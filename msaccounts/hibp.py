"""Have I Been Pwned, API v3: which breaches an address is in, and the breach catalogue.

The documented protocol (haveibeenpwned.com/API/v3): GET {base}/breachedaccount/{account}
with the `hibp-api-key` and a `User-Agent` header; 200 is a JSON list of breaches, 404 "not in
any breach", 401 a missing or wrong key, 403 a refused request (no user agent), 429 too many
requests with `retry-after` in seconds. GET {base}/breaches is the catalogue (no key needed).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

TIMEOUT = 20
MAX_BODY = 8 * 1024 * 1024  # the whole catalogue is well under 2 MB


class HibpError(Exception):
    """Anything but an answer. `setup`: the admin must act (key); `retry_after`: seconds to wait."""

    def __init__(self, message: str, setup: bool = False, retry_after: int | None = None):
        super().__init__(message)
        self.setup = setup
        self.retry_after = retry_after


@dataclass
class Client:
    key: str
    base_url: str = ""

    def __post_init__(self):
        self.base_url = (self.base_url or settings.HIBP_URL).rstrip("/")

    def breaches_for(self, address: str) -> list[str]:
        """The names of the breaches the address is in; [] when it is in none (404)."""
        query = urllib.parse.urlencode({"truncateResponse": "true"})
        path = f"/breachedaccount/{urllib.parse.quote(address, safe='')}?{query}"
        answer = self._get(path, keyed=True)
        if answer is None:
            return []
        if not isinstance(answer, list):
            raise HibpError("Have I Been Pwned answered in an unexpected shape.")
        return [str(item["Name"]) for item in answer if isinstance(item, dict) and item.get("Name")]

    def catalogue(self) -> list[dict]:
        answer = self._get("/breaches", keyed=False)
        if not isinstance(answer, list):
            raise HibpError("Have I Been Pwned's breach list came in an unexpected shape.")
        return [item for item in answer if isinstance(item, dict) and item.get("Name")]

    def _get(self, path: str, keyed: bool):
        headers = {"User-Agent": settings.HIBP_USER_AGENT, "Accept": "application/json"}
        if keyed:
            headers["hibp-api-key"] = self.key
        request = urllib.request.Request(self.base_url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (https or a test server)
                return json.loads(response.read(MAX_BODY) or b"null")
        except urllib.error.HTTPError as exc:
            return _error(exc)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise HibpError(f"Have I Been Pwned could not be reached ({getattr(exc, 'reason', exc)}).") from None
        except ValueError:
            raise HibpError("Have I Been Pwned answered with something that is not JSON.") from None


def _error(exc: urllib.error.HTTPError):
    if exc.code == 404:
        return None
    if exc.code == 401:
        raise HibpError("The API key was refused (401): check it on haveibeenpwned.com/API/Key.", setup=True)
    if exc.code == 403:
        raise HibpError("Have I Been Pwned refused the request (403).", setup=True)
    if exc.code == 429:
        raise HibpError("Too many requests (429).", retry_after=_seconds(exc.headers.get("retry-after")))
    raise HibpError(f"Have I Been Pwned answered {exc.code}.")


def _seconds(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 24 * 3600))
    except ValueError:
        return 60
