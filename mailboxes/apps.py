from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class MailboxesConfig(AppConfig):
    name = "mailboxes"
    verbose_name = gettext_lazy("Linked mailboxes")
