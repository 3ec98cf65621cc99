from django.urls import path

from athletes import views

urlpatterns = [
    path("", views.athlete_list, name="athlete_list"),
    path("new/", views.athlete_create, name="athlete_create"),
    path("<uuid:code>/", views.athlete_detail, name="athlete_detail"),
    path("<uuid:code>/edit/", views.athlete_edit, name="athlete_edit"),
    path("<uuid:code>/archive/", views.athlete_archive, name="athlete_archive"),
    path("<uuid:code>/unarchive/", views.athlete_unarchive, name="athlete_unarchive"),
    path("<uuid:code>/export/", views.athlete_export, name="athlete_export"),
    path("<uuid:code>/erase/", views.athlete_erase, name="athlete_erase"),
]
