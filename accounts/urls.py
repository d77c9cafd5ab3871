from django.urls import path

from . import views

# Before allauth's own URLs in the project map: these two replace allauth's pages of the same name.
urlpatterns = [
    path("setup/", views.setup, name="setup"),
    path("join/<str:token>/", views.join, name="join"),
    path("accounts/password/reset/", views.password_reset, name="account_reset_password"),
    path("accounts/email/", views.email_addresses, name="account_email"),
    path("profile/", views.profile, name="profile"),
    path("whoami/", views.whoami, name="whoami"),
    path("household/", views.people, name="people"),
    path("household/invite/", views.invite, name="invite"),
    path("household/settings/", views.household_settings, name="household_settings"),
    path("household/mail/", views.mail_setup, name="mail_setup"),
    path("household/invitations/<uuid:code>/revoke/", views.revoke, name="invitation_revoke"),
    path("household/members/<uuid:code>/role/", views.change_role, name="member_role"),
    path("household/members/<uuid:code>/remove/", views.remove_person, name="member_remove"),
]
