"""Clinic settings, member management, invitations and the clinic admin's audit log.

The dashboard is the athletes' home and lives in ``athletes.views`` (runphys imports no domain app).
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from runphys import audit, concurrency, emails, submissions, twofactor, uploads
from runphys import audit_log as audit_log_names
from runphys.forms import AcceptInvitationForm, AuditLogFilterForm, ClinicForm, InvitationForm, MembershipRoleForm
from runphys.models import AuditEvent, Invitation, Membership
from runphys.sessions import reauthentication_required


def is_htmx(request: HttpRequest) -> bool:
    """A request htmx made to swap a part of the page (not a boosted navigation)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_list(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """A list page, or only its ``results`` partial when htmx asks (the search box swaps the results
    in from the same URL, so the response varies on that header)."""
    response = render(request, f"{template}#results" if is_htmx(request) else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def require_clinic_admin(request: HttpRequest) -> None:
    if not request.user.is_clinic_admin:
        raise PermissionDenied("Only a clinic admin can do this.")


@require_http_methods(["GET", "POST"])
def clinic_settings(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request)
    clinic = request.user.clinic
    form = concurrency.track(ClinicForm(request.POST or None, request.FILES or None, instance=clinic), clinic)
    context = {"form": form, "clinic": clinic}
    if request.method == "POST" and form.is_valid():
        try:
            concurrency.save(form, clinic, by=request.user, write=form.save)
        except concurrency.Conflict:
            return render(request, "runphys/clinic_settings.html", context, status=409)
        audit.record("clinic_update", request=request, target=clinic, fields=form.changed_data)
        messages.success(request, "Clinic settings saved.")
        return redirect("clinic_settings")
    return render(request, "runphys/clinic_settings.html", context)


@require_GET
def clinic_logo(request: HttpRequest) -> FileResponse:
    """The logo of the user's own clinic; there is no URL that names another clinic's."""
    clinic = request.user.clinic
    if clinic is None or not clinic.logo:
        raise Http404("No logo.")
    return uploads.serve(clinic.logo.name, clinic.logo.storage)


@require_GET
@reauthentication_required
def members(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request)
    memberships = twofactor.with_enrolment(
        Membership.objects.for_user(request.user).select_related("user").order_by("user__full_name"))
    invitations = Invitation.objects.for_user(request.user).pending().order_by("-created_at")
    return render(request, "runphys/members.html", {"memberships": memberships, "invitations": invitations})


@require_http_methods(["GET", "POST"])
@reauthentication_required
def member_invite(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request)
    clinic = request.user.clinic
    form = submissions.carry(InvitationForm(request.POST or None, clinic=clinic))
    if request.method == "POST" and (sent := submissions.earlier(request, form)):
        messages.info(request, submissions.REPEATED)
        return redirect(sent)
    if request.method == "POST" and form.is_valid():
        def make() -> Invitation:
            invitation, token = Invitation.issue(
                clinic=clinic,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
                invited_by=request.user,
            )
            audit.record("member_invite", request=request, target=invitation)
            emails.send_invitation(invitation, request.build_absolute_uri(Invitation.accept_path(token)))
            return invitation

        try:
            done = submissions.once(request, form, make, url=lambda _: reverse("members"))
        except emails.EmailLimitReached as limit:
            messages.error(request, str(limit))
        else:
            return done.answer(request, lambda made: f"Invitation sent to {made.email}.")
    return render(request, "runphys/member_invite.html", {"form": form})


@require_POST
@reauthentication_required
def member_role(request: HttpRequest, code: UUID) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.for_user(request.user), code=code)
    require_clinic_admin(request)
    form = MembershipRoleForm(request.POST, instance=membership)
    if membership.user == request.user:
        messages.error(request, "You cannot change your own role; ask another clinic admin.")
    elif form.is_valid():
        form.save()
        audit.record("member_role", request=request, target=membership, fields=["role"])
        messages.success(request, f"{membership.user} is now {membership.get_role_display().lower()}.")
    else:
        messages.error(request, "Choose a valid role.")
    return redirect("members")


@require_POST
@reauthentication_required
def member_active(request: HttpRequest, code: UUID) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate a member. Deactivated users cannot log in."""
    membership = get_object_or_404(Membership.objects.for_user(request.user), code=code)
    require_clinic_admin(request)
    user = membership.user
    active = request.POST.get("active") == "1"
    if user == request.user:
        messages.error(request, "You cannot deactivate yourself.")
        return redirect("members")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record("member_activate" if active else "member_deactivate", request=request, target=membership,
                 fields=["is_active"])
    messages.success(request, f"{user} {'can log in again' if active else 'can no longer log in'}.")
    return redirect("members")


@require_POST
@reauthentication_required
def invitation_revoke(request: HttpRequest, code: UUID) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.for_user(request.user).pending(), code=code)
    require_clinic_admin(request)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record("invitation_revoke", request=request, target=invitation)
    messages.success(request, "Invitation withdrawn.")
    return redirect("members")


AUDIT_LOG_PAGE_SIZE = 50


def audit_log_form(request: HttpRequest) -> AuditLogFilterForm:
    """The filters, from the POSTed form (a typed name stays out of the URL) or from a link's query."""
    data = request.POST if request.method == "POST" else request.GET
    return AuditLogFilterForm(data, clinic=request.user.clinic, export_url=reverse("audit_log_export"))


@require_http_methods(["GET", "POST"])
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who viewed or changed what, when and from where, in the admin's own clinic, newest first.
    Filtering changes nothing, so a POST renders the results directly (as the athlete list does)."""
    require_clinic_admin(request)
    form = audit_log_form(request)
    events = form.events(AuditEvent.objects.for_user(request.user)).select_related("actor")
    page = Paginator(events, AUDIT_LOG_PAGE_SIZE).get_page(form.data.get("page"))
    audit_log_names.name_records(page.object_list, request.user.clinic)
    return render(request, "runphys/audit_log.html", {"form": form, "page": page})


@require_POST
@reauthentication_required
def audit_log_export(request: HttpRequest) -> HttpResponse:
    """The filtered events as CSV, for the clinic's data-protection lead: streamed, read and named
    a batch at a time. The export is itself an event of the log (naming the filters used)."""
    require_clinic_admin(request)
    form = audit_log_form(request)
    if not form.is_valid():
        return render(request, "runphys/audit_log.html", {"form": form, "page": None}, status=400)
    clinic = request.user.clinic
    audit.record("audit_log_export", request=request, target=clinic, fields=form.used())
    events = form.events(AuditEvent.objects.for_clinic(clinic))
    response = StreamingHttpResponse(audit_log_names.csv_lines(events, clinic), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.by_token(token).select_related("clinic").first()
    if invitation is None or not invitation.is_pending:
        return render(request, "runphys/invitation_invalid.html", status=404)
    if invitation.existing_account() is not None:
        return invitation_for_an_existing_account(request, invitation)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # Lock the row: two tabs submitting the same link create one account.
                invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
                if not invitation.is_pending:
                    return render(request, "runphys/invitation_invalid.html", status=404)
                user = invitation.accept(full_name=form.cleaned_data["full_name"],
                                         password=form.cleaned_data["password1"])
                audit.record("invitation_accept", request=request, actor=user, target=invitation)
        except IntegrityError:
            # The address got its account meanwhile (another clinic's invitation accepted at the
            # same moment), or one the database's case folding matches: the same answer.
            return invitation_for_an_existing_account(request, invitation)
        login(request, user)
        messages.success(request, f"Welcome to {invitation.clinic}.")
        return redirect("dashboard")
    return render(request, "runphys/invitation_accept.html", {"form": form, "invitation": invitation})


def invitation_for_an_existing_account(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The address already has an account, which belongs to another clinic (or to this one): the
    invitation cannot add a second clinic to it. Nothing changes; the invitation stays pending for
    its clinic admin to withdraw. Only the account's owner, logged in, is told which clinic it is in."""
    account = invitation.existing_account()
    own = request.user.is_authenticated and account is not None and request.user.pk == account.pk
    return render(request, "runphys/invitation_account_exists.html",
                  {"invitation": invitation, "own_clinic": request.user.clinic if own else None}, status=409)
