from django.urls import path

from . import exports, search, views, windows

urlpatterns = [
    path("codes/", views.code_list, name="codes"),
    path("codes/window/", views.sign_in_window, name="sign_in_window"),
    path("codes/window/end/", windows.end_sign_in_window, name="sign_in_window_end"),
    path("codes/export.csv", exports.codes_csv, name="codes_csv"),
    path("codes/<uuid:code>/", views.finding_detail, name="finding_detail"),
    path("codes/<uuid:code>/answer/", views.code_answer, name="code_answer"),
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/bulk/", views.incident_bulk, name="incident_bulk"),
    path("incidents/log/", views.audit_log, name="audit_log"),
    path("incidents/log/export.csv", exports.audit_csv, name="audit_csv"),
    path("incidents/export.csv", exports.incidents_csv, name="incidents_csv"),
    path("search/", search.search, name="search"),
    path("incidents/<uuid:code>/", views.incident_detail, name="incident_detail"),
    path("incidents/<uuid:code>/action/", views.incident_action, name="incident_action"),
    path("incidents/<uuid:code>/take/", views.incident_take, name="incident_take"),
]
