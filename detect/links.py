"""Links as their author wrote them: undoing the rewriting of mail security gateways.

A receiving organisation's gateway may rewrite every link in a mail so that a click passes its
check first. Judged as written, Microsoft's own links in a genuine mail would look like links to
a stranger's site, and an impostor's link wrapped by Microsoft's own Safe Links would look like
Microsoft's. Each format here is the vendor's documented or widely published one:

- Proofpoint URL Defense v1/v2: `urldefense.proofpoint.com/v2/url?u=<url>`, in v2 with "-" for "%"
  and "_" for "/";
- Proofpoint v3: `urldefense.com/v3/__<url>__;<replaced characters>!!<token>`;
- Microsoft Defender Safe Links: `<region>.safelinks.protection.outlook.com/?url=<url>`;
- Barracuda Link Protection: `linkprotect.cudasvc.com/url?a=<url>`;
- Cisco Secure Email: `secure-web.cisco.com/<token>/<url>`;
- Mimecast URL Protect: `protect-<region>.mimecast.com/s/<token>?domain=<host>` (the address itself
  stays at Mimecast; only its host is given).

A gateway link whose original cannot be read is opaque: it says nothing either way. So is a link
an antivirus product adds in its footer ("Virus-free. www.avast.com"): it says nothing about the
mail's author, and a link that is ignored can only take a tell away, never add trust.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

_MAX_LINK = 4096
# Vendors whose mail scanners and clients add a footer with a link to themselves.
ANTIVIRUS_FOOTERS = frozenset(
    {"avast.com", "avg.com", "eset.com", "kaspersky.com", "bitdefender.com", "sophos.com", "mcafee.com",
     "norton.com", "trendmicro.com", "gdata.de", "f-secure.com", "avira.com"}
)  # fmt: skip
_MAX_LAYERS = 3  # Safe Links around Proofpoint around Barracuda is already more than mail shows


def unwrap(link: str) -> str | None:
    """The original address behind a gateway's rewritten link (the link itself when no gateway
    rewrote it), or None when a gateway rewrote it and the original cannot be read."""
    for _ in range(_MAX_LAYERS):
        original = _one_layer(link[:_MAX_LINK])
        if original is _NOT_A_GATEWAY:
            return link
        if not original:
            return None
        link = original
    return link


_NOT_A_GATEWAY = object()


def _one_layer(link: str):
    try:
        parts = urlsplit(link.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return _NOT_A_GATEWAY
    if host == "urldefense.proofpoint.com":
        return _proofpoint_v1_v2(parts.path, parts.query)
    if host == "urldefense.com" and parts.path.startswith("/v3/__"):
        return _proofpoint_v3(link)
    if host.endswith(".safelinks.protection.outlook.com"):
        return _query_value(parts.query, "url")
    if host == "linkprotect.cudasvc.com":
        return _query_value(parts.query, "a")
    if host == "secure-web.cisco.com":
        return _cisco(parts.path)
    if host.startswith("protect") and host.endswith(".mimecast.com"):
        domain = _query_value(parts.query, "domain")
        return f"https://{domain}/" if domain and "/" not in domain else None
    return _NOT_A_GATEWAY


def _query_value(query: str, name: str) -> str | None:
    try:
        values = parse_qs(query, max_num_fields=50).get(name)
    except ValueError:  # more fields than any gateway writes: not a link to read
        return None
    return values[0] if values else None


def _proofpoint_v1_v2(path: str, query: str) -> str | None:
    value = _query_value(query, "u")
    if not value:
        return None
    if path.startswith("/v2/"):
        value = value.replace("-", "%").replace("_", "/")
    return unquote(value)


def _proofpoint_v3(link: str) -> str | None:
    start = link.find("/v3/__") + len("/v3/__")
    end = link.find("__;", start)
    if end < 0:
        end = link.find("__", start)
    return link[start:end] if end > start else None


def _cisco(path: str) -> str | None:
    # /<token>/<percent-encoded original>
    _, _, rest = path.lstrip("/").partition("/")
    original = unquote(rest)
    return original if original.lower().startswith(("http://", "https://")) else None
