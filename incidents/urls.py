from django.urls import path

from . import views

urlpatterns = [
    path("codes/", views.code_list, name="codes"),
    path("codes/window/", views.sign_in_window, name="sign_in_window"),
    path("codes/<uuid:code>/answer/", views.code_answer, name="code_answer"),
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/log/", views.audit_log, name="audit_log"),
    path("incidents/<uuid:code>/", views.incident_detail, name="incident_detail"),
    path("incidents/<uuid:code>/action/", views.incident_action, name="incident_action"),
]
