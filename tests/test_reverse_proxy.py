"""The README's nginx example, run for real in front of the app with TLS: the owner is created through
it (forms posted over HTTPS pass the CSRF checks, the session cookie is Secure, HSTS is sent), and
plain HTTP is sent to HTTPS."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.certs import write_certificates
from tests.manage_process import ROOT, Install
from tests.waiting import free_port

MISSING = "nginx is missing: run `make test` as root (it installs it), or `apt-get install -y nginx`."


def readme_nginx_example() -> str:
    readme = (ROOT / "README.md").read_text()
    return re.search(r"^nginx:\n\n```\n(.*?)```", readme, re.S | re.M).group(1)


def nginx_config(folder, https_port: int, http_port: int, app_port: int) -> str:
    servers = (
        readme_nginx_example()
        .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
        .replace("server_name otp.example.org;", "server_name localhost;")
        .replace("/etc/letsencrypt/live/otp.example.org/fullchain.pem", str(folder / "server.pem"))
        .replace("/etc/letsencrypt/live/otp.example.org/privkey.pem", str(folder / "server.key"))
        .replace("proxy_pass http://127.0.0.1:8000;", f"proxy_pass http://127.0.0.1:{app_port};")
    )
    temp = "\n".join(
        f"  {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {folder}/access.log;\n{temp}\n{servers}}}\n"
    )


@pytest.fixture
def proxied_app(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not shutil.which(nginx):
        pytest.fail(MISSING, pytrace=False)
    proxy_dir = tmp_path / "nginx"
    proxy_dir.mkdir()
    ca_file = write_certificates(proxy_dir)
    https_port, http_port, app_port = free_port(), free_port(), free_port()
    (proxy_dir / "nginx.conf").write_text(nginx_config(proxy_dir, https_port, http_port, app_port))
    install = Install(tmp_path / "data")
    install.env.update(OTPDASH_HTTPS="true", OTPDASH_BASE_URL=f"https://localhost:{https_port}",
                       OTPDASH_TRUSTED_PROXIES="127.0.0.1")  # fmt: skip
    install.manage("migrate", "--noinput", "-v", "0")
    app = subprocess.Popen([sys.executable, "-m", "otpdash.stack", "--bind", f"127.0.0.1:{app_port}", "web"], cwd=ROOT,
                           env=install.env, stdout=(tmp_path / "app.log").open("w"), stderr=subprocess.STDOUT)  # fmt: skip
    # As root, nginx runs its workers as root too here: they only read the test's own files.
    user = (
        "user root root;" if subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() == "0" else ""
    )
    proxy = subprocess.Popen([nginx, "-p", str(proxy_dir), "-c", str(proxy_dir / "nginx.conf"), "-g", f"daemon off; {user}"],
                             stdout=(tmp_path / "nginx.out").open("w"), stderr=subprocess.STDOUT)  # fmt: skip
    try:
        yield install, https_port, http_port, ssl.create_default_context(cafile=str(ca_file)), tmp_path
    finally:
        for process in (proxy, app):
            process.terminate()
        for process in (proxy, app):
            process.wait(timeout=20)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_owner_is_created_through_the_readme_nginx_proxy_over_tls(proxied_app):
    install, https_port, http_port, tls, tmp_path = proxied_app
    base = f"https://localhost:{https_port}"
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=tls), urllib.request.HTTPCookieProcessor(jar)
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            page = browser.open(f"{base}/setup/", timeout=5)
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise AssertionError(  # noqa: B904 (the logs say more than the connection error)
                    (tmp_path / "nginx" / "error.log").read_text()[-2000:] + (tmp_path / "app.log").read_text()[-2000:]
                )
            time.sleep(0.3)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    form = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    fields = {"csrfmiddlewaretoken": token, "household": "Proxy test", "display_name": "Owner", "username": "owner",
              "email": "owner@example.org", "password1": "a long test password 42", "password2": "a long test password 42"}  # fmt: skip
    # A browser sends where the form came from; the proxy passes Host without the port, so this passes
    # only because the base URL's origin is trusted.
    request = urllib.request.Request(f"{base}/setup/", data=urllib.parse.urlencode(fields).encode(),
                                     headers={"Referer": f"{base}/setup/", "Origin": base})  # fmt: skip
    done = browser.open(request, timeout=10)
    assert done.status == 200 and urllib.parse.urlsplit(done.url).path != "/setup/", done.read().decode()[:2000]
    session = [cookie for cookie in jar if cookie.name == "sessionid"]
    assert session and session[0].secure
    assert install.query("SELECT username FROM auth_user") == [("owner",)]

    plain = urllib.request.build_opener(NoRedirect())
    with pytest.raises(urllib.error.HTTPError) as redirect:
        plain.open(f"http://localhost:{http_port}/dashboard/", timeout=5)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == "https://localhost/dashboard/"
