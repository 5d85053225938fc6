"""Pages of the reports app: rankings, generated reports (asked for, followed while the
worker makes them, downloaded), and statistics returns (the enterprise's, and the
regulator's list of who has filed)."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hazardledger.access.scope import user_can
from hazardledger.accounts.choices import OrganisationKind
from hazardledger.core.errors import (
    ServiceError,
    error_status,
    form_add_service_error,
    form_error_status,
)
from hazardledger.core.forms import error_text
from hazardledger.core.htmx import is_partial
from hazardledger.core.pagination import nearest_page
from hazardledger.core.transactions import durable_atomic
from hazardledger.core.uploads import upload_response
from hazardledger.transfer.spreadsheets import XLSX_CONTENT_TYPE

from . import documents
from .choices import FilingState, Indicator, ReturnStatus
from .constants import POLL_SECONDS, REPORTS_PAGE_SIZE, TRACKING_PAGE_SIZE
from .figures import child_names, region_name, scope_for_user
from .forms import (
    RankingForm,
    ReportRequestForm,
    ReturnPrepareForm,
    ReturnSignForm,
    ReturnTrackingForm,
)
from .models import GeneratedReport, StatisticsReturn
from .rankings import ranking
from .returns import (
    IMPLEMENTATIONS,
    ReturnPeriodKey,
    filing_state,
    recent_periods,
)
from .selectors import (
    report_get,
    report_list,
    return_get,
    return_list,
    returns_tracking,
    tracking_counts,
)
from .services import report_request, return_prepare, return_submit


def _file_response(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    extension = "pdf" if content_type == "application/pdf" else "xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- rankings --------------------------------------------------------------------------------


def _ranking_request(request: HttpRequest) -> tuple[RankingForm, Any]:
    """The ranking form read from the query string, and the scope (404 for a division outside
    the user's)."""
    if not user_can(request.user, GeneratedReport, "rank"):
        raise PermissionDenied
    form = RankingForm(request.GET, today=timezone.localdate())
    form.is_valid()
    scope = scope_for_user(request.user)
    return form, scope


@require_GET
@login_required
def ranking_view(request: HttpRequest) -> HttpResponse:
    """The divisions one level down from the user's, ranked on an indicator for a period,
    with the previous period's rank. A bad period or indicator answers 400 with the form."""
    form, scope = _ranking_request(request)
    context: dict[str, Any] = {"form": form, "scope_name": region_name(scope.region)}
    if form.errors:
        return render(request, "reports/ranking.html", context, status=400)
    period = form.cleaned_data["the_period"]
    indicator = form.cleaned_data["indicator"]
    rows = ranking(scope, period, indicator, today=timezone.localdate())
    context.update(
        period=period,
        indicator=indicator,
        indicator_label=dict(Indicator.choices)[indicator],
        indicators=Indicator.choices,
        rows=rows,
        has_children=bool(child_names(scope)),
        query=urlencode({k: v for k, v in request.GET.items() if k in form.fields}),
    )
    return render(request, "reports/ranking.html", context)


@require_GET
@login_required
def ranking_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The ranking the page shows as xlsx or PDF (``fmt``)."""
    form, scope = _ranking_request(request)
    if form.errors:
        return HttpResponse(error_text(form), status=400, content_type="text/plain; charset=utf-8")
    period = form.cleaned_data["the_period"]
    indicator = form.cleaned_data["indicator"]
    rows = ranking(scope, period, indicator, today=timezone.localdate())
    label = dict(Indicator.choices)[indicator]
    title = _("%(region)s: divisions ranked on %(indicator)s, %(period)s") % {
        "region": region_name(scope.region),
        "indicator": label,
        "period": period.label,
    }
    if fmt == "xlsx":
        data = documents.ranking_xlsx(indicator=indicator, rows=rows)
        return _file_response(
            data, content_type=XLSX_CONTENT_TYPE, filename=f"ranking-{period.key}"
        )
    subtitle = _("Previous period: %(period)s") % {"period": period.previous().label}
    data = documents.ranking_pdf(title=title, subtitle=subtitle, indicator=indicator, rows=rows)
    return _file_response(data, content_type="application/pdf", filename=f"ranking-{period.key}")


# --- generated reports -----------------------------------------------------------------------


def _region_choices(user: Any) -> list[tuple[str, str]]:
    scope = scope_for_user(user)
    return [(scope.region, region_name(scope.region) or scope.region)] + [
        (code, name) for code, name in child_names(scope).items()
    ]


def _report_page(request: HttpRequest, form: ReportRequestForm, status: int = 200) -> HttpResponse:
    reports = report_list(user=request.user)
    page = nearest_page(Paginator(reports, REPORTS_PAGE_SIZE), request.GET.get("page") or 1)
    context = {
        "form": form,
        "page_obj": page,
        "reports": page.object_list,
        "can_add": user_can(request.user, GeneratedReport, "add"),
    }
    return render(request, "reports/report_list.html", context, status=status)


@require_GET
@login_required
def report_list_view(request: HttpRequest) -> HttpResponse:
    """The reports of the user's body, newest first, and the form to ask for one."""
    if not user_can(request.user, GeneratedReport, "view"):
        raise PermissionDenied
    form = ReportRequestForm(today=timezone.localdate(), regions=_region_choices(request.user))
    return _report_page(request, form)


@require_POST
@login_required
def report_add(request: HttpRequest) -> HttpResponseBase:
    """Ask the worker for a report; then its page, which follows the progress."""
    if not user_can(request.user, GeneratedReport, "add"):
        raise PermissionDenied
    form = ReportRequestForm(
        request.POST, today=timezone.localdate(), regions=_region_choices(request.user)
    )
    if not form.is_valid():
        return _report_page(request, form, status=400)
    try:
        with durable_atomic():
            report = report_request(
                actor=request.user,
                kind=form.report_kind,
                period=form.cleaned_data["the_period"],
                region=form.cleaned_data.get("region") or "",
            )
    except ServiceError as exc:
        form_add_service_error(form, exc)
        return _report_page(request, form, status=form_error_status(exc))
    return redirect(report.get_absolute_url())


@require_GET
@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A report: its progress while the worker makes it (the status fragment polls itself by
    HTMX), then its files."""
    report = report_get(user=request.user, pk=pk)
    context = {"report": report, "poll_seconds": POLL_SECONDS}
    if is_partial(request):
        return render(request, "reports/partials/_report_status.html", context)
    return render(request, "reports/report_detail.html", context)


@require_GET
@login_required
def report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    """A finished report's PDF or xlsx, for the users of the body that asked for it (404 for
    anyone else, and while there is no file yet)."""
    report = report_get(user=request.user, pk=pk)
    field = report.pdf if fmt == "pdf" else report.xlsx
    content_type = "application/pdf" if fmt == "pdf" else XLSX_CONTENT_TYPE
    stamp = report.period_start.strftime("%Y%m")
    return upload_response(
        field,
        content_type=content_type,
        filename=f"report-{report.region_id}-{stamp}.{fmt}",
        as_attachment=True,
    )


# --- statistics returns ----------------------------------------------------------------------


def _organisation_id(request: HttpRequest) -> Any:
    return getattr(request.user, "organisation_id", None)


def _is_enterprise(user: Any) -> bool:
    organisation = getattr(user, "organisation", None)
    return organisation is not None and organisation.kind == OrganisationKind.ENTERPRISE


@require_GET
@login_required
def return_list_view(request: HttpRequest) -> HttpResponse:
    """An enterprise's returns (the recent periods, each with its due date and state); for a
    regulator, the list of the enterprises due to file to them."""
    user = request.user
    if _is_enterprise(user):
        if not user_can(user, StatisticsReturn, "view"):
            raise PermissionDenied
        return _enterprise_returns(request)
    if not user_can(user, StatisticsReturn, "track"):
        raise PermissionDenied
    return _tracking(request)


def _enterprise_returns(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    existing = {
        (r.period, r.year, r.quarter): r
        for r in return_list(user=request.user).filter(organisation_id=_organisation_id(request))
    }
    rows = []
    for key in recent_periods(today):
        statistics_return = existing.get((key.period, key.year, key.quarter))
        rows.append(
            {
                "key": key,
                "return": statistics_return,
                "state": filing_state(
                    status=getattr(statistics_return, "status", None),
                    submitted_at=getattr(statistics_return, "submitted_at", None),
                    due_on=key.due_on,
                ),
                "overdue": today > key.due_on,
            }
        )
    context = {
        "rows": rows,
        "can_prepare": user_can(request.user, StatisticsReturn, "prepare"),
        "states": dict(FilingState.choices),
    }
    return render(request, "reports/return_list.html", context)


def _tracking_form(request: HttpRequest) -> ReturnTrackingForm:
    scope = scope_for_user(request.user)
    regions = list(child_names(scope).items())
    periods = recent_periods(timezone.localdate())
    form = ReturnTrackingForm(request.GET, regions=regions, periods=periods)
    form.is_valid()
    return form


def _tracking(request: HttpRequest) -> HttpResponse:
    form = _tracking_form(request)
    context: dict[str, Any] = {"form": form, "periods": form.periods}
    if form.errors:
        return render(request, "reports/return_tracking.html", context, status=400)
    key: ReturnPeriodKey = form.cleaned_data["period"]
    filters = {
        "region": form.cleaned_data.get("region") or "",
        "text": form.cleaned_data["q"],
    }
    state = form.cleaned_data.get("state") or ""
    qs = returns_tracking(user=request.user, key=key, state=state, **filters)
    counts = tracking_counts(user=request.user, key=key, **filters)
    paginator = Paginator(qs, TRACKING_PAGE_SIZE)
    # The counts already hold the list's length: the paginator need not count again.
    paginator.count = counts[state] if state else sum(counts.values())
    page = nearest_page(paginator, request.GET.get("page") or 1)
    rows = [
        {
            "enterprise": organisation,
            "state": filing_state(
                status=organisation.return_status,
                submitted_at=organisation.return_submitted_at,
                due_on=key.due_on,
            ),
        }
        for organisation in page.object_list
    ]
    query = {k: v for k, v in request.GET.items() if k in form.fields}
    context.update(
        key=key,
        page_obj=page,
        rows=rows,
        counts=counts,
        states=dict(FilingState.choices),
        query=urlencode(query),
        page_query=urlencode({k: v for k, v in query.items() if k != "page"}),
        state_query=urlencode({k: v for k, v in query.items() if k not in ("page", "state")}),
    )
    return render(request, "reports/return_tracking.html", context)


@require_GET
@login_required
def return_export(request: HttpRequest) -> HttpResponse:
    """The regulator's list (its filters) as xlsx."""
    if not user_can(request.user, StatisticsReturn, "track") or _is_enterprise(request.user):
        raise PermissionDenied
    form = _tracking_form(request)
    if form.errors:
        return HttpResponse(error_text(form), status=400, content_type="text/plain; charset=utf-8")
    key: ReturnPeriodKey = form.cleaned_data["period"]
    qs = returns_tracking(
        user=request.user,
        key=key,
        state=form.cleaned_data.get("state") or "",
        region=form.cleaned_data.get("region") or "",
        text=form.cleaned_data["q"],
    )
    states = dict(FilingState.choices)
    rows = (
        [
            organisation.name,
            organisation.credit_code,
            organisation.region.name,
            key.label,
            key.due_on,
            str(
                states[
                    filing_state(
                        status=organisation.return_status,
                        submitted_at=organisation.return_submitted_at,
                        due_on=key.due_on,
                    )
                ]
            ),
            timezone.localtime(organisation.return_submitted_at).strftime("%Y-%m-%d %H:%M")
            if organisation.return_submitted_at
            else "",
        ]
        for organisation in cast(Any, qs.iterator())
    )
    headers = [
        _("Enterprise"),
        _("Unified social credit code"),
        _("Region"),
        _("Return"),
        _("Due by"),
        _("State"),
        _("Submitted at"),
    ]
    data = documents.xlsx_bytes(title=_("Statistics returns"), headers=headers, rows=rows)
    return _file_response(data, content_type=XLSX_CONTENT_TYPE, filename=f"returns-{key.key}")


