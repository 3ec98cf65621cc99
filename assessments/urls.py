from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/<uuid:athlete_code>/", views.assessment_create, name="create"),
    path("<uuid:code>/", views.assessment_detail, name="detail"),
    path("<uuid:code>/edit/", views.assessment_edit, name="edit"),
    path("references/", views.references, name="references"),
    path("references/<uuid:code>/", views.reference_edit, name="reference_edit"),
    path("references/<uuid:code>/restore/", views.reference_restore, name="reference_restore"),
    path("mdc/<uuid:code>/", views.mdc_edit, name="mdc_edit"),
    path("mdc/<uuid:code>/restore/", views.mdc_restore, name="mdc_restore"),
    path("defaults/", views.defaults_edit, name="defaults"),
]
