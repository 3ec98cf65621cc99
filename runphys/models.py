"""Accounts and tenancy: who logs in, which clinic they belong to, and the audit log.

Every clinical record belongs to exactly one clinic. A user reaches records only through
``ClinicScopedQuerySet.for_user`` (see ``runphys.tenancy``), so another clinic's record is a 404.
"""

import hashlib
import secrets
import uuid
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from runphys.bounds import max_length_checks
from runphys.concurrency import Versioned
from runphys.tenancy import ClinicScopedQuerySet


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def for_request(self, pk) -> "User | None":
        """The user with their membership and its clinic, in one query: every page needs all three
        (the header, the clinic scoping of every queryset, the two-factor rule), so the
        authentication backend loads them together (and keeps them between writes,
        ``runphys.throttle``). The membership chosen is the one ``User.membership`` would choose; a
        user without one (a site operator) costs a second query."""
        membership = (
            Membership.objects.select_related("user", "clinic").filter(user_id=pk).order_by("created_at").first()
        )
        if membership is None:
            return self.filter(pk=pk).first()
        user = membership.user
        user.__dict__["membership"] = membership  # primes the cached_property
        return user

    def members_of(self, clinic, *, keeping=None) -> models.QuerySet["User"]:
        """The clinic's active members by name, for "who treats / measured / is named" choices.
        ``keeping`` (a user id) stays in the list even if deactivated, so saving a record that
        names them does not drop them."""
        members = Q(memberships__clinic=clinic, is_active=True)
        if keeping:
            members |= Q(pk=keeping)
        return self.filter(members).distinct().order_by("full_name", "email")

    @classmethod
    def canonical_email(cls, email: str) -> str:
        """An address as it is stored and looked up: Python's lower case of all of it. Lookups
        compare with this exactly, never case-insensitively in SQL, whose UPPER() maps letters
        differently (the dotless ı becomes I there, so ``ırıs@`` would find ``iris@``)."""
        return cls.normalize_email(email).lower()

    def for_login(self, email: str) -> "User | None":
        """The user an address typed at login belongs to, or None."""
        return self.filter(email=self.canonical_email(email)).first()

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.canonical_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email: str) -> "User":
        # People type their address with capitals now and then; it is still their address.
        return self.get(email=self.canonical_email(email))

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email address. Deactivated, never deleted (the audit log
    points at them)."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("Django admin access", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.canonical_email(self.email)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def membership(self) -> "Membership | None":
        """The user's membership. One clinic per user today; the model allows several."""
        return self.memberships.select_related("clinic").order_by("created_at").first()

    @property
    def clinic(self) -> "Clinic | None":
        return self.membership.clinic if self.membership else None

    @property
    def is_clinic_admin(self) -> bool:
        return bool(self.membership and self.membership.role == Membership.Role.ADMIN)


def default_time_zone() -> str:
    """A new clinic keeps the server's time zone until its admin says otherwise."""
    return settings.TIME_ZONE


class Clinic(Versioned):
    class PaperSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "letter", "US Letter"

    class DistanceUnit(models.TextChoices):
        KM = "km", "kilometres"
        MILES = "mi", "miles"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=150)
    address = models.TextField(max_length=500, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True)
    paper_size = models.CharField(max_length=10, choices=PaperSize, default=PaperSize.A4)
    handout_footer = models.TextField(
        max_length=1000, blank=True,
        help_text="Printed at the foot of every handout, e.g. opening hours or a disclaimer.",
    )
    distance_unit = models.CharField(
        max_length=2, choices=DistanceUnit, default=DistanceUnit.KM, help_text="How running volume is shown."
    )
    # Changed only by a clinic admin through runphys.account_views (after re-authentication), never
    # through the clinic settings form.
    require_two_factor = models.BooleanField(
        default=False, help_text="Every member must log in with a code from an authenticator app as well."
    )
    program_link_grace_days = models.PositiveSmallIntegerField(
        "athlete links work for this many days after the review date", default=28,
        validators=[MaxValueValidator(365)],
        help_text="An athlete's program link ends this long after the program's review date.",
    )
    time_zone = models.CharField(
        max_length=64, default=default_time_zone,
        help_text="The clinic's day starts and ends here: athletes log today's exercises until midnight.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(program_link_grace_days__lte=365), name="clinic_link_grace"),
            models.CheckConstraint(condition=models.Q(paper_size__in=["A4", "letter"]), name="clinic_paper_size"),
            models.CheckConstraint(condition=models.Q(distance_unit__in=["km", "mi"]), name="clinic_distance_unit"),
            *max_length_checks(address=500, handout_footer=1000),
        ]

    def __str__(self) -> str:
        return self.name

    def today(self) -> date:
        """Today in the clinic's time zone."""
        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.time_zone))


