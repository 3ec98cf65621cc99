"""Hostile-input sweep: every form of RunPhys takes hostile values without a server error, without
echoing markup unescaped, and without storing what validation should refuse.

The forms are found, not listed: every page of every URL pattern is opened (as alice, or as an
anonymous visitor for the open pages), one test per page so that a failure names the page (the
message names the form) and the pages can be swept in parallel, and each distinct form on it is
submitted with its own values except for one kind of field at a time, which gets each hostile value:

- text fields: markup and script, SQL-looking strings, CR/LF header injection, right-to-left
  override and zero-width characters, a NUL byte, 10,000 characters;
- number and text fields: negative, huge, overflowing and not-a-number values;
- date fields: impossible and extreme dates;
- choices (selects, radios, checkboxes) and hidden fields: values that are not among the choices.

After each submission (and the page it redirects to): no 5xx; no hostile markup in an HTML page
unescaped; every row it added or changed passes its model's own validation and holds no NUL byte.
Each submission is rolled back, so one form's success cannot hide another's. Then the markup is
saved through every form of the page that accepts it and every page is opened again. A handout
PDF is checked to print it as text.
"""

import io
from collections.abc import Container
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pypdf import PdfReader

from runphys import twofactor
from runphys.models import Invitation
from tests.factories import PASSWORD, make_user
from tests.otp import enrol
from tests.security.pages import Form, forms_on, invalid_fields, snapshot
from tests.security.world import RECORD_URLS, World
from tests.url_patterns import project_routes, sample_url

# Script, an attribute break-out and plain formatting in one value.
MARKUP = '<script>alert("rp-xss")</script>"><img src=x onerror=alert("rp-img")><b>rp-bold</b>'
# What must never appear in an HTML page: that markup, unescaped.
RAW_MARKERS = ['<script>alert("rp-xss")', "<img src=x onerror", "<b>rp-bold</b>"]
TEXT = [
    MARKUP,
    "Robert'); DROP TABLE athletes_athlete; -- ' OR '1'='1",
    "first line\r\nBcc: spam@example.com\r\n\r\nsecond",
    "\u202eevil\u202c and \u200bzero\u200dwidth\ufeff",
    "nul\x00byte",
    "A" * 10_000,
]
NUMBERS = ["-1", "-99999999999999999999", "99999999999999999999999999", "1e309", "NaN", "0.0000000001",
           "\u0661\u0662"]  # the last: Arabic-Indic digits, which int() accepts
DATES = ["0000-00-00", "0001-01-01", "9999-12-31", "2026-02-30", "99999-01-01"]
CHOICES = [MARKUP, "-1", "99999999999999999999", "nul\x00byte"]
HIDDEN = [MARKUP, "https://evil.example/", "nul\x00byte", "A" * 10_000]

TEXT_KINDS = {"text", "textarea", "email", "search", "url", "tel", "password"}
NUMBER_KINDS = {"number", "range"}
DATE_KINDS = {"date", "datetime-local", "time", "month", "week"}
CHOICE_KINDS = {"select", "radio", "checkbox"}
NOT_SUBMITTED = {"csrfmiddlewaretoken"}

# Forms whose submission ends the session the sweep runs in.
SKIPPED_ACTIONS = {"logout"}
# Pages that are files, not forms.
NOT_PAGES = {"programs:handout_pdf", "exercises:picture", "clinic_logo"}


def passes(form: Form) -> list[tuple[str, set[str], list[str]]]:
    """(what, field names, values): each kind of field with the values it gets in turn."""
    by_kind: dict[str, set[str]] = {"text": set(), "number": set(), "date": set(), "choice": set(), "hidden": set()}
    for field in form.fields:
        if field.name in NOT_SUBMITTED:
            continue
        kind = field.kind
        if kind in TEXT_KINDS:
            by_kind["text"].add(field.name)
        elif kind in NUMBER_KINDS:
            by_kind["number"].add(field.name)
        elif kind in DATE_KINDS:
            by_kind["date"].add(field.name)
        elif kind in CHOICE_KINDS:
            by_kind["choice"].add(field.name)
        elif kind == "hidden":
            by_kind["hidden"].add(field.name)
    result = [("text", by_kind["text"], TEXT), ("number", by_kind["number"] | by_kind["text"], NUMBERS),
              ("date", by_kind["date"], DATES), ("choice", by_kind["choice"], CHOICES),
              ("hidden", by_kind["hidden"], HIDDEN)]
    return [(what, names, values) for what, names, values in result if names]


def submit(client: Client, form: Form, data: dict[str, list[str]]):
    method = client.post if form.method == "post" else client.get
    response = method(form.path, data)
    pages = [response]
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    if location.startswith("/") or location.startswith("http://testserver/"):
        pages.append(client.get(urlsplit(location).path + ("?" + urlsplit(location).query
                                                           if urlsplit(location).query else "")))
    return response, pages


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def unescaped(response) -> list[str]:
    if not is_html(response):
        return []
    text = response.content.decode(errors="replace")
    return [marker for marker in RAW_MARKERS if marker in text]


