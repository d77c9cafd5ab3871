from django.urls import path

from . import views

# Included under /profile/tokens/: the profile page's forms post here.
urlpatterns = [
    path("new/", views.token_create, name="api_token_create"),
    path("<uuid:code>/revoke/", views.token_revoke, name="api_token_revoke"),
]
