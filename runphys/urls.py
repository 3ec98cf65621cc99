from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from athletes.views import dashboard
from runphys import views
from runphys.forms import QueuedPasswordResetForm

auth_patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("athletes/", include("athletes.urls")),
    path("assessments/", include("assessments.urls")),
    path("exercises/", include("exercises.urls")),
    path("accounts/", include(auth_patterns)),
    path("clinic/", views.clinic_settings, name="clinic_settings"),
    path("clinic/logo/", views.clinic_logo, name="clinic_logo"),
    path("clinic/audit/", views.audit_log, name="audit_log"),
    path("clinic/members/", views.members, name="members"),
    path("clinic/members/invite/", views.member_invite, name="member_invite"),
    path("clinic/members/<uuid:code>/role/", views.member_role, name="member_role"),
    path("clinic/members/<uuid:code>/active/", views.member_active, name="member_active"),
    path("clinic/invitations/<uuid:code>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("admin/", admin.site.urls),
]
