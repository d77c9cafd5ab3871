from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    """The first page: what OTP Dash does. It shows no data, so it needs no sign-in."""
    return render(request, "front/home.html")
