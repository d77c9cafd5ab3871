from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and sign-in"

    def ready(self):
        from django.core.checks import register

        from otpdash import datadir

        register(datadir.check)
