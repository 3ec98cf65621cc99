"""Walks the project's URL patterns so that sweeps cover every URL that exists, including ones
added later."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter

SAMPLE_BY_CONVERTER = {
    UUIDConverter: lambda: str(uuid.uuid4()),
    IntConverter: lambda: "1",
    SlugConverter: lambda: "sample-slug",
    PathConverter: lambda: "sample/path",
    StringConverter: lambda: "sample",
}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    callback: object
    namespace: str

    @property
    def full_name(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    @property
    def login_required(self) -> bool:
        view = getattr(self.callback, "view_class", self.callback)
        return getattr(self.callback, "login_required", getattr(view, "login_required", True))


def walk(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, URLPattern, str]]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            yield prefix + str(pattern.pattern), pattern, namespace


def project_routes() -> list[Route]:
    """Every named route outside the Django admin."""
    routes = []
    for route, pattern, namespace in walk():
        if namespace == "admin" or route.startswith("admin/") or not pattern.name:
            continue
        routes.append(Route(pattern.name, route, pattern.callback, namespace))
    return routes


def sample_url(route: str) -> str:
    """A concrete URL for a route, with random values for its converters."""
    from django.urls.resolvers import _route_to_regex

    _, converters = _route_to_regex(route, is_endpoint=True)
    url = route
    for name, converter in converters.items():
        sample = SAMPLE_BY_CONVERTER.get(type(converter), lambda: "sample")()
        # Replace the first "<conv:name>" or "<name>" occurrence.
        start = url.index("<")
        end = url.index(">", start)
        assert name in url[start:end]
        url = url[:start] + sample + url[end + 1 :]
    return "/" + url.lstrip("^").rstrip("$")
