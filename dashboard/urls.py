from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.household, name="dashboard"),
    path("me/", views.me, name="me"),
    path("me/past/", views.past, name="past_activity"),
]
