from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """Django's makemessages, also extracting N_("…"): strings marked where they are defined and
    translated where they are shown (the reasons on findings)."""

    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
