"""The navigation: each role sees the pages it may use, by task group, and its communes."""

from django.urls import reverse

from beneficiaries.access import communes_for
from core import roles
from core.access import has_any_role, user_roles
from yenson import navigation as nav


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    links = nav.links_for(user)
    match = getattr(request, "resolver_match", None)
    url_name = match.view_name if match else None
    role_labels = [
        str(roles.ROLE_LABELS[r]) for r in sorted(user_roles(user)) if r in roles.ROLE_LABELS
    ]
    # The nearest deadline is fetched by the page (static/js/deadline-badge.js), so
    # the navigation costs no query on any page.
    deadline_url = (
        reverse("deadline_badge")
        if has_any_role(user, roles.CAN_SEE_LISTS - roles.SEES_SENT_LISTS_ONLY)
        else None
    )
    return {
        # The flat list of (label, url) every role sees, and the same links by task group.
        "nav_items": [(str(link.label), reverse(link.url_name)) for link in links],
        "nav_groups": nav.grouped(links, url_name, request.path),
        "nav_deadline_url": deadline_url,
        "nav_roles": role_labels,
        "nav_communes": list(communes_for(user).values_list("name", flat=True)[:5]),
    }
