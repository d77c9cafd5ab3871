from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scanner import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mailboxes/", include("scanner.urls")),
    path("admin/", admin.site.urls),
]
