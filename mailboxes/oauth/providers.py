"""The OAuth2 providers for IMAP: where their endpoints are, what to ask for, and which IMAP server
takes the token (XOAUTH2). Read from settings.OAUTH; a provider without a client id is not offered."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    client_id: str
    client_secret: str = field(repr=False)
    authorize_url: str
    token_url: str
    device_url: str  # "" when the provider offers no device-code flow for mail
    scope: str
    imap_host: str
    imap_port: int = 993
    extra_authorize: dict = field(default_factory=dict)
    redirect_flow: bool = True  # the admin registered this install's redirect address

    @property
    def device_flow(self) -> bool:
        return bool(self.device_url)


def provider(name: str) -> Provider | None:
    config = settings.OAUTH.get(name) or {}
    if not config.get("client_id"):
        return None
    if name == "microsoft":
        base = f"{config['login_url'].rstrip('/')}/{config['tenant']}/oauth2/v2.0"
        return Provider(
            name="microsoft",
            label="Microsoft (Outlook.com, Hotmail, Microsoft 365)",
            client_id=config["client_id"],
            client_secret=config.get("client_secret") or "",
            authorize_url=f"{base}/authorize",
            token_url=f"{base}/token",
            device_url=f"{base}/devicecode",
            scope="offline_access https://outlook.office.com/IMAP.AccessAsUser.All",
            imap_host=config.get("imap_host") or "outlook.office365.com",
            imap_port=int(config.get("imap_port") or 993),
            redirect_flow=bool(config.get("redirect")),
        )
    if name == "google":
        return Provider(
            name="google",
            label="Google (Gmail)",
            client_id=config["client_id"],
            client_secret=config.get("client_secret") or "",
            authorize_url=config["authorize_url"],
            token_url=config["token_url"],
            device_url="",  # Google's device flow does not grant the mail scope
            scope="https://mail.google.com/",
            imap_host=config.get("imap_host") or "imap.gmail.com",
            imap_port=int(config.get("imap_port") or 993),
            # A refresh token comes only with offline access, and again only when consent is asked.
            extra_authorize={"access_type": "offline", "prompt": "consent"},
        )
    return None


def available() -> list[Provider]:
    return [p for p in (provider("microsoft"), provider("google")) if p is not None]
