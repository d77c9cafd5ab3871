"""The first page renders with the base template and htmx from our own static files."""

import re


def test_home_page_renders_with_local_htmx(client, member):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>OTP Dash</title>" in page
    assert "Never enter a code you did not ask for" in page
    sources = re.findall(r'<script[^>]*src="([^"]+)"', page)
    # Every script is one of ours, served from /static/: htmx vendored, the copy buttons and the zone box.
    assert sources == ["/static/vendor/htmx-2.0.11.min.js", "/static/js/copy.js", "/static/js/zone.js"]
    assert "<script>" not in page  # no inline scripts: the CSP of a later issue forbids them


def test_htmx_is_served_offline(client):
    response = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert b"htmx" in b"".join(response.streaming_content)[:200]


def test_home_page_refuses_post(client):
    assert client.post("/").status_code == 405
