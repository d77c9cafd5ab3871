"""The checklist's steps, in words and with Microsoft's own pages: one list for a personal Microsoft
account, one for a work or school account (Microsoft Entra ID), and a step for apps with access that
joins either list once Microsoft said a new app was connected.

Page names in `how` are Microsoft's own, so a person finds the button the step names. Sources:
- account.live.com/consent/Manage: the "Manage your apps" button of the genuine "New app(s) connected
  to your Microsoft account" mail (docs/microsoft-mail-facts.md 4.3, a real message).
- The alias click path: Microsoft's "Change the email address or phone number for your Microsoft
  account" and "Manage aliases" (support.microsoft.com article 12407): Your info, Edit account info,
  "Manage how you sign in to Microsoft", Add email, Make primary, Change sign-in preferences.
- Work or school: Microsoft Learn / support "View your work or school account sign-in activity from
  My Sign-ins" (My Account, My sign-ins, Review recent activity; "change your password, and then go to
  Security info", linked as https://mysignins.microsoft.com/security-info), "Change your work or
  school account password" (My Account, Password, Change password; the page it opens is
  mysignins.microsoft.com/security-info/password/change), and "Edit or revoke application
  permissions" (My Apps at https://myapps.microsoft.com: "...", Manage your application, Revoke
  Permissions; what an administrator consented to only they can revoke).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Step:
    key: str
    title: str  # gettext_lazy: read in the language of whoever is shown the step
    url: str  # empty: the step is done away from Microsoft's pages (telling an IT admin)
    why: str
    how: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    """A step's column in the people × steps matrix: the same key means the same job whatever the
    account's kind, so one column holds both kinds' password step."""

    key: str
    title: str


# Not a step: said once per person (checklist.acknowledge_codes; the words are in _never_enter.html).
NEVER_ENTER = gettext_lazy("Never enter or read out a code you did not ask for")

PERSONAL_APPS = Step(
    "apps",
    gettext_lazy("Remove apps you did not give access to your account"),
    "https://account.live.com/consent/Manage",
    gettext_lazy(
        "Microsoft said a new app was connected. An app you allowed reads your mail, files or contacts without "
        "a password or a code, and keeps doing so after you change the password, until it is removed."
    ),
    (
        gettext_lazy(
            "Open the page from here rather than from the mail's “Manage your apps” button: a lookalike mail has "
            "the same button."
        ),
        gettext_lazy("Remove every app you do not recognise or no longer use."),
        gettext_lazy("Then open Devices on account.microsoft.com and remove any device you do not know."),
    ),
)
WORK_APPS = Step(
    "apps",
    gettext_lazy("Revoke app permissions you did not grant"),
    "https://myapps.microsoft.com",
    gettext_lazy(
        "Microsoft said a new app was connected. An app you consented to reads your work mail or files on its "
        "own, and a password change does not stop it."
    ),
    (
        gettext_lazy("In My Apps, point at an app, select … and then Manage your application."),
        gettext_lazy("Choose Revoke Permissions for anything you did not grant."),
        gettext_lazy(
            "Permissions your administrator granted cannot be revoked there: tell your IT admin about any app "
            "you do not know."
        ),
    ),
)

PERSONAL_STEPS = (
    Step(
        "password",
        gettext_lazy("Change the password, and everywhere else it was used"),
        "https://account.live.com/password/Change",
        gettext_lazy(
            "Your address came from a leaked list, often with a password beside it; a security or reset code means "
            "someone may already have it. Every site where that password was reused is open the same way."
        ),
    ),
    Step(
        "two_step",
        gettext_lazy("Turn on two-step verification (or the Microsoft Authenticator app)"),
        "https://account.live.com/proofs/manage/additional",
        gettext_lazy(
            "With two-step verification a stolen password alone no longer opens the account. The Authenticator app "
            "also shows you each sign-in attempt instead of mailing codes."
        ),
    ),
    Step(
        "activity",
        gettext_lazy("Review recent activity, and sign out everywhere if anything is unknown"),
        "https://account.live.com/Activity",
        gettext_lazy(
            "The activity page lists every sign-in with its place and device: it tells you whether an attempt got "
            "through. Signing out everywhere ends any session the attacker already has."
        ),
    ),
    Step(
        "security_info",
        gettext_lazy("Check the security info (recovery email and phone) is yours"),
        "https://account.live.com/proofs/manage",
        gettext_lazy(
            "An attacker who gets in adds their own recovery address or phone to lock you out later. Only your own "
            "should be listed there."
        ),
    ),
    Step(
        "alias",
        gettext_lazy("Add a private sign-in alias, make it primary, and turn off sign-in with the exposed address"),
        "https://account.live.com/names/manage",
        gettext_lazy(
            "The address on the attacker's list is what they type to ask for codes. Signing in with a private alias "
            "only, and turning off sign-in with the exposed one, makes the list useless."
        ),
        (
            gettext_lazy(
                "On account.microsoft.com open Your info, then Edit account info: the page “Manage how you sign in "
                "to Microsoft” (the button below opens it directly)."
            ),
            gettext_lazy(
                "Under Account aliases choose Add email, create a new address that you give to nobody, and add it "
                "as an alias."
            ),
            gettext_lazy("Choose Make primary beside the new alias."),
            gettext_lazy(
                "Under Sign-in preferences choose Change sign-in preferences, untick the exposed address and save. "
                "Mail to it still arrives; nobody can sign in with it or ask for codes with it any more."
            ),
        ),
    ),
    Step(
        "passwordless",
        gettext_lazy("Go passwordless"),
        "https://account.live.com/proofs/manage/additional",
        gettext_lazy(
            "An account without a password has none to steal or guess: sign-in needs your phone or security key. "
            "Password-spraying and credential-stuffing against it then fail."
        ),
    ),
)

WORK_STEPS = (
    Step(
        "password",
        gettext_lazy("Change the password"),
        "https://mysignins.microsoft.com/security-info/password/change",
        gettext_lazy(
            "Your address came from a leaked list, often with a password beside it; a security or reset code means "
            "someone may already have it."
        ),
        (
            gettext_lazy(
                "If the page says your organisation does not let you change it there, ask your IT admin to reset it."
            ),
        ),
    ),
    Step(
        "two_step",
        gettext_lazy("Sign in with Microsoft Authenticator"),
        "https://mysignins.microsoft.com/security-info",
        gettext_lazy(
            "With an authenticator a stolen password alone no longer opens the account, and the app shows you each "
            "sign-in attempt."
        ),
        (
            gettext_lazy(
                "On Security info choose Add sign-in method, then Microsoft Authenticator, and follow the steps."
            ),
            gettext_lazy("Make it the default sign-in method if the page offers to."),
        ),
    ),
    Step(
        "activity",
        gettext_lazy("Review your recent sign-ins on My Sign-Ins"),
        "https://mysignins.microsoft.com/",
        gettext_lazy(
            "The list shows every sign-in with its place, device and app: it tells you whether an attempt got through."
        ),
        (
            gettext_lazy("Open Recent activity and expand each sign-in."),
            gettext_lazy(
                "If one is not yours, change the password at once and tell your IT admin: they can end every session."
            ),
        ),
    ),
    Step(
        "security_info",
        gettext_lazy("Check every sign-in method in Security info is yours"),
        "https://mysignins.microsoft.com/security-info",
        gettext_lazy(
            "An attacker who gets in adds their own phone or authenticator to come back later. Only your own should "
            "be listed there."
        ),
        (gettext_lazy("Delete any method you do not recognise."),),
    ),
    Step(
        "it_admin",
        gettext_lazy("Tell your IT admin"),
        "",
        gettext_lazy(
            "Your organisation runs this account: its admins see every sign-in, can end sessions and block the "
            "attacker, and decide how you sign in. A private alias or going passwordless is theirs to set up here, "
            "not yours."
        ),
        (gettext_lazy("Say which address is targeted and since when; the account's page here lists the waves."),),
    ),
)

# Every key a step can have, in the matrix's column order.
COLUMNS = (
    Column("apps", gettext_lazy("Apps with access")),
    Column("password", gettext_lazy("Password")),
    Column("two_step", gettext_lazy("Two-step verification")),
    Column("activity", gettext_lazy("Recent activity")),
    Column("security_info", gettext_lazy("Security info")),
    Column("alias", gettext_lazy("Private alias")),
    Column("passwordless", gettext_lazy("Passwordless")),
    Column("it_admin", gettext_lazy("IT admin told")),
)
ALL_KEYS = tuple(column.key for column in COLUMNS)