def changed_rows(before: dict, after: dict) -> list[tuple[str, dict]]:
    rows = []
    for label, after_rows in after.items():
        old = {row["id"]: row for row in before.get(label, [])}
        rows += [(label, row) for row in after_rows if old.get(row["id"]) != row]
    return rows


def invalid_rows(before: dict, after: dict) -> list[str]:
    """Rows added or changed that their own model refuses, or that hold a NUL byte."""
    from django.apps import apps

    problems = []
    for label, row in changed_rows(before, after):
        model = apps.get_model(label)
        if any(isinstance(value, str) and "\x00" in value for value in row.values()):
            problems.append(f"{label} #{row['id']}: a NUL byte was stored")
        instance = model._base_manager.get(pk=row["id"])
        try:
            instance.clean_fields()
            instance.validate_constraints()
        except ValidationError as error:
            problems.append(f"{label} #{row['id']}: {error.message_dict if hasattr(error, 'error_dict') else error}")
    return problems


class Sweep:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.accepted_markup: list[tuple[Client, Form, dict]] = []

    def run(self, client: Client, form: Form, label: str) -> None:
        baseline = form.baseline()
        before = snapshot()
        for what, names, values in passes(form):
            for value in values:
                # A field that refuses the value (an email field refusing markup) would stop the
                # others from being saved: it goes back to its own value and the form is sent again.
                for _ in range(4 if what == "text" else 1):
                    data = dict(baseline) | {name: [value] for name in names}
                    outcome = self.submit_once(client, form, data, before,
                                               f"{label}: {form.method.upper()} {form.path} with {what} = "
                                               f"{value[:40]!r} in {len(names)} field(s)")
                    if outcome is None or outcome is True:
                        if outcome and what == "text" and value == MARKUP:
                            self.accepted_markup.append((client, form, data))
                        break
                    names = names - outcome
                    if not names:
                        break

    def submit_once(self, client: Client, form: Form, data: dict, before: dict, where: str) -> bool | set | None:
        """Submit, check, roll back. True if saved; else the fields the page marks invalid; None
        after a server error."""
        with transaction.atomic():
            try:
                response, pages = submit(client, form, data)
            except Exception as error:  # a 500 in the test client
                self.failures.append(f"{where}: server error {type(error).__name__}: {error}")
                transaction.set_rollback(True)
                return None
            for page in pages:
                if page.status_code >= 500:
                    self.failures.append(f"{where}: status {page.status_code}")
                if leaked := unescaped(page):
                    self.failures.append(f"{where}: unescaped {leaked}")
            self.failures += [f"{where}: {problem}" for problem in invalid_rows(before, snapshot())]
            transaction.set_rollback(True)
        if response.status_code in (301, 302, 303) and form.method == "post":
            return True
        return invalid_fields(response.content.decode(errors="replace")) if is_html(response) else set()


def login_required_page_names() -> list[str]:
    """Every URL pattern a member can open as a page: those without a converter, and those naming a
    record in RECORD_URLS (one that test_cross_clinic reports as missing from it is left out)."""
    return [route.full_name for route in project_routes()
            if route.login_required and route.full_name not in NOT_PAGES | SKIPPED_ACTIONS
            and ("<" not in route.route or route.full_name in RECORD_URLS)]


def page_url(name: str, world: World | None) -> str:
    """The page's URL naming the world's record, or a record that does not exist without a world."""
    if name not in RECORD_URLS:
        return reverse(name)
    kwargs = RECORD_URLS[name](world) if world else sample_kwargs(name)
    return reverse(name, kwargs=kwargs)


def sample_kwargs(name: str) -> dict:
    route = next(route for route in project_routes() if route.full_name == name)
    return resolve(sample_url(route.route)).kwargs


def login_required_pages(world: World) -> list[tuple[str, str]]:
    return [(name, page_url(name, world)) for name in login_required_page_names()]


# Pages open to anonymous visitors that hold a form; each reached by ``open_page``.
OPEN_PAGES = ["login", "password_reset", "invitation_accept", "password_reset_confirm", "login_code"]


def open_page(name: str, clinic_a) -> tuple[str, Client]:
    """The URL of an open page, and an anonymous client that has got as far as it."""
    invitation, token = Invitation.issue(clinic=clinic_a, email="eve@clinic-a.example", role="clinician",
                                         invited_by=None)
    dora = make_user("dora@clinic-a.example", "Dora Diaz", clinic_a)
    enrol(dora)
    uid = urlsafe_base64_encode(force_bytes(dora.pk))
    reset_token = default_token_generator.make_token(dora)
    anonymous = Client()
    if name == "login_code":
        anonymous.post(reverse("login"), {"username": dora.email, "password": PASSWORD})
    url = {
        "invitation_accept": Invitation.accept_path(token),
        "password_reset_confirm": reverse("password_reset_confirm", args=[uid, reset_token]),
    }.get(name) or reverse(name)
    return url, anonymous


