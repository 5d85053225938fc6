"""Pagination for every list page: a page number never answers 404.

A bookmarked or shared link names a page that may no longer exist once rows are closed, moved
or filtered away (``/hazards/?page=999``); Django's ``ListView`` answers such a page with 404.
Here a number past the end shows the last page, and one that is not a number, or is below 1,
shows the first.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator


def nearest_page(paginator: Paginator, number: Any) -> Page:
    """The page ``number`` names, or the nearest one that exists: the last for a number past
    the end (``"last"`` too), the first for anything else that is not a page (``"x"``, ``0``,
    ``-3``, a number too long to parse). Never raises for the caller's input."""
    if number == "last":
        return paginator.page(paginator.num_pages)
    try:
        return paginator.page(paginator.validate_number(number))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        # validate_number already parsed it, so int() cannot fail here.
        return paginator.page(paginator.num_pages if int(number) > 1 else 1)


class LastPageMixin:
    """For ``ListView`` (and django-filter's ``FilterView``): a page out of range shows the
    nearest page (``nearest_page``) instead of answering 404."""

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[Paginator, Page, Any, bool]:
        view: Any = self  # a MultipleObjectMixin
        paginator = view.get_paginator(
            queryset,
            page_size,
            orphans=view.get_paginate_orphans(),
            allow_empty_first_page=view.get_allow_empty(),
        )
        number = view.kwargs.get(view.page_kwarg) or view.request.GET.get(view.page_kwarg) or 1
        page = nearest_page(paginator, number)
        return paginator, page, page.object_list, page.has_other_pages()
