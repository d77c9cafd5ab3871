"""A local stand-in for Have I Been Pwned's API v3 on 127.0.0.1, answering as its documentation says
(haveibeenpwned.com/API/v3): breachedaccount needs the hibp-api-key and a User-Agent; 200 with a
list of breach names (truncateResponse), 404 when the address is in none, 401 for a wrong key,
403 without a user agent, 429 with retry-after. /breaches is the catalogue."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "0123456789abcdef0123456789abcdef"

# The catalogue's shape is the documented one; the breaches themselves are invented.
CATALOGUE = [
    {
        "Name": "ExampleShop",
        "Title": "Example Shop",
        "Domain": "shop.example",
        "BreachDate": "2025-03-01",
        "AddedDate": "2026-11-25T10:00:00Z",
        "ModifiedDate": "2026-11-25T10:00:00Z",
        "PwnCount": 1200000,
        "Description": "Invented for tests.",
        "DataClasses": ["Email addresses", "Passwords"],
        "IsVerified": True,
        "IsSensitive": False,
    },
    {
        "Name": "ExampleForum",
        "Title": "Example Forum",
        "Domain": "forum.example",
        "BreachDate": "2019-06-01",
        "AddedDate": "2019-08-01T00:00:00Z",
        "ModifiedDate": "2019-08-01T00:00:00Z",
        "PwnCount": 5000,
        "Description": "Invented for tests.",
        "DataClasses": ["Email addresses", "Usernames"],
        "IsVerified": True,
        "IsSensitive": False,
    },
]


class HibpServer:
    def __init__(self, breached: dict[str, list[str]]):
        self.breached = breached
        self.requests: list[tuple[str, dict]] = []
        self.rate_limit_seconds: int | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                server.requests.append((self.path, dict(self.headers)))
                path = urllib.parse.urlsplit(self.path).path
                if not self.headers.get("User-Agent"):
                    return self._send(403, None)
                if path == "/api/v3/breaches":
                    return self._send(200, CATALOGUE)
                if not path.startswith("/api/v3/breachedaccount/"):
                    return self._send(404, None)
                if self.headers.get("hibp-api-key") != KEY:
                    return self._send(401, {"statusCode": 401, "message": "Access denied due to invalid hibp-api-key."})
                if server.rate_limit_seconds is not None:
                    return self._send(429, {"statusCode": 429}, {"retry-after": str(server.rate_limit_seconds)})
                address = urllib.parse.unquote(path.rsplit("/", 1)[1])
                names = server.breached.get(address)
                return self._send(200, [{"Name": n} for n in names]) if names else self._send(404, None)

            def _send(self, status, body, headers=None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v3"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def asked(self, prefix: str) -> list[str]:
        return [path for path, _ in self.requests if path.startswith("/api/v3/" + prefix)]
