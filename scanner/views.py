from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    """The first page: before anyone exists it leads to set-up; signed in, to the dashboard;
    otherwise it says what OTP Dash does (no data, so no sign-in needed)."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    if not get_user_model().objects.exists():
        return redirect("setup")
    return render(request, "front/home.html")
