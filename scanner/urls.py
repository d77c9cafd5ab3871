from django.urls import path

from . import mailbox_views as views
from . import oauth_views

urlpatterns = [
    path("", views.mailbox_list, name="mailboxes"),
    path("new/", views.mailbox_new, name="mailbox_new"),
    path("test/", views.mailbox_test, name="mailbox_test"),
    path("checks/<uuid:code>/", views.check_status, name="mailbox_check"),
    path("<uuid:code>/", views.mailbox_edit, name="mailbox_edit"),
    path("<uuid:code>/test/", views.mailbox_test, name="mailbox_test_saved"),
    path("<uuid:code>/pause/", views.mailbox_pause, name="mailbox_pause"),
    path("<uuid:code>/scan/", views.mailbox_scan, name="mailbox_scan"),
    path("<uuid:code>/remove/", views.mailbox_remove, name="mailbox_remove"),
    path("<uuid:code>/reconnect/", oauth_views.oauth_reconnect, name="oauth_reconnect"),
    path("oauth/<str:name>/", oauth_views.oauth_start, name="oauth_start"),
    path("oauth/device/<uuid:code>/", oauth_views.oauth_device, name="oauth_device"),
    path("oauth-callback/", oauth_views.oauth_callback, name="oauth_callback"),
]
