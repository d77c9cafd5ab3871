from django.urls import path

from . import views

urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("<uuid:code>/", views.account_detail, name="account_detail"),
    path("<uuid:code>/step/", views.account_step, name="account_step"),
    path("<uuid:code>/claim/", views.account_claim, name="account_claim"),
]
