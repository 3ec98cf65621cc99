"""Another clinic's programs and handouts do not exist for charlie; anonymous users are sent to log
in; every route answers only its own methods. Walks every route of the programs namespace, so a
route added later is covered or fails the first test."""

import pytest
from django.urls import reverse

from tests.factories import World, draft_of, make_world
from tests.helpers import issue
from tests.url_patterns import project_routes

pytestmark = pytest.mark.django_db

ROUTES = [r for r in project_routes() if r.namespace == "programs"]
POST_ONLY = {"issue", "revise", "discard", "item_add", "item_add_template", "item_move", "item_remove", "handout_retry",
             "link_revoke", "link_fresh", "items_order", "item_restore"}
GET_AND_POST = {"create", "new", "edit", "item_edit", "save_as_template"}
GET_ONLY = {"list", "detail", "handout_preview", "handout_pdf", "handout_state", "items", "picker"}


@pytest.fixture
def world(clinic_a, bob) -> World:
    """The program has an issued version (with its stored PDF) and a draft."""
    world = make_world(clinic_a, bob)
    issue(world.program.latest, by=bob)
    world.program.revise(by=bob)
    return world


def code_for(name: str, world: World) -> str | None:
    program = world.program
    issued = program.versions.get(status="issued")
    draft = draft_of(program)
    return {
        "create": world.assessment.code, "new": world.athlete.code,
        "item_edit": draft.items.first().code, "item_move": draft.items.first().code,
        "item_remove": draft.items.first().code,
        "handout_preview": draft.code, "handout_pdf": issued.code, "handout_state": issued.code,
        "handout_retry": issued.code, "save_as_template": issued.code,
    }.get(name, program.code if name != "list" else None)


def url_of(name: str, world: World) -> str:
    code = code_for(name, world)
    return reverse(f"programs:{name}", args=[code] if code else [])


def test_every_route_is_covered():
    assert {r.name for r in ROUTES} == POST_ONLY | GET_AND_POST | GET_ONLY


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name != "list"], ids=lambda r: r.name)
def test_charlie_gets_404_on_every_program_and_handout_url(charlie_client, route, world):
    url = url_of(route.name, world)
    methods = ("post",) if route.name in POST_ONLY else ("get",) if route.name in GET_ONLY else ("get", "post")
    for method in methods:
        response = getattr(charlie_client, method)(url, {"direction": "up"} if method == "post" else None)
        assert response.status_code == 404, (method, url)


def test_charlie_gets_404_on_the_draft_handout_pdf_too(charlie_client, world):
    draft = draft_of(world.program)
    assert charlie_client.get(reverse("programs:handout_pdf", args=[draft.code])).status_code == 404


def test_charlie_changes_nothing(charlie_client, world):
    for name in sorted(POST_ONLY):
        charlie_client.post(url_of(name, world), {"direction": "up"})
    assert list(draft_of(world.program).items.values_list("order", flat=True)) == [1, 2]
    assert world.program.versions.count() == 2


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_is_sent_to_log_in(client, route, world):
    url = url_of(route.name, world)
    response = client.post(url) if route.name in POST_ONLY else client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_wrong_method_is_405(alice_client, route, world):
    url = url_of(route.name, world)
    assert alice_client.put(url).status_code == 405
    if route.name in POST_ONLY:
        assert alice_client.get(url).status_code == 405
    if route.name in GET_ONLY:
        assert alice_client.post(url).status_code == 405
