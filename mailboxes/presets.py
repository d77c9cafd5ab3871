"""Server settings of common providers, and what each needs before IMAP works."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    host: str
    port: int
    security: str
    note: str  # gettext_lazy: shown in the reader's language
    oauth_only: bool = False
    oauth: str = ""  # the OAuth2 provider that signs this mailbox in, when set up


PRESETS = {
    preset.key: preset
    for preset in (
        Preset(
            "gmail",
            "Gmail",
            "imap.gmail.com",
            993,
            "ssl",
            gettext_lazy(
                "Sign in with Google, or: Gmail needs an app password (made in the account's security settings once two-step verification is on). "
                "Junk is called [Gmail]/Spam."
            ),
            oauth="google",
        ),
        Preset(
            "outlook",
            "Outlook.com / Hotmail / Live",
            "outlook.office365.com",
            993,
            "ssl",
            gettext_lazy(
                "Outlook.com accepts only OAuth2 sign-in for IMAP: sign in with Microsoft. Passwords and app "
                "passwords are refused."
            ),
            oauth_only=True,
            oauth="microsoft",
        ),
        Preset(
            "m365",
            gettext_lazy("Microsoft 365 (work or school)"),
            "outlook.office365.com",
            993,
            "ssl",
            gettext_lazy(
                "Microsoft 365 accepts only OAuth2 sign-in for IMAP: sign in with Microsoft (your organisation's "
                "admin may have to allow OTP Dash first)."
            ),
            oauth_only=True,
            oauth="microsoft",
        ),
        Preset(
            "yahoo",
            "Yahoo Mail",
            "imap.mail.yahoo.com",
            993,
            "ssl",
            gettext_lazy(
                "Yahoo needs an app password (made in the account's security settings once two-step verification is on)."
            ),
        ),
        Preset(
            "icloud",
            "iCloud Mail",
            "imap.mail.me.com",
            993,
            "ssl",
            gettext_lazy(
                "iCloud needs an app-specific password from appleid.apple.com; the username is your iCloud address."
            ),
        ),
        Preset(
            "aol",
            "AOL Mail",
            "imap.aol.com",
            993,
            "ssl",
            gettext_lazy(
                "AOL needs an app password (made in the account's security settings once two-step verification is on)."
            ),
        ),
        Preset(
            "gmx",
            "GMX",
            "imap.gmx.net",
            993,
            "ssl",
            gettext_lazy("GMX: switch on IMAP access under E-Mail > Settings > POP3/IMAP first."),
        ),
        Preset(
            "webde",
            "WEB.DE",
            "imap.web.de",
            993,
            "ssl",
            gettext_lazy("WEB.DE: switch on IMAP access under E-Mail > Settings > POP3/IMAP first."),
        ),
        Preset(
            "fastmail",
            "Fastmail",
            "imap.fastmail.com",
            993,
            "ssl",
            gettext_lazy(
                "Fastmail needs an app password (made in the account's security settings once two-step verification is on)."
            ),
        ),
        Preset(
            "mailbox_org",
            "mailbox.org",
            "imap.mailbox.org",
            993,
            "ssl",
            gettext_lazy("mailbox.org works with your normal password or an app password."),
        ),
        Preset("posteo", "Posteo", "posteo.de", 993, "ssl", gettext_lazy("Posteo works with your normal password.")),
        Preset(
            "zoho",
            "Zoho Mail",
            "imap.zoho.com",
            993,
            "ssl",
            gettext_lazy(
                "Zoho: switch on IMAP access in the mail settings; with two-step verification it needs an app password."
            ),
        ),
        Preset(
            "proton",
            "Proton Mail Bridge",
            "127.0.0.1",
            1143,
            "starttls",
            gettext_lazy(
                "Proton Mail is read through Proton Mail Bridge on this machine: use the password the Bridge shows "
                "and trust its certificate file (exported from the Bridge settings)."
            ),
        ),
    )
}
