from django.urls import path

from . import views

urlpatterns = [
    path("", views.preferences, name="notifications"),
    path("channels/", views.channel_add, name="channel_add"),
    path("channels/<uuid:code>/", views.channel_action, name="channel_action"),
]