class MembershipQuerySet(ClinicScopedQuerySet):
    """Memberships of the clinic the user belongs to (all of them, for the admin's page)."""


class Membership(models.Model):
    class Role(models.TextChoices):
        CLINICIAN = "clinician", "Clinician"
        ADMIN = "admin", "Clinic admin"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role, default=Role.CLINICIAN)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="membership_user_clinic_unique"),
            models.CheckConstraint(condition=models.Q(role__in=["clinician", "admin"]), name="membership_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.clinic})"


class InvitationQuerySet(ClinicScopedQuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def by_token(self, token: str) -> "InvitationQuerySet":
        return self.filter(token_hash=Invitation.hash_token(token))


class Invitation(models.Model):
    """A set-password link for a new member. Only the token's hash is stored; the link works
    once and until ``expires_at``."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Membership.Role, default=Membership.Role.CLINICIAN)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Invitation to {self.clinic}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, clinic: Clinic, email: str, role: str, invited_by: User | None,
              full_name: str = "") -> tuple["Invitation", str]:
        """Create an invitation and return it with the clear-text token (shown once, in the link)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            clinic=clinic,
            email=email.lower(),
            full_name=full_name,
            role=role,
            invited_by=invited_by,
            token_hash=cls.hash_token(token),
            expires_at=timezone.now() + settings.INVITATION_VALID_FOR,
        )
        return invitation, token

    @staticmethod
    def accept_path(token: str) -> str:
        return reverse("invitation_accept", args=[token])

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    def existing_account(self) -> User | None:
        """The account the invited address already has, if any. An account belongs to one clinic
        (``User.membership``: nothing lets a user choose between clinics), so such an invitation
        cannot be accepted: two clinics inviting one address before either invitation is accepted
        is how it happens."""
        return User.objects.filter(email=User.objects.canonical_email(self.email)).first()

    def accept(self, *, full_name: str, password: str) -> User:
        user = User.objects.create_user(self.email, password, full_name=full_name)
        Membership.objects.create(user=user, clinic=self.clinic, role=self.role)
        self.accepted_at = timezone.now()
        self.save(update_fields=["accepted_at"])
        return user


class AuditEventQuerySet(ClinicScopedQuerySet):
    def naming(self, code: str) -> "AuditEventQuerySet":
        """Events about the record ``code``: its own, and the list pages that showed it (matched in
        the JSON text of ``target_ids``, which works alike on PostgreSQL and SQLite)."""
        return self.filter(models.Q(target_id=code) | models.Q(target_ids__icontains=f'"{code}"'))

    def between(self, start: datetime | None, end: datetime | None) -> "AuditEventQuerySet":
        qs = self
        if start:
            qs = qs.filter(at__gte=start)
        if end:
            qs = qs.filter(at__lt=end)
        return qs


class AuditEvent(models.Model):
    """One read or write of a record, or one authentication event.

    ``fields`` holds the names of changed fields, never their values: the log must not become a
    second copy of the health record. ``target_ids`` holds the codes of the records a list page
    showed (in the order shown), so that one row per page says who saw which records; a list of
    25 athletes is one row, not 25. Rows are only ever inserted (see ``runphys.audit``).

    The log keeps codes: ``action`` is one of ``Action`` and ``target_type`` one of ``RecordType``,
    each with the words a person reads on the audit-log page and in its CSV. They are not the
    columns' ``choices``: that would take a migration for every new kind of event, and Django does
    not enforce choices on insert anyway; ``runphys.audit.record`` refuses a code missing here.
    """

    class Action(models.TextChoices):
        # Records (what the record is comes from the record type beside it).
        VIEW = "view", "Viewed"
        LIST = "list", "Viewed a list"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        UPDATE_REFUSED = "update_refused", "Change refused: not theirs to make"
        DELETE = "delete", "Deleted"
        ARCHIVE = "archive", "Archived"
        UNARCHIVE = "unarchive", "Restored from the archive"
        ANONYMISE = "anonymise", "Anonymised"
        ERASE = "erase", "Erased"
        EXPORT = "export", "Exported the athlete's record"
        ISSUE = "issue", "Issued"
        DOWNLOAD = "download", "Downloaded the handout"
        RETRY_HANDOUT = "retry_handout", "Asked to prepare the handout again"
        EMAIL_HANDOUT = "email_handout", "Emailed the handout"
        REVOKE_LINK = "revoke_link", "Ended the athlete's link"
        FRESH_LINK = "fresh_link", "Gave the athlete a fresh link"
        # The athlete's own link (no user: the athlete, from their phone).
        LINK_VIEW = "link_view", "Athlete opened their program link"
        LINK_LOG = "link_log", "Athlete logged on their program link"
        LINK_DENIED = "link_denied", "Program link refused (wrong or ended)"
        # A URL naming a record that is not the clinic's (another clinic's, or none at all).
        DENIED = "denied", "Refused: no such record in the clinic"
        # The exercise library.
        EXERCISE_CREATE = "exercise_create", "Created a clinic exercise"
        EXERCISE_UPDATE = "exercise_update", "Changed a clinic exercise"
        EXERCISE_COPY = "exercise_copy", "Copied an exercise into the clinic"
        EXERCISE_ARCHIVE = "exercise_archive", "Archived an exercise"
        EXERCISE_RESTORE = "exercise_restore", "Restored an exercise"
        PROGRAM_TEMPLATE_CREATE = "program_template_create", "Created a program template"
        PROGRAM_TEMPLATE_UPDATE = "program_template_update", "Changed a program template"
        PROGRAM_TEMPLATE_COPY = "program_template_copy", "Copied a program template into the clinic"
        PROGRAM_TEMPLATE_ARCHIVE = "program_template_archive", "Archived a program template"
        # The clinic and its members.
        CLINIC_UPDATE = "clinic_update", "Changed the clinic's settings"
        CLINIC_TWO_FACTOR_REQUIRED = "clinic_two_factor_required", "Made two-factor sign-in required for the clinic"
        CLINIC_TWO_FACTOR_OPTIONAL = "clinic_two_factor_optional", "Made two-factor sign-in optional for the clinic"
        MEMBER_INVITE = "member_invite", "Invited a member"
        MEMBER_ROLE = "member_role", "Changed a member's role"
        MEMBER_ACTIVATE = "member_activate", "Reactivated a member"
        MEMBER_DEACTIVATE = "member_deactivate", "Deactivated a member"
        INVITATION_ACCEPT = "invitation_accept", "Accepted an invitation"
        INVITATION_REVOKE = "invitation_revoke", "Withdrew an invitation"
        AUDIT_LOG_EXPORT = "audit_log_export", "Downloaded the audit log (CSV)"
        # Signing in and the account.
        LOGIN = "login", "Logged in"
        LOGOUT = "logout", "Logged out"
        SESSION_EXPIRED = "session_expired", "Signed out: the session ended"
        REAUTHENTICATED = "reauthenticated", "Confirmed their password again"
        PASSWORD_CHANGED = "password_changed", "Changed their password"
        PASSWORD_RESET = "password_reset", "Set a new password from a reset link"
        PASSWORD_RESET_REFUSED = "password_reset_refused", "Password reset refused: too many requests"
        PASSWORD_RESET_LOCKED = "password_reset_locked", "Password resets paused after too many requests"
        PASSWORD_RESET_DEVICE_LOCKED = "password_reset_device_locked", "Password resets paused on one browser"
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor sign-in turned on"
        TWO_FACTOR_REMOVED = "two_factor_removed", "Two-factor sign-in turned off"
        BACKUP_CODES_ISSUED = "backup_codes_issued", "New backup codes made"
        BACKUP_CODE_USED = "backup_code_used", "Signed in with a backup code"
        # Failed and refused checks (``runphys.throttle``: <purpose>[_code]_failed / _refused) and
        # the cool-offs they start (<kind>[_device]_locked).
        LOGIN_FAILED = "login_failed", "Wrong password at log-in"
        LOGIN_REFUSED = "login_refused", "Log-in refused: cooling off after wrong passwords"
        LOGIN_LOCKED = "login_locked", "Log-in paused after wrong passwords"
        LOGIN_DEVICE_LOCKED = "login_device_locked", "Log-in paused on one browser after wrong passwords"
        SECOND_FACTOR_FAILED = "second_factor_failed", "Wrong two-factor code at log-in"
        SECOND_FACTOR_REFUSED = "second_factor_refused", "Two-factor code refused: cooling off after wrong codes"
        SECOND_FACTOR_LOCKED = "second_factor_locked", "Two-factor codes paused after wrong codes"
        SECOND_FACTOR_DEVICE_LOCKED = "second_factor_device_locked", "Two-factor codes paused on one browser"
        REAUTHENTICATION_FAILED = "reauthentication_failed", "Wrong password when confirming again"
        REAUTHENTICATION_REFUSED = "reauthentication_refused", "Confirming again refused: cooling off"
        REAUTHENTICATION_CODE_FAILED = "reauthentication_code_failed", "Wrong two-factor code when confirming again"
        REAUTHENTICATION_CODE_REFUSED = "reauthentication_code_refused", (
            "Two-factor code refused when confirming again: cooling off")
        PASSWORD_CHANGE_FAILED = "password_change_failed", "Wrong current password when changing it"
        PASSWORD_CHANGE_REFUSED = "password_change_refused", "Password change refused: cooling off"
        PASSWORD_CHANGE_CODE_FAILED = "password_change_code_failed", "Wrong two-factor code when changing the password"
        PASSWORD_CHANGE_CODE_REFUSED = "password_change_code_refused", (
            "Two-factor code refused when changing the password: cooling off")
        ERASURE_CONFIRMATION_FAILED = "erasure_confirmation_failed", "Wrong password when confirming an erasure"
        ERASURE_CONFIRMATION_REFUSED = "erasure_confirmation_refused", "Erasure confirmation refused: cooling off"
        ERASURE_CONFIRMATION_CODE_FAILED = "erasure_confirmation_code_failed", (
            "Wrong two-factor code when confirming an erasure")
        ERASURE_CONFIRMATION_CODE_REFUSED = "erasure_confirmation_code_refused", (
            "Two-factor code refused when confirming an erasure: cooling off")
        TWO_FACTOR_SETUP_FAILED = "two_factor_setup_failed", "Wrong password when setting up two-factor sign-in"
        TWO_FACTOR_SETUP_REFUSED = "two_factor_setup_refused", "Two-factor set-up refused: cooling off"
        TWO_FACTOR_SETUP_CODE_FAILED = "two_factor_setup_code_failed", (
            "Wrong code when turning on two-factor sign-in")
        TWO_FACTOR_SETUP_CODE_REFUSED = "two_factor_setup_code_refused", (
            "Code refused when turning on two-factor sign-in: cooling off")

    class RecordType(models.TextChoices):
        ATHLETE = "athlete", "athlete"
        ASSESSMENT = "assessment", "assessment"
        ASSESSMENT_DEFAULTS = "assessmentdefaults", "assessment defaults"
        REFERENCE_VALUE = "referencevalue", "reference value"
        MDC_SETTING = "mdcsetting", "measurement-error setting"
        PROGRAM = "program", "program"
        PROGRAM_VERSION = "programversion", "program version"
        # Written by the erasure's anonymiser before the model name was used everywhere.
        PROGRAM_VERSION_ANONYMISED = "program_version", "program version"
        PROGRAM_ITEM = "programitem", "program exercise"
        PROGRAM_LINK = "programlink", "athlete's program link"
        EXERCISE = "exercise", "exercise"
        PROGRAM_TEMPLATE = "programtemplate", "program template"
        PROGRAM_TEMPLATE_ITEM = "programtemplateitem", "program template exercise"
        EMAIL_DELIVERY = "emaildelivery", "email"
        HANDOUT_DELIVERY = "handoutdelivery", "handout email"
        CLINIC = "clinic", "clinic"
        MEMBERSHIP = "membership", "member"
        INVITATION = "invitation", "invitation"
        USER = "user", "user"
        # A throttled check that matched no user: the address typed, the client address, a browser.
        ACCOUNT = "account", "typed email address"
        ADDRESS = "address", "network address"
        DEVICE = "device", "browser"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    target_ids = models.JSONField(default=list, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "-at"], name="audit_clinic_at"),
            # A physio's own record views, newest first: the dashboard's "recently seen"
            # (athletes.models.recently_seen_codes) reads the head of this only.
            # The id breaks ties of time, so that the newest view is the index's first entry
            # (runphys.fragments.page_state reads it on every page; without the id PostgreSQL
            # preferred scanning the whole log's time index backwards).
            models.Index(fields=["actor", "-at", "-id"], name="audit_actor_views_at_id",
                         condition=models.Q(action="view", target_type="athlete")),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type} {self.target_id}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def who(self) -> str:
        """The actor's name; without one, the athlete's own link, someone not logged in (a request
        from an address), or the system (a command or the task worker)."""
        if self.actor is not None:
            return self.actor.full_name or self.actor.email
        if self.action.startswith("link_"):
            return "the athlete's link"
        return "not logged in" if self.ip_address else "system"

    @property
    def record_type_label(self) -> str:
        if self.action == AuditEvent.Action.DENIED:
            return f"page {self.target_type}"  # the URL's name (see runphys.audit.denied)
        return record_type_label(self.target_type)


