from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as people
from dashboard import views as dashboard
from incidents import views as incidents
from msaccounts import views as breach_views
from notify import views as notify_views
from ops import views as ops
from scanner import views

# The Django admin signs in through allauth: same rate limits, same second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("setup/", people.setup, name="setup"),
    path("healthz", ops.healthz, name="healthz"),
    # Pages without our <link rel="icon"> (the Django admin's) make browsers ask for this one.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("join/<str:token>/", people.join, name="join"),
    path("accounts/password/reset/", people.password_reset, name="account_reset_password"),
    path("accounts/email/", people.email_addresses, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", dashboard.household, name="dashboard"),
    path("me/", dashboard.me, name="me"),
    path("profile/", people.profile, name="profile"),
    path("whoami/", people.whoami, name="whoami"),
    path("household/", people.people, name="people"),
    path("household/invite/", people.invite, name="invite"),
    path("household/settings/", people.household_settings, name="household_settings"),
    path("household/invitations/<uuid:code>/revoke/", people.revoke, name="invitation_revoke"),
    path("household/members/<uuid:code>/role/", people.change_role, name="member_role"),
    path("household/members/<uuid:code>/remove/", people.remove_person, name="member_remove"),
    path("codes/", incidents.code_list, name="codes"),
    path("codes/window/", incidents.sign_in_window, name="sign_in_window"),
    path("codes/<uuid:code>/answer/", incidents.code_answer, name="code_answer"),
    path("incidents/", incidents.incident_list, name="incidents"),
    path("incidents/log/", incidents.audit_log, name="audit_log"),
    path("incidents/<uuid:code>/", incidents.incident_detail, name="incident_detail"),
    path("incidents/<uuid:code>/action/", incidents.incident_action, name="incident_action"),
    path("mailboxes/", include("scanner.urls")),
    path("microsoft-accounts/", include("msaccounts.urls")),
    path("notifications/", include("notify.urls")),
    path("answer/<str:token>/", notify_views.answer, name="answer_link"),
    path("unsubscribe/<str:token>/", notify_views.unsubscribe, name="unsubscribe"),
    path("household/breaches/", breach_views.breach_settings, name="breach_settings"),
    path("admin/", admin.site.urls),
]
