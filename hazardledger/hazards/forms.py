"""Input parsing for the hazard pages. Forms turn a request into the typed input of an action
(``workflow.rules``: ``PlanInput``, ``HazardInput`` …); the rules validate it, once, and the
services write. Problems the rules find come back on the form's fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hazardledger.access.scope import restrict
from hazardledger.core.forms import (
    IdField,
    InputGuardMixin,
    StyledFormMixin,
    model_choice_field,
)
from hazardledger.core.stash import KeptFilesInput, UploadStashMixin
from hazardledger.registry.models import Site

from .choices import (
    Evaluator,
    HazardAction,
    HazardCategory,
    HazardGrade,
    HazardSource,
    InterimMeasure,
    SignOff,
    VoidReason,
    WorkforceNotice,
)
from .constants import EVIDENCE_MAX_FILES
from .deadlines import local_today
from .evidence import ACCEPT_ATTRIBUTE, check_uploads
from .services import HAZARD_FIELDS, is_regulator
from .workflow import (
    TRANSITIONS,
    ActionInput,
    HazardInput,
    PlanInput,
    needs_evaluation,
    rule_for,
)

# A select of sites is offered up to this many; beyond it the site is chosen from its page.
SITE_SELECT_MAX = 500


class MultipleFileInput(KeptFilesInput, forms.ClearableFileInput):
    """Several files at once; names the files kept from a failed submission (``core.stash``)."""

    allow_multiple_selected = True


def _evidence_help() -> str:
    return gettext("Photos (JPEG, PNG, WebP) or PDF documents, at most %(n)d files.") % {
        "n": EVIDENCE_MAX_FILES
    }


# Formatted when shown, in the language of the request: the fields using it are built once,
# when the forms' classes are defined, and ``gettext_lazy(…) % …`` would format it right then.
EVIDENCE_HELP = lazy(_evidence_help, str)()


class EvidenceField(forms.FileField):
    """Several photos or PDFs; each is checked by content (``evidence.check_uploads``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "multiple": True})
        )
        kwargs.setdefault("help_text", EVIDENCE_HELP)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return check_uploads(uploads)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: Any = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class HazardFieldsMixin(InputGuardMixin, forms.Form):
    """The fields that describe a hazard (shared by "record" and "triage a quick report")."""

    location = forms.CharField(label=_("Where at the site"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Category"), choices=HazardCategory.choices)
    grade = forms.ChoiceField(
        label=_("Grade"),
        choices=HazardGrade.choices,
        initial=HazardGrade.GENERAL,
        widget=forms.RadioSelect,
    )
    grade_basis = forms.CharField(
        label=_("Basis for the grade"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a major hazard: the clause of the determination standard."),
    )
    interim_measures = forms.MultipleChoiceField(
        label=_("Interim measures taken"),
        choices=InterimMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Required for a major hazard."),
    )
    interim_note = forms.CharField(
        label=_("Interim measures, details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.ChoiceField(label=_("Source"), choices=HazardSource.choices)
    found_on = forms.DateField(label=_("Date found"), widget=DateInput)
    found_by_name = forms.CharField(
        label=_("Found by"),
        max_length=100,
        required=False,
        help_text=_("Leave empty for yourself."),
    )

    def clean(self) -> dict[str, Any]:
        """Run the recording rule (``HazardInput.validate``) now, so that the page shows its
        problems before it looks for duplicates; fields that already failed to parse keep
        their own message only."""
        data = super().clean() or {}
        try:
            self.hazard_input().validate(today=local_today())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return data

    def hazard_input(self) -> HazardInput:
        """The typed input ``services.hazard_record`` and ``quick_report_accept`` take."""
        return HazardInput.from_data(
            {key: self.cleaned_data[key] for key in HAZARD_FIELDS if key in self.cleaned_data}
        )


class HazardForm(UploadStashMixin, StyledFormMixin, HazardFieldsMixin):
    """Record a hazard. Likely duplicates are shown before it is saved; recording past them
    needs ``not_duplicate`` ticked. Photos chosen are kept when the page comes back (a
    duplicate warning, a missing field), so they need not be chosen again."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    # The metaclass moves declared fields into base_fields, so this does not clash with
    # BaseForm.files at run time; django-stubs sees a class attribute of another type.
    files = EvidenceField(label=_("Photos or documents"), required=False)  # type: ignore[assignment]
    not_duplicate = forms.BooleanField(
        label=_("I have checked: this is not one of the hazards above; record it."),
        required=False,
    )

    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DateInput,
        help_text=_("Empty: the default for the grade from the date found."),
    )

    field_order = ["site", "location", "description", "category", "grade", "grade_basis"]

    def __init__(self, *args: Any, user: Any, site: Site | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_regulator(user):
            # An enterprise's own finding gets the default deadline.
            del self.fields["deadline"]
        sites = restrict(Site.objects.all(), user, "view").select_related("region")
        model_choice_field(self, "site").queryset = sites
        if site is not None:
            self.fields["site"].initial = site.pk
            self.fields["site"].widget = forms.HiddenInput()
        elif sites[: SITE_SELECT_MAX + 1].count() > SITE_SELECT_MAX:
            self.fields["site"].widget = forms.NumberInput(attrs={"class": "form-control"})
            self.fields["site"].help_text = _(
                "The site's number; or open the site's page and use “Record a hazard”."
            )
        self.fields["found_on"].initial = local_today()
        self.stash_setup(user=user)


class QuickReportForm(UploadStashMixin, StyledFormMixin, forms.Form):
    """A quick report from a phone: the site, one sentence and a photo (GPS if allowed); the
    photo is kept when the page comes back with an error."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    description = forms.CharField(
        label=_("What is wrong"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    location = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    # The metaclass moves declared fields into base_fields, so this does not clash with
    # BaseForm.files at run time; django-stubs sees a class attribute of another type.
    files = EvidenceField(label=_("Photo"))  # type: ignore[assignment]
    latitude = forms.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = restrict(Site.objects.all(), user, "view").order_by("name")
        model_choice_field(self, "site").queryset = sites
        first_two = list(sites.values_list("pk", flat=True)[:2])
        if len(first_two) == 1:  # one site: nothing to choose, one tap less on the phone
            self.fields["site"].initial = first_two[0]
        self.fields["files"].widget.attrs["capture"] = "environment"
        self.stash_setup(user=user)


class TriageForm(StyledFormMixin, HazardFieldsMixin):
    """Record a quick report in the ledger (the hazard's fields, prefilled from the report)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    not_duplicate = forms.BooleanField(
        label=_("I have checked: this is not one of the hazards above; record it."),
        required=False,
    )


class RejectReportForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (the reporter sees it)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- one form per workflow action -------------------------------------------------------------


class ActionForm(StyledFormMixin, forms.Form):
    """Base of the action forms: the version the page showed, and a comment.

    Whether the comment (and, where there is one, the evidence) is required comes from the
    action's rule (``Transition.reason_required``/``files_required``), so the form and the
    service cannot disagree. ``to_input`` builds the action's typed input from the cleaned
    data; the service validates it (its problems come back on these fields).
    """

    action = ""
    comment_label: Any = _("Comment")
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, hazard: Any, user: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action)
        kwargs.setdefault("initial", {"version": hazard.version})
        super().__init__(*args, **kwargs)
        self.hazard = hazard
        self.user = user
        transition = TRANSITIONS.get((hazard.status, self.action))
        self.fields["comment"].label = self.comment_label
        self.fields["comment"].required = bool(transition and transition.reason_required)
        if "files" in self.fields:
            self.fields["files"].required = bool(transition and transition.files_required)

    def service_kwargs(self) -> dict[str, Any]:
        """``hazard_transition``'s arguments besides the hazard, the actor and the version."""
        return {"comment": self.cleaned_data.get("comment", ""), "data": self.to_input()}

    def to_input(self) -> ActionInput:
        """The action's typed input from the cleaned data (its fields by name)."""
        return rule_for(self.action).input.from_data(self.cleaned_data)


class PlanForm(ActionForm):
    """The rectification plan with its five implementations."""

    action = HazardAction.PLAN
    comment_label = _("Remarks")
    responsible_unit = forms.CharField(label=_("Responsible unit"), max_length=200, required=False)
    responsible_user = forms.TypedChoiceField(
        label=_("Responsible person"), required=False, coerce=int, empty_value=None
    )
    responsible_person = forms.CharField(
        label=_("Responsible person without an account"),
        max_length=100,
        required=False,
        help_text=_("Only when the person has no account."),
    )
    measures = forms.CharField(
        label=_("Measures"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    funds = forms.DecimalField(
        label=_("Funds (yuan)"), max_digits=14, decimal_places=2, min_value=0
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DateInput,
        help_text=_("The hazard's deadline, or an earlier one; a later one needs an extension."),
    )
    contingency_plan = forms.CharField(
        label=_("Contingency plan"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    governance_programme = forms.CharField(
        label=_("Governance programme"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Goal and tasks, methods and measures, funds and materials, organisation and people, "
            "time limit, safety measures."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("responsible_user") and not data.get("responsible_person"):
            self.add_error(
                "responsible_person",
                _("Choose the responsible person, or give the name of one without an account."),
            )
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from hazardledger.accounts.models import User

        self.fields["deadline"].initial = self.hazard.deadline or local_today() + timedelta(days=30)
        people = User.objects.filter(
            organisation_id=self.hazard.organisation_id, is_active=True
        ).order_by("username")
        choice_field = self.fields["responsible_user"]
        assert isinstance(choice_field, forms.TypedChoiceField)
        choice_field.choices = [("", "—")] + [(user.pk, user.display_name) for user in people[:200]]
        if self.hazard.organisation_id is None:
            del self.fields["responsible_user"]
        required = PlanInput.required_fields(self.hazard)
        for name in ("contingency_plan", "governance_programme"):
            self.fields[name].required = name in required
        if not self.hazard.is_major:
            del self.fields["governance_programme"]


class EvidenceActionForm(UploadStashMixin, ActionForm):
    """An action with evidence; the files are kept when the page comes back with an error
    (for the user the form was made for: the page's own)."""

    comment_label = _("What was done")
    # The metaclass moves declared fields into base_fields, so this does not clash with
    # BaseForm.files at run time; django-stubs sees a class attribute of another type.
    files = EvidenceField(label=_("Evidence: photos or documents"))  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.stash_setup(user=self.user)

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["files"] = self.cleaned_data["files"]
        return kwargs


class FixForm(EvidenceActionForm):
    action = HazardAction.FIX


class SubmitForm(EvidenceActionForm):
    """Submitted for acceptance; for a listed or production-stopped major hazard, the
    application to resume with its evaluation (the report among the files)."""

    action = HazardAction.SUBMIT
    evaluator = forms.ChoiceField(
        label=_("Evaluated by"), choices=Evaluator.choices, required=False
    )
    evaluation_body = forms.CharField(
        label=_("Safety evaluation body"), max_length=200, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_evaluation(self.hazard):
            self.fields["evaluator"].required = True
            self.fields["files"].help_text = _("Attach the evaluation report.")
        else:
            del self.fields["evaluator"]
            del self.fields["evaluation_body"]


class ConfirmForm(ActionForm):
    action = HazardAction.CONFIRM


class AcceptForm(ActionForm):
    action = HazardAction.ACCEPT
    comment_label = _("Acceptance opinion")


class RejectForm(ActionForm):
    action = HazardAction.REJECT
    comment_label = _("Reason for rejection")
    deadline = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=DateInput,
        help_text=_("Required when the deadline has passed."),
    )
    stop_production = forms.BooleanField(label=_("Order production to stop wholly"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.hazard.is_major:
            del self.fields["stop_production"]


class RequestExtensionForm(ActionForm):
    action = HazardAction.REQUEST_EXTENSION
    comment_label = _("Reason")
    requested_deadline = forms.DateField(label=_("New deadline"), widget=DateInput)


class ApproveExtensionForm(ActionForm):
    action = HazardAction.APPROVE_EXTENSION


class RefuseExtensionForm(ActionForm):
    action = HazardAction.REFUSE_EXTENSION
    comment_label = _("Reason for refusal")


class VoidForm(ActionForm):
    action = HazardAction.VOID
    comment_label = _("Explanation")
    void_reason = forms.ChoiceField(label=_("Why void it"), choices=VoidReason.choices)
    duplicate_of = IdField(label=_("Duplicate of hazard number"), required=False)


class ReopenForm(ActionForm):
    action = HazardAction.REOPEN
    comment_label = _("Why it is not fixed")
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput)


class ApprovePlanForm(ActionForm):
    action = HazardAction.APPROVE_PLAN


class ReturnPlanForm(ActionForm):
    action = HazardAction.RETURN_PLAN
    comment_label = _("What must change")


class InterimForm(ActionForm):
    action = HazardAction.UPDATE_INTERIM
    interim_measures = forms.MultipleChoiceField(
        label=_("Interim measures taken"),
        choices=InterimMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interim_note = forms.CharField(
        label=_("Interim measures, details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interim_measures"].initial = self.hazard.interim_measures
        self.fields["interim_note"].initial = self.hazard.interim_note


class RegradeForm(ActionForm):
    action = HazardAction.REGRADE
    comment_label = _("Reason")
    grade = forms.ChoiceField(label=_("New grade"), choices=HazardGrade.choices)
    clause = forms.CharField(
        label=_("Clause of the determination standard"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NotifyWorkforceForm(ActionForm):
    action = HazardAction.NOTIFY_WORKFORCE
    notified_on = forms.DateField(label=_("Date"), widget=DateInput)
    method = forms.ChoiceField(label=_("How"), choices=WorkforceNotice.choices)


class SignOffForm(ActionForm):
    action = HazardAction.SIGN_OFF
    kind = forms.ChoiceField(label=_("Sign-off"), choices=SignOff.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    post = forms.CharField(label=_("Post"), max_length=100)
    signed_on = forms.DateField(label=_("Date"), widget=DateInput)
    # The metaclass moves declared fields into base_fields, so this does not clash with
    # BaseForm.files at run time; django-stubs sees a class attribute of another type.
    files = EvidenceField(label=_("Signed document"))  # type: ignore[assignment]

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["files"] = self.cleaned_data["files"]
        return kwargs


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        PlanForm,
        FixForm,
        ConfirmForm,
        SubmitForm,
        AcceptForm,
        RejectForm,
        RequestExtensionForm,
        ApproveExtensionForm,
        RefuseExtensionForm,
        VoidForm,
        ReopenForm,
        ApprovePlanForm,
        ReturnPlanForm,
        InterimForm,
        RegradeForm,
        NotifyWorkforceForm,
        SignOffForm,
    )
}
