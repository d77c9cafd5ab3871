from allauth.account.adapter import DefaultAccountAdapter


class HouseholdAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: the first owner is made on the setup page, everyone else
    joins by an invitation link."""

    def is_open_for_signup(self, request):
        return False
