from django.urls import path

from . import oauth_views, views

urlpatterns = [
    path("mailboxes/", views.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views.mailbox_new, name="mailbox_new"),
    path("mailboxes/test/", views.mailbox_test, name="mailbox_test"),
    path("mailboxes/checks/<uuid:code>/", views.check_status, name="mailbox_check"),
    path("mailboxes/<uuid:code>/", views.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<uuid:code>/test/", views.mailbox_test, name="mailbox_test_saved"),
    path("mailboxes/<uuid:code>/pause/", views.mailbox_pause, name="mailbox_pause"),
    path("mailboxes/<uuid:code>/scan/", views.mailbox_scan, name="mailbox_scan"),
    path("mailboxes/<uuid:code>/remove/", views.mailbox_remove, name="mailbox_remove"),
    path("mailboxes/<uuid:code>/reconnect/", oauth_views.oauth_reconnect, name="oauth_reconnect"),
    path("mailboxes/microsoft-app/", oauth_views.microsoft_app, name="microsoft_app"),
    path("mailboxes/oauth/<str:name>/", oauth_views.oauth_start, name="oauth_start"),
    path("mailboxes/oauth/device/<uuid:code>/", oauth_views.oauth_device, name="oauth_device"),
    path("mailboxes/oauth-callback/", oauth_views.oauth_callback, name="oauth_callback"),
]
