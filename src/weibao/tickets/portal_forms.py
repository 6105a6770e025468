"""Forms of the client portal: opening a request, replying, and the client's procedure steps.

Choice lists offer only what a client may pick (their own deployments, the request
types a client raises); the services check everything again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from weibao.customers.models import Deployment
from weibao.tickets.models import Level
from weibao.tickets.workflow import KIND_LABELS, Kind

# Request types a client raises itself (R1.2). Corrective, adaptive and emergency
# maintenance, expansions and upgrades are how the vendor classifies work after review.
CLIENT_KINDS = (
    Kind.FAULT,
    Kind.CONSULTATION,
    Kind.OPTIMIZATION,
    Kind.DATA,
    Kind.PERSONALISED,
    Kind.TRAINING,
    Kind.COMPLAINT,
)

# What each fault level means (R1.3), so that the client can choose without a manual.
LEVEL_HELP = {
    Level.MAJOR: _(
        "The system is paralysed or the service interrupted (business down for an hour or more), "
        "key business data is lost, or the service is directly affected."
    ),
    Level.SERIOUS: _("A function is seriously lost and there is no acceptable workaround; limited use is possible."),
    Level.MINOR: _("A minor loss of function or an inconvenience; a workaround may be needed."),
    Level.TRIVIAL: _("No function is lost and work is not affected (a question, a cosmetic problem)."),
}

RATING_CHOICES = [
    (5, _("5 — very satisfied")),
    (4, _("4 — satisfied")),
    (3, _("3 — neither satisfied nor dissatisfied")),
    (2, _("2 — dissatisfied")),
    (1, _("1 — very dissatisfied")),
]

# A drawn signature is a PNG of a small canvas, tens of kilobytes; the procedure's
# services check it fully. Far larger text is not read at all.
MAX_SIGNATURE_CHARS = 300_000


def _level_label(level: Level) -> str:
    return f"{level.label}: {LEVEL_HELP[level]}"


level_label = lazy(_level_label, str)


def files_errors_renamed(exc: ValidationError) -> ValidationError:
    """The services name uploads ``files``; these forms call the field ``attachments``.

    (``files`` is taken: it is the form's own dict of uploaded files.)
    """
    if hasattr(exc, "error_dict") and "files" in exc.error_dict:
        exc.error_dict["attachments"] = exc.error_dict.pop("files")
    return exc


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the services check each file's type and size."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        uploads = data if isinstance(data, list | tuple) else [data]
        return [single(upload, initial) for upload in uploads if upload]


class SignaturePadWidget(forms.Widget):
    """A drawing pad (static JS) that writes the drawing as a PNG data URL into a hidden input.

    Not a HiddenInput, so that the form template shows its label and its errors.
    """

    template_name = "tickets/portal/widgets/signature_pad.html"


class ConfirmDecisionField(forms.TypedChoiceField):
    def __init__(self, *, label: Any, yes: Any, no: Any) -> None:
        super().__init__(
            label=label,
            choices=[("yes", yes), ("no", no)],
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
        )


class RequestCreateForm(forms.Form):
    title = forms.CharField(
        label=_("Summary"), max_length=200, help_text=_("One line: what is wrong or what you need.")
    )
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(kind.value, KIND_LABELS[kind]) for kind in CLIENT_KINDS],
        initial=Kind.FAULT.value,
        help_text=_("Optimization and data-maintenance requests go to your leader for sign-off first."),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[(level.value, level_label(level)) for level in Level],
        coerce=int,
        initial=Level.MINOR.value,
        widget=forms.RadioSelect,
        help_text=_("A level not restored in its time limit rises automatically."),
    )
    deployment = forms.ModelChoiceField(
        label=_("System"),
        queryset=Deployment.objects.none(),
        required=False,
        empty_label=_("— not sure / not system-specific —"),
        help_text=_("Which of your systems the request is about."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8, "data-paste-target": "attachments"}),
        required=False,
        max_length=20_000,
        help_text=_("What happened, when, to whom, and the steps to see it. You can paste a screenshot here."),
    )
    attachments = MultipleFileField(
        label=_("Attachments and screenshots"),
        help_text=_("Up to 10 files: screenshots, logs, documents."),
    )

    def __init__(self, *args: Any, deployments: QuerySet[Deployment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["deployment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = deployments


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 5, "data-paste-target": "attachments"}),
        required=False,
        max_length=20_000,
    )
    attachments = MultipleFileField(label=_("Attachments and screenshots"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the request?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class SignedForm(forms.Form):
    """A form the client signs: the name as signed and, optionally, a drawn signature.

    ``version`` is the request's version when the page was shown: signing what has
    changed since (a new plan, say) is refused instead of signing unseen content.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    signer_name = forms.CharField(label=_("Signed by (name)"), max_length=100)
    signature = forms.CharField(
        label=_("Signature"),
        required=False,
        widget=SignaturePadWidget,
        max_length=MAX_SIGNATURE_CHARS,
        help_text=_("Optional: sign with the mouse or a finger."),
    )


class LeaderSignoffForm(SignedForm):
    approve = ConfirmDecisionField(
        label=_("Your decision"),
        yes=_("I sign off: the vendor may review and carry out this request"),
        no=_("I decline: the request is not to be carried out"),
    )
    opinion = forms.CharField(
        label=_("Opinion"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("Required when you decline: the proposer is told why."),
    )
    field_order = ["approve", "opinion", "signer_name", "signature"]


class PlanResponseForm(SignedForm):
    confirm = ConfirmDecisionField(
        label=_("Your decision"),
        yes=_("I confirm the plan"),
        no=_("I decline the plan"),
    )
    reason = forms.CharField(
        label=_("Reason or remarks"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("Required when you decline: say what should change."),
    )
    field_order = ["confirm", "reason", "signer_name", "signature"]


class RemoteConsentForm(forms.Form):
    scope = forms.CharField(
        label=_("What may be accessed"),
        max_length=300,
        help_text=_("For example: the application server of the production system, read-only database access."),
    )
    minutes_allowed = forms.IntegerField(
        label=_("For how many minutes"),
        min_value=1,
        max_value=24 * 60,
        initial=60,
        help_text=_("The engineer may connect within this time only."),
    )


class AcceptanceForm(SignedForm):
    accept = ConfirmDecisionField(
        label=_("Your decision"),
        yes=_("I accept: the problem is solved"),
        no=_("I reject: the problem is not solved"),
    )
    opinion = forms.CharField(
        label=_("Opinion"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("Required when you reject: say what is still wrong."),
    )
    field_order = ["accept", "opinion", "signer_name", "signature"]


class FeedbackForm(SignedForm):
    opinion = forms.CharField(
        label=_("Your opinion of the work"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment on the service"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    field_order = ["opinion", "rating", "comment", "signer_name", "signature"]


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the service?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
