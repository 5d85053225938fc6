"""Template tags that ask the permission policies: menus and buttons show what a user may do."""

from __future__ import annotations

from django import template

from hazardledger.access.policy import policy_for

register = template.Library()


@register.simple_tag(takes_context=True)
def user_may(context: template.Context, model: str, action: str) -> bool:
    """``{% user_may "app.model" "action" as flag %}``: whether the signed-in user's role allows
    the action on that kind of object (the model's permission policy; False when the model has
    no policy, e.g. its app is not installed), for menus and buttons."""
    try:
        policy = policy_for(model)
    except LookupError:
        return False
    return policy.user_has_permission(context["request"].user, action)
