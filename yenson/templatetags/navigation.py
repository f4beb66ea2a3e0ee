"""``{% breadcrumbs %}``: the trail of :mod:`yenson.navigation`, drawn by base.html.

A page that wants another label for itself writes ``{% breadcrumbs "label" %}``
in its ``{% block breadcrumbs %}``, or its view hands ``breadcrumb_label`` over.
"""

from django import template

from yenson.navigation import breadcrumbs as trail

register = template.Library()


@register.inclusion_tag("_breadcrumbs.html", takes_context=True)
def breadcrumbs(context, label: str | None = None) -> dict:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return {"crumbs": trail(match.view_name if match else None, context, label)}