@require_POST
@login_required
def return_prepare_view(request: HttpRequest) -> HttpResponseBase:
    """Prepare (or prepare again) the enterprise's return of a period, then show it."""
    if not user_can(request.user, StatisticsReturn, "prepare") or not _is_enterprise(request.user):
        raise PermissionDenied
    form = ReturnPrepareForm(request.POST)
    if not form.is_valid():
        return HttpResponse(error_text(form), status=400, content_type="text/plain; charset=utf-8")
    try:
        with durable_atomic():
            statistics_return = return_prepare(actor=request.user, key=form.cleaned_data["period"])
    except ServiceError as exc:
        form_add_service_error(form, exc)
        messages.error(request, error_text(form))
        return redirect("reports:return-list")
    messages.success(request, _("The return is prepared. The principal checks it and signs."))
    return redirect(statistics_return.get_absolute_url())


def _return_for(request: HttpRequest, pk: int) -> StatisticsReturn:
    return return_get(user=request.user, pk=pk)


def _return_context(statistics_return: StatisticsReturn) -> dict[str, Any]:
    key = ReturnPeriodKey(
        statistics_return.period, statistics_return.year, statistics_return.quarter
    )
    return {
        "statistics_return": statistics_return,
        "key": key,
        "figures": statistics_return.figures or {},
        "implementations": [(k, str(label)) for k, label in IMPLEMENTATIONS],
        "state": filing_state(
            status=statistics_return.status,
            submitted_at=statistics_return.submitted_at,
            due_on=statistics_return.due_on,
        ),
        "states": dict(FilingState.choices),
    }


