"""The project's URL map: each app's own urls.py, allauth's and the admin's."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

# The Django admin signs in through allauth: same rate limits, same second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("ops.urls")),
    # Pages without our <link rel="icon"> (the Django admin's) make browsers ask for this one.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("", include("accounts.urls")),  # before allauth's: it replaces two of allauth's pages
    path("accounts/", include("allauth.urls")),
    path("", include("incidents.urls")),
    path("", include("mailboxes.urls")),
    path("", include("msaccounts.urls")),
    path("", include("notify.urls")),
    path("api/v1/", include("api.urls")),
    path("profile/tokens/", include("api.token_urls")),
    path("", include("homeassistant.urls")),
    path("admin/", admin.site.urls),
]
