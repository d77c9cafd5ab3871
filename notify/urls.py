from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.preferences, name="notifications"),
    path("notifications/channels/", views.channel_add, name="channel_add"),
    path("notifications/channels/<uuid:code>/", views.channel_action, name="channel_action"),
    path("answer/<str:token>/", views.answer, name="answer_link"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
