from django.urls import path

from . import views

urlpatterns = [
    path("household/home-assistant/", views.broker_settings, name="homeassistant"),
    path("household/home-assistant/test/", views.broker_test, name="homeassistant_test"),
    path("household/home-assistant/test/result/", views.broker_test_result, name="homeassistant_test_result"),
    path("household/home-assistant/remove/", views.broker_remove, name="homeassistant_remove"),
]
