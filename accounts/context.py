from .access import current_member


def member(request):
    """The signed-in member for the navigation."""
    return {"member": current_member(request)}
