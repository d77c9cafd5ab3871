from otpdash.secretbox import key_problem

from .access import current_member


def member(request):
    """The signed-in member for the navigation; for admins, a lost encryption key on every page."""
    current = current_member(request)
    problem = key_problem() if current is not None and current.is_admin else None
    return {"member": current, "key_problem": problem}
