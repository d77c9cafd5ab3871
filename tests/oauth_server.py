"""A local OAuth2 authorization server on 127.0.0.1 for tests, speaking the protocol as RFC 6749
(authorization code), RFC 7636 (PKCE S256), RFC 8628 (device authorization) and RFC 7662
(introspection, which Dovecot's oauth2 passdb asks) describe it. It issues short access tokens,
rotates refresh tokens on every use (as Microsoft does), and can revoke them.

Paths: /{tenant}/oauth2/v2.0/{devicecode,authorize,token} in Microsoft's layout, /google/{authorize,token},
/device (where a person enters a user code), /introspect.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OAuthServer:
    def __init__(self, access_ttl: int = 3600):
        self.access_ttl = access_ttl
        self.codes: dict[str, dict] = {}  # authorization code -> grant
        self.devices: dict[str, dict] = {}  # device code -> {user_code, email or None}
        self.access: dict[str, dict] = {}  # access token -> {email, expires}
        self.refresh: dict[str, str] = {}  # live refresh token -> email
        self.used_refresh: list[str] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path.endswith("/authorize"):
                    return self._page(server.consent_page(query))
                if url.path == "/device":
                    return self._page(server.device_page(query.get("user_code", "")))
                return self._json(404, {"error": "not_found"})

            def do_POST(self):  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                with server.lock:
                    if url.path.endswith("/devicecode"):
                        return self._json(200, server.start_device(form, self.headers["Host"]))
                    if url.path.endswith("/token"):
                        status, body = server.token(form)
                        return self._json(status, body)
                    if url.path.endswith("/authorize"):
                        return self._redirect(server.approve_code(form))
                    if url.path == "/device":
                        return self._page(server.approve_device(form))
                    if url.path == "/introspect":
                        return self._json(200, server.introspect(form.get("token", "")))
                return self._json(404, {"error": "not_found"})

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _page(self, text):
                data = f"<!doctype html><html><body>{text}</body></html>".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _redirect(self, location):
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- pages a person sees at the provider ---
    def consent_page(self, query: dict) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items()
        )
        return (f'<h1>Allow OTP Dash?</h1><form method="post">{hidden}'
                '<label>Email <input name="email"></label><button>Allow</button></form>')  # fmt: skip

    def device_page(self, user_code: str) -> str:
        return ('<h1>Enter the code</h1><form method="post"><label>Code <input name="user_code" '
                f'value="{html.escape(user_code)}"></label><label>Email <input name="email"></label>'
                "<button>Allow</button></form>")  # fmt: skip

    # --- the protocol ---
    def approve_code(self, form: dict) -> str:
        code = secrets.token_urlsafe(16)
        self.codes[code] = dict(form)
        query = urllib.parse.urlencode({"code": code, "state": form.get("state", "")})
        return f"{form['redirect_uri']}?{query}"

    def start_device(self, form: dict, host: str) -> dict:
        device_code, user_code = secrets.token_urlsafe(24), secrets.token_hex(4).upper()
        self.devices[device_code] = {"user_code": user_code, "email": None, "scope": form.get("scope", "")}
        return {"device_code": device_code, "user_code": user_code, "verification_uri": f"http://{host}/device",
                "expires_in": 900, "interval": 1, "message": f"Enter {user_code}"}  # fmt: skip

    def approve_device(self, form: dict) -> str:
        for grant in self.devices.values():
            if grant["user_code"] == form.get("user_code", "").strip().upper():
                grant["email"] = form.get("email", "")
                return "<h1>Done: you can close this page</h1>"
        return "<h1>Unknown code</h1>"

    def token(self, form: dict) -> tuple[int, dict]:
        grant = form.get("grant_type")
        if grant == "authorization_code":
            issued = self.codes.pop(form.get("code", ""), None)
            if issued is None or issued.get("redirect_uri") != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant"}
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if issued.get("code_challenge_method") != "S256" or digest != issued.get("code_challenge"):
                return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
            return 200, self._issue(issued["email"])
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            device = self.devices.get(form.get("device_code", ""))
            if device is None:
                return 400, {"error": "expired_token"}
            if not device["email"]:
                return 400, {"error": "authorization_pending"}
            self.devices.pop(form["device_code"])
            return 200, self._issue(device["email"])
        if grant == "refresh_token":
            email = self.refresh.pop(form.get("refresh_token", ""), None)
            if email is None:
                return 400, {"error": "invalid_grant", "error_description": "refresh token revoked or used"}
            self.used_refresh.append(form["refresh_token"])
            return 200, self._issue(email)  # a new refresh token: the old one is spent (rotation)
        return 400, {"error": "unsupported_grant_type"}

    def _issue(self, email: str) -> dict:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access[access] = {"email": email, "expires": time.time() + self.access_ttl}
        self.refresh[refresh] = email
        return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": self.access_ttl}

    def introspect(self, token: str) -> dict:
        grant = self.access.get(token)
        if grant is None or grant["expires"] < time.time():
            return {"active": False}
        return {"active": True, "email": grant["email"]}

    def revoke_all(self) -> None:
        with self.lock:
            self.refresh.clear()
            self.access.clear()

    def dovecot_config(self, folder) -> str:
        """Dovecot settings that make it accept XOAUTH2 and OAUTHBEARER, checking tokens here; the
        passdb's args file is written into `folder`."""
        args = folder / "oauth2.conf"
        args.write_text(
            f"introspection_mode = post\nintrospection_url = {self.url}/introspect\nusername_attribute = email\n"
            "active_attribute = active\nactive_value = true\nforce_introspection = yes\n"
        )
        return f"auth_mechanisms = plain login xoauth2 oauthbearer\npassdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {args}\n}}\n"
