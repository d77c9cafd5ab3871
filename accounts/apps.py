from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = gettext_lazy("People and sign-in")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.core.checks import register

        from otpdash import datadir

        from .languages import remember_browser_language

        register(datadir.check)
        user_logged_in.connect(remember_browser_language, dispatch_uid="accounts.remember_browser_language")
