from accounts.access import current_member
from otpdash import mail

from .models import Channel


def notices(request):
    """For every page: admins see why mail is not going out; each person sees their channels that
    were switched off after failing."""
    member = current_member(request)
    if member is None:
        return {}
    return {
        "mail_problem": mail.problem() if member.is_admin else None,
        "channels_off": list(Channel.objects.filter(member=member, enabled=False).values_list("label", "last_error")),
    }
