from django.http import HttpRequest


def clinic(request: HttpRequest) -> dict:
    """The clinic and role of the logged-in user, for the navbar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_clinic": user.clinic, "current_membership": user.membership}
