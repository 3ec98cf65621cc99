"""Emailing handouts, under /deliveries/ (namespace "deliveries")."""

from django.urls import path

from assessments import delivery_views as views

app_name = "deliveries"

urlpatterns = [
    path("versions/<uuid:code>/send/", views.send_handout, name="send"),
    path("<uuid:code>/status/", views.delivery_status, name="status"),
    path("message/", views.handout_email_settings, name="message"),
]