@require_GET
@login_required
def return_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A return's figures, its state and, for the enterprise, what to do next."""
    statistics_return = _return_for(request, pk)
    context = _return_context(statistics_return)
    user: Any = request.user
    own = _is_enterprise(user) and statistics_return.organisation_id == user.organisation_id
    context.update(
        can_prepare=own
        and user_can(user, StatisticsReturn, "prepare")
        and statistics_return.status != ReturnStatus.SUBMITTED,
        can_sign=own
        and user_can(user, StatisticsReturn, "sign")
        and statistics_return.status == ReturnStatus.DRAFT,
    )
    return render(request, "reports/return_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def return_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The principal checks the prepared figures, signs and submits (404 out of scope, 403 for
    anyone but the enterprise's principal, 409 when the return changed meanwhile)."""
    statistics_return = _return_for(request, pk)
    user: Any = request.user
    if not (
        user_can(user, StatisticsReturn, "sign")
        and _is_enterprise(user)
        and statistics_return.organisation_id == user.organisation_id
    ):
        raise PermissionDenied
    if statistics_return.status != ReturnStatus.DRAFT and request.method == "GET":
        return redirect(statistics_return.get_absolute_url())
    form = ReturnSignForm(request.POST or None, request.FILES or None)
    if request.method == "GET":
        form.initial.update(version=statistics_return.version, principal_name=user.display_name)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            assert form.signature is not None  # clean() sets it or adds an error
            try:
                with durable_atomic():
                    return_submit(
                        actor=user,
                        statistics_return=statistics_return,
                        version=form.cleaned_data["version"],
                        principal_name=form.cleaned_data["principal_name"],
                        signature=form.signature,
                    )
            except ServiceError as exc:
                form_add_service_error(form, exc)
                status = error_status(exc)
            else:
                messages.success(
                    request, _("The return is signed and submitted to your regulators.")
                )
                return redirect(statistics_return.get_absolute_url())
        else:
            status = 400
    context = {**_return_context(statistics_return), "form": form}
    return render(request, "reports/return_sign.html", context, status=status)


@require_GET
@login_required
def return_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A prepared or submitted return as PDF (with the signature once signed)."""
    statistics_return = _return_for(request, pk)
    if statistics_return.status == ReturnStatus.DUE:
        raise Http404
    data = documents.return_pdf(
        statistics_return=statistics_return, context=_return_context(statistics_return)
    )
    return _file_response(
        data, content_type="application/pdf", filename=f"return-{statistics_return.period_key}"
    )


@require_GET
@login_required
def return_signature(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The principal's signature, served only to users who may see the return."""
    statistics_return = _return_for(request, pk)
    return upload_response(statistics_return.signature)