def forms_of_page(client: Client, name: str, url: str, *, elsewhere: Container[str] = ()) -> list[tuple[str, Form]]:
    """Each distinct form on the page (a form repeated on it, like one per program item, once),
    labelled with the page and the view it submits to; none when the page redirects to one of
    ``elsewhere`` (whose own test sweeps it)."""
    response = client.get(url, follow=True)
    assert response.status_code < 500, (name, url)
    final_url = response.request["PATH_INFO"]
    if not is_html(response) or resolve(final_url).view_name in set(elsewhere) - {name}:
        return []
    found, seen = [], set()
    for form in forms_on(response.content.decode(), "http://testserver" + final_url):
        if urlsplit(form.action).netloc not in ("", "testserver"):
            continue
        view = resolve(form.path).view_name
        key = (form.method, view, tuple(sorted({f.name for f in form.fields})))
        if view not in SKIPPED_ACTIONS and key not in seen:
            seen.add(key)
            found.append((f"{name} page, form to {view}", form))
    return found


@pytest.fixture
def lean_client(monkeypatch) -> None:
    """The test client copies every template context it renders (for ``response.context``); the
    sweep reads none, and the copying is most of its time."""
    monkeypatch.setattr("django.test.client.store_rendered_templates", lambda *args, **kwargs: None)


def sweep_and_check(sweep: Sweep, client: Client, forms: list[tuple[str, Form]]) -> None:
    for label, form in forms:
        sweep.run(client, form, label)
    assert not sweep.failures, "\n".join(sweep.failures[:40])


# Edit pages whose form, sent as it stands, saves a valid record with free text in it: the sweep
# must get markup saved through each, or it is not reaching the save path. (A blank create form
# sent as it stands is refused, so its markup is never saved.)
SAVES_TEXT = {"athlete_edit", "exercises:edit", "clinic_settings"}


@pytest.mark.django_db
@pytest.mark.usefixtures("lean_client")
@pytest.mark.parametrize("page", login_required_page_names())
def test_every_form_takes_hostile_input_safely(page, request, alice_client):
    """One page a member sees (a failure names it and the form): each form on it takes every
    hostile value safely; then the markup it accepted is saved for real, and every page shows it
    escaped. A URL that only takes POST is no page: its form is swept on the page that shows it."""
    if alice_client.get(page_url(page, None)).status_code == 405:
        return
    world = request.getfixturevalue("world")
    twofactor.start_enrolment(world.admin)  # so that the enrolment page has its form
    sweep = Sweep()
    forms = forms_of_page(alice_client, page, page_url(page, world), elsewhere=login_required_page_names())
    sweep_and_check(sweep, alice_client, forms)

    if page in SAVES_TEXT:
        assert sweep.accepted_markup, f"no form on {page} saved text: the sweep is not reaching the save path"
    for client, form, data in sweep.accepted_markup:
        submit(client, form, data)
    if sweep.accepted_markup:
        for name, url in login_required_pages(world):
            response = alice_client.get(url, follow=True)
            assert response.status_code < 500, (name, url)
            assert not unescaped(response), (name, url, unescaped(response))


@pytest.mark.django_db
@pytest.mark.usefixtures("lean_client")
@pytest.mark.parametrize("page", OPEN_PAGES)
def test_every_open_form_takes_hostile_input_safely(page, clinic_a):
    """One page open to anonymous visitors (login, password reset, invitation, second step)."""
    url, anonymous = open_page(page, clinic_a)
    forms = forms_of_page(anonymous, page, url)
    assert forms, f"no form on {page}"
    sweep_and_check(Sweep(), anonymous, forms)


@pytest.mark.django_db
def test_the_sweep_finds_the_forms(world, alice_client):
    """Discovery works: the member's pages hold at least 30 distinct forms."""
    twofactor.start_enrolment(world.admin)
    forms = {(form.method, form.path, label.split(", form to ")[1])
             for name, url in login_required_pages(world) for label, form in forms_of_page(alice_client, name, url)}
    assert len(forms) >= 30, f"only {len(forms)} forms found: the discovery is broken"


@pytest.mark.django_db
def test_hostile_text_is_printed_as_text_in_the_handout(world, alice_client):
    athlete = world.athlete
    athlete.first_name = "<b>rp-bold</b>"
    athlete.save()
    world.draft.title = '<script>alert("rp-xss")</script> plan'
    world.draft.save()
    world.item.notes = "<b>rp-bold</b> left side only"
    world.item.save()
    response = alice_client.get(reverse("programs:handout_pdf", args=[world.draft.code]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    # Escaped markup prints as the characters typed; markup let through would vanish into formatting.
    assert text.count("rp-bold") >= 2
    assert text.count("rp-bold") == text.count("<b>rp-bold</b>")
    assert '<script>alert("rp-xss")</script>' in text
