from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessments.programs.urls import athlete_patterns, delivery_patterns, program_patterns
from athletes.views import dashboard
from runphys import account_views, views
from runphys.password_reset import PasswordResetRequestForm

auth_patterns = [
    path("login/", account_views.PasswordLoginView.as_view(), name="login"),
    path("login/code/", account_views.login_code, name="login_code"),
    path("confirm/", account_views.reauthenticate, name="reauthenticate"),
    path("two-factor/", account_views.two_factor, name="two_factor"),
    path("two-factor/setup/", account_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/confirm/", account_views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/backup-codes/", account_views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("two-factor/remove/", account_views.two_factor_remove, name="two_factor_remove"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account_views.AuditedPasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetRequestForm),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.AuditedPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("athletes/", include("athletes.urls")),
    path("assessments/", include("assessments.urls")),
    path("programs/", include((program_patterns, "programs"))),
    path("deliveries/", include((delivery_patterns, "deliveries"))),
    path("p/", include((athlete_patterns, "athlete"))),
    path("exercises/", include("exercises.urls")),
    path("accounts/", include(auth_patterns)),
    path("clinic/", views.clinic_settings, name="clinic_settings"),
    path("clinic/logo/", views.clinic_logo, name="clinic_logo"),
    path("clinic/two-factor/", account_views.clinic_two_factor, name="clinic_two_factor"),
    path("clinic/audit/", views.audit_log, name="audit_log"),
    path("clinic/audit/export/", views.audit_log_export, name="audit_log_export"),
    path("clinic/members/", views.members, name="members"),
    path("clinic/members/invite/", views.member_invite, name="member_invite"),
    path("clinic/members/<uuid:code>/role/", views.member_role, name="member_role"),
    path("clinic/members/<uuid:code>/active/", views.member_active, name="member_active"),
    path("clinic/invitations/<uuid:code>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("admin/login/", account_views.admin_login),
    path("admin/password_change/", account_views.admin_password_change),
    path("admin/", admin.site.urls),
]