def action_label(code: str) -> str:
    """The words for an action code; a code no longer written (an old row) is shown as it is spelt."""
    try:
        return AuditEvent.Action(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()


def record_type_label(code: str) -> str:
    try:
        return AuditEvent.RecordType(code).label
    except ValueError:
        return code.replace("_", " ")


# An email's bodies are rendered from templates around at most a few thousand typed characters.
EMAIL_BODY_MAX, EMAIL_ERROR_MAX = 100_000, 1000


class EmailDeliveryQuerySet(ClinicScopedQuerySet):
    def stuck(self, older_than: timedelta) -> "EmailDeliveryQuerySet":
        """Deliveries whose worker died: "sending" for longer than their claim's lease, which no
        live worker outlasts (``runphys.mail_smtp`` ends a send within it)."""
        return self.filter(status=EmailDelivery.Status.SENDING, sending_since__lt=timezone.now() - older_than)

    def overdue(self, older_than: timedelta) -> "EmailDeliveryQuerySet":
        """Queued deliveries whose task should have run long ago (e.g. the queue row was pruned)."""
        return self.filter(status=EmailDelivery.Status.QUEUED, next_attempt_at__lt=timezone.now() - older_than)


class EmailDelivery(models.Model):
    """One request to send one email, and what became of it.

    The row is the source of truth; the background task only carries its id. A worker claims the
    row with a conditional UPDATE (queued → sending), so a re-enqueued task, a second worker or a
    double click can never send it twice (see ``runphys.emails.deliver``). Message bodies are kept
    only until the delivery ends: they may hold a one-time link.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for its attachment"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # The connection ended after the whole message went out, before the server confirmed it:
        # it may have arrived, so it is not retried by itself (runphys.emails.deliver).
        UNSURE = "unsure", "May have been sent"

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        PASSWORD_RESET = "password_reset", "Password reset"
        HANDOUT = "handout", "Exercise program"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A form token: the same submission (a double click, a reload) makes one delivery, not two.
    request_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField(max_length=EMAIL_BODY_MAX, blank=True)
    body_html = models.TextField(max_length=EMAIL_BODY_MAX, blank=True)
    # The From header's display name (a handout's is its clinic's); the address is always the
    # configured sender, so SPF and DMARC hold. Empty: DEFAULT_FROM_EMAIL as it stands.
    from_name = models.CharField(max_length=150, blank=True)
    reply_to = models.EmailField(blank=True)
    attachment_path = models.CharField(max_length=300, blank=True, help_text="A file under MEDIA_ROOT.")
    attachment_name = models.CharField(max_length=100, blank=True)
    message_id = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    last_error = models.TextField(max_length=EMAIL_ERROR_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="When it ended failed or unsure.")

    objects = EmailDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["waiting", "queued", "sending", "sent", "failed", "unsure"]),
                name="email_delivery_status",
            ),
            models.CheckConstraint(condition=models.Q(max_attempts__gte=1), name="email_delivery_max_attempts"),
            *max_length_checks(body_text=EMAIL_BODY_MAX, body_html=EMAIL_BODY_MAX, last_error=EMAIL_ERROR_MAX),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in {self.Status.WAITING, self.Status.QUEUED, self.Status.SENDING}


class AuthAttemptQuerySet(models.QuerySet["AuthAttempt"]):
    def within(self, window: timedelta) -> "AuthAttemptQuerySet":
        return self.filter(at__gt=timezone.now() - window)


class AuthAttempt(models.Model):
    """One attempt that counts towards a throttle (see ``runphys.throttle``): a wrong password, a
    wrong second-factor code, or a password-reset request.

    ``account`` is a keyed hash of what was typed (an email address) or of the user, never the
    text itself, so a password typed into the email field by mistake is not kept. Rows matter only
    for the length of the window and are pruned as new ones arrive; the audit log keeps the history.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "Password"
        SECOND_FACTOR = "second_factor", "Second-factor code"
        PASSWORD_RESET = "password_reset", "Password-reset request"

    kind = models.CharField(max_length=20, choices=Kind)
    account = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuthAttemptQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "account", "at"], name="auth_attempt_account"),
            models.Index(fields=["kind", "ip_address", "at"], name="auth_attempt_address"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["login", "second_factor", "password_reset"]), name="auth_attempt_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class SubmissionKey(models.Model):
    """The one-time key of a create form that was sent, and where the record it made is
    (``runphys.submissions``): the same key sent again leads there instead of making another."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    result_url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submission_key_once_per_user")]
        indexes = [models.Index(fields=["user", "created_at"], name="submission_key_age")]

    def __str__(self) -> str:
        return f"Submission key of user {self.user_id}"


class PageGeneration(models.Model):
    """One row: a random token that changes after every committed write that can change a page
    (``runphys.fragments``); cached page fragments are kept under it, so a new token retires them
    all. A token, not a counter: a rolled-back transaction or a restored backup can bring back an
    old counter, never an old random value."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"Page generation {self.token}"
