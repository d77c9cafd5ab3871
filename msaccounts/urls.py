from django.urls import path

from . import views

urlpatterns = [
    path("microsoft-accounts/", views.account_list, name="account_list"),
    path("microsoft-accounts/<uuid:code>/", views.account_detail, name="account_detail"),
    path("microsoft-accounts/<uuid:code>/step/", views.account_step, name="account_step"),
    path("microsoft-accounts/<uuid:code>/claim/", views.account_claim, name="account_claim"),
    path("microsoft-accounts/<uuid:code>/kind/", views.account_kind, name="account_kind"),
    path("never-enter-a-code/", views.acknowledge_codes, name="acknowledge_codes"),
    path("household/breaches/", views.breach_settings, name="breach_settings"),
]
