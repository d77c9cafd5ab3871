from django.urls import path

from . import preview, views, webhook_views

urlpatterns = [
    path("notifications/", views.preferences, name="notifications"),
    path("notifications/digest/", preview.digest_preview, name="digest_preview"),
    path("notifications/digest/mail/", preview.digest_preview_mail, name="digest_preview_mail"),
    path("notifications/channels/", views.channel_add, name="channel_add"),
    path("notifications/escalation/", views.escalation, name="escalation"),
    path("notifications/channels/<uuid:code>/", views.channel_action, name="channel_action"),
    path("notifications/webhooks/", webhook_views.webhook_add, name="webhook_add"),
    path("notifications/webhooks/<uuid:code>/secret/", webhook_views.webhook_rotate, name="webhook_rotate"),
    path("answer/<str:token>/", views.answer, name="answer_link"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("take/<str:token>/", views.take, name="take_link"),
    path("notifications/snooze/<uuid:code>/", views.snooze, name="snooze"),
]
