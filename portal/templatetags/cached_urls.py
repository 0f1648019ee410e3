"""{% url %} as Django's, with each address it reverses kept for the process.

A builtin (settings.TEMPLATES), so it takes the place of Django's tag in every template. A page
reverses the same dozen addresses request after request (the header, the footer, the search
form) at about 14 microseconds each with reverse(); looked up here, about 7. An address depends
on the view name, its arguments, the current namespace, the URL patterns in use (their resolver:
a new one when the patterns change, as in tests with another ROOT_URLCONF), the script prefix
and the active language (its prefix in the path), and all of these are the key. Only arguments
that are strings (a template's literals are SafeStrings) or integers are kept, as the same value
always makes the same address; any other kind goes to reverse() each time, as does a name that
does not reverse (the error is Django's own).
"""

from __future__ import annotations

import functools

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

_PLAIN = (str, int)


def cached_reverse(
    viewname: str, args=(), kwargs: dict | None = None, current_app: str | None = None
) -> str:
    """reverse(), kept per process for plain arguments (see the module's docstring)."""
    if not isinstance(viewname, str) or not all(isinstance(a, _PLAIN) for a in args):
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    named = ()
    if kwargs:
        if not all(isinstance(v, _PLAIN) for v in kwargs.values()):
            return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
        named = tuple(sorted(kwargs.items()))
    resolver = get_resolver(get_urlconf())
    return _reversed(
        viewname, tuple(args), named, current_app, resolver, get_script_prefix(), get_language()
    )


@functools.lru_cache(maxsize=4_096)
def _reversed(viewname, args, named, current_app, resolver, script_prefix, language) -> str:
    # The last three are the key's only: reverse() reads the same state itself.
    return reverse(viewname, args=args, kwargs=dict(named), current_app=current_app)


class CachedURLNode(URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        # The namespace to reverse in, as Django's tag finds it: the request's current_app if
        # it has one, else the namespace of the URL that was resolved.
        request = getattr(context, "request", None)
        if hasattr(request, "current_app"):
            current_app = request.current_app
        else:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = ""
        try:
            url = cached_reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's {% url %} (same syntax, same errors), its addresses kept: CachedURLNode."""
    node = django_url(parser, token)
    node.__class__ = CachedURLNode
    return node
