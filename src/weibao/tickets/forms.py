"""HTML forms of the staff service desk. Choice lists only offer what the actor may see."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.accounts.models import User
from weibao.core.widgets import selects_fast
from weibao.customers.models import Client, Contact, Deployment
from weibao.customers.scope import visible_clients
from weibao.tickets import workflow
from weibao.tickets.models import Channel, Level, Team, Ticket
from weibao.tickets.models.tickets import KIND_CHOICES, STATUS_CHOICES
from weibao.tickets.selectors import Queue, Sort, TicketFilter
from weibao.tickets.services._common import WORKER_ROLES
from weibao.tickets.services.tickets import MAX_ATTACHMENTS

ANY = [("", _("Any"))]
SORT_CHOICES = [
    (Sort.DEADLINE, _("Next deadline")),
    (Sort.NEWEST, _("Newest first")),
    (Sort.OLDEST, _("Oldest first")),
]
# Channels an agent logs by hand; the portal, the API, mail and IM bots record their own.
MANUAL_CHANNELS = [
    Channel.ONSITE,
    Channel.WECHAT,
    Channel.QQ,
    Channel.EMAIL,
    Channel.HOTLINE,
    Channel.WECOM,
    Channel.DINGTALK,
    Channel.FEISHU,
    Channel.MONITORING,
]
# A call of more than a day is a typing mistake, not a call.
MAX_CALL_SECONDS = 24 * 3600
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# What the lookup sends besides the changed field: a new number proposes a new client,
# a newly chosen client keeps the number and the caller's name.
PHONE_INCLUDE = "[name=caller_name]"
CLIENT_INCLUDE = "[name=caller_phone],[name=caller_name]"


def id_or_none(raw: Any) -> int | None:
    """A posted id as an int; junk and numbers no database column holds are None."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def workers() -> QuerySet[User]:
    """Vendor users requests can be assigned to."""
    return User.objects.filter(Q(role__in=WORKER_ROLES) | Q(is_superuser=True), is_active=True).order_by("username")


def _queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else str(obj.get_username())


class DeploymentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.client.short_name or obj.client.name} · {obj.name}"


class ContactChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        phone = obj.mobile or obj.office_phone
        return f"{obj.name}（{phone}）" if phone else str(obj.name)


# ---------------------------------------------------------------------------- queues


class QueueFilterForm(forms.Form):
    """The queue's filters; invalid values are reported and left out, never a 500."""

    queue = forms.ChoiceField(required=False, choices=[(q, q) for q in Queue.CHOICES], widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[*ANY, *STATUS_CHOICES])
    client = forms.ModelChoiceField(
        label=_("Client"), required=False, queryset=Client.objects.none(), empty_label=_("Any")
    )
    deployment = DeploymentChoiceField(
        label=_("Deployment"), required=False, queryset=Deployment.objects.none(), empty_label=_("Any")
    )
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[*ANY, *KIND_CHOICES])
    level = forms.TypedChoiceField(
        label=_("Level"), required=False, choices=[*ANY, *Level.choices], coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[*ANY, *Channel.choices])
    assignee = UserChoiceField(label=_("Assignee"), required=False, queryset=User.objects.none(), empty_label=_("Any"))
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none(), empty_label=_("Any"))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clients = visible_clients(actor).order_by("name")
        _queryset(self, "client", clients)
        deployments = Deployment.objects.filter(client__in=clients).select_related("client")
        client_id = id_or_none(self.data.get("client") if self.is_bound else None)
        if client_id is not None:
            deployments = deployments.filter(client_id=client_id)
        _queryset(self, "deployment", deployments.order_by("client__name", "name"))
        _queryset(self, "assignee", workers())
        _queryset(self, "team", Team.objects.order_by("name"))
        selects_fast(self)

    def ticket_filter(self) -> TicketFilter:
        """The selector's filter from the valid fields (invalid ones are dropped)."""
        data = self.cleaned_data if self.is_bound else {}
        # A field that failed validation is missing from cleaned_data: it filters nothing.
        client, deployment = data.get("client"), data.get("deployment")
        assignee, team = data.get("assignee"), data.get("team")
        return TicketFilter(
            queue=data.get("queue") or Queue.ALL_OPEN,
            status=[data["status"]] if data.get("status") else [],
            client_id=client.pk if client else None,
            deployment_id=deployment.pk if deployment else None,
            assignee_id=assignee.pk if assignee else None,
            team_id=team.pk if team else None,
            kind=[data["kind"]] if data.get("kind") else [],
            level=[data["level"]] if data.get("level") else [],
            channel=data.get("channel") or "",
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or Sort.DEADLINE,
        )


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name of the filter"), max_length=100)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)


class BulkForm(forms.Form):
    """Bulk assign or bulk close the ticked requests (``ticket`` values) of a queue."""

    ASSIGN = "assign"
    CLOSE = "close"

    op = forms.ChoiceField(choices=[(ASSIGN, _("Assign")), (CLOSE, _("Close"))])
    assignee = UserChoiceField(label=_("Engineer"), required=False, queryset=User.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    note = forms.CharField(label=_("Note (internal)"), required=False, max_length=2000)
    reason = forms.CharField(label=_("Reason for closing"), required=False, max_length=2000)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "assignee", workers())
        _queryset(self, "team", Team.objects.order_by("name"))
        selects_fast(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = [str(v) for v in self.data.getlist("ticket")] if hasattr(self.data, "getlist") else []
        # Ids are checked against the actor's scope by the services (a foreign one is "not found").
        if any(not value.isdigit() or len(value) > 18 for value in raw):
            raise ValidationError(_("Not found."))
        data["ticket_ids"] = [int(value) for value in raw]
        return data


# ---------------------------------------------------------------------------- intake


class CallDurationField(forms.CharField):
    """A call's length: seconds ("95"), minutes and seconds ("1:35"), or with units ("1分35秒")."""

    PATTERNS = (
        re.compile(r"^(?P<s>\d{1,5})$"),
        re.compile(r"^(?P<m>\d{1,4})[:：](?P<s>[0-5]?\d)$"),
        re.compile(r"^(?:(?P<m>\d{1,4})\s*(?:分钟?|m|min))?\s*(?:(?P<s>\d{1,5})\s*(?:秒|s|sec))?$"),
    )

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip().replace(" ", "")
        if not text:
            return None
        for pattern in self.PATTERNS:
            match = pattern.match(text)
            if match and (match.group("s") or (match.groupdict().get("m"))):
                seconds = int(match.group("s") or 0) + 60 * int(match.groupdict().get("m") or 0)
                if seconds > MAX_CALL_SECONDS:
                    raise ValidationError(_("A call cannot last more than a day."), code="too_long")
                return seconds
        raise ValidationError(_("Enter the duration as seconds (95) or minutes:seconds (1:35)."), code="invalid")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; size and type are the services' business."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("At most %(n)s files at a time.") % {"n": MAX_ATTACHMENTS})
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class PartyMixin(forms.Form):
    """Who the request is for: the client, its deployment and contact, chosen from the client's own."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    deployment = forms.ModelChoiceField(label=_("Deployment"), required=False, queryset=Deployment.objects.none())
    contact = ContactChoiceField(label=_("Contact"), required=False, queryset=Contact.objects.none())

    FORM_NAME = ""
    PARTY_FIELDS: tuple[str, ...] = ("client", "contact", "deployment")

    def party_init(self, actor: User, client: Client | None) -> None:
        clients = visible_clients(actor).order_by("name")
        _queryset(self, "client", clients)
        lookup = f"{reverse('tickets:caller_lookup')}?form={self.FORM_NAME}"
        # htmx re-renders the "who is it for" part when the number or the client changes.
        self.fields["client"].widget.attrs.update(
            {"hx-get": lookup, "hx-trigger": "change", "hx-target": "#party", "hx-include": CLIENT_INCLUDE}
        )
        self.fields["caller_phone"].widget.attrs.update(
            {
                "hx-get": lookup,
                "hx-trigger": "input changed delay:400ms, search",
                "hx-target": "#party",
                "hx-include": PHONE_INCLUDE,
                "hx-indicator": "#party-searching",
                "autocomplete": "off",
                "inputmode": "tel",
            }
        )
        if client is None and self.is_bound:
            client_id = id_or_none(self.data.get("client"))
            client = clients.filter(pk=client_id).first() if client_id is not None else None
        self.party_client = client
        deployments = Deployment.objects.filter(client=client).order_by("name") if client else Deployment.objects.none()
        contacts = Contact.objects.filter(client=client).order_by("name") if client else Contact.objects.none()
        _queryset(self, "deployment", deployments)
        _queryset(self, "contact", contacts)

    def party_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.PARTY_FIELDS]

    def other_fields(self) -> list[forms.BoundField]:
        return [bound for bound in self.visible_fields() if bound.name not in self.PARTY_FIELDS]


def _local_now() -> str:
    return timezone.localtime().strftime(DATETIME_LOCAL)


class HotlineForm(PartyMixin):
    """A hotline call (R1.1): who called, about what, when and for how long."""

    FORM_NAME = "hotline"
    PARTY_FIELDS = ("client", "contact", "caller_name", "deployment")

    caller_phone = forms.CharField(label=_("Caller's number"), max_length=32)
    caller_name = forms.CharField(label=_("Caller"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=KIND_CHOICES, initial=workflow.Kind.FAULT)
    level = forms.TypedChoiceField(label=_("Level"), choices=Level.choices, coerce=int, initial=Level.MINOR)
    title = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(
        label=_("What the caller said"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    call_started_at = forms.DateTimeField(
        label=_("Call started at"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    call_seconds = CallDurationField(
        label=_("Call duration"),
        required=False,
        help_text=_("Seconds (95) or minutes:seconds (1:35); filled from the call timer when left empty."),
    )

    field_order = [
        "caller_phone",
        "caller_name",
        "client",
        "contact",
        "deployment",
        "kind",
        "level",
        "title",
        "description",
        "call_started_at",
        "call_seconds",
    ]

    def __init__(self, *args: Any, actor: User, client: Client | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("call_started_at", _local_now())
        super().__init__(*args, **kwargs)
        self.party_init(actor, client)

    def clean_call_started_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["call_started_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(_("A call cannot start in the future."))
        return value


class TicketCreateForm(PartyMixin):
    """A request logged by hand: on-site, WeChat, QQ, e-mail, or on a client user's behalf (代提单)."""

    FORM_NAME = "create"
    PARTY_FIELDS = ("client", "requester", "contact", "deployment")

    channel = forms.ChoiceField(label=_("Channel"), choices=[(c.value, c.label) for c in MANUAL_CHANNELS])
    requester = UserChoiceField(
        label=_("On behalf of (client user)"),
        required=False,
        queryset=User.objects.none(),
        help_text=_("Submit for a user of the client (代提单); they follow the request in the portal."),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=KIND_CHOICES, initial=workflow.Kind.FAULT)
    level = forms.TypedChoiceField(label=_("Level"), choices=Level.choices, coerce=int, initial=Level.MINOR)
    title = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    caller_name = forms.CharField(label=_("Reported by (name)"), max_length=100, required=False)
    caller_phone = forms.CharField(label=_("Reported by (number)"), max_length=32, required=False)
    # Named as the services name it, so their "files" errors land on it (Django keeps form.files apart).
    files = MultipleFileField(label=_("Attachments"))  # type: ignore[assignment]

    field_order = [
        "channel",
        "client",
        "requester",
        "contact",
        "deployment",
        "kind",
        "level",
        "title",
        "description",
        "caller_name",
        "caller_phone",
        "files",
    ]

    def __init__(self, *args: Any, actor: User, client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.party_init(actor, client)
        requesters = (
            User.objects.filter(client_membership__client=self.party_client, is_active=True).order_by("username")
            if self.party_client
            else User.objects.none()
        )
        _queryset(self, "requester", requesters)


# ---------------------------------------------------------------------------- request page


class TicketUpdateForm(forms.ModelForm[Ticket]):
    """The editable details of a request; ``version`` makes a stale edit a conflict, not an overwrite."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)

    class Meta:
        model = Ticket
        fields = ["title", "kind", "level", "deployment", "contact", "charging", "description"]
        labels = {"title": _("Summary")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_id = self.instance.client_id
        _queryset(self, "deployment", Deployment.objects.filter(client_id=client_id).order_by("name"))
        _queryset(self, "contact", Contact.objects.filter(client_id=client_id).order_by("name"))
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        # The service validates and saves; the form must not touch the instance it was given.
        pass

    def changes(self) -> dict[str, Any]:
        """Only the fields the user changed: an untouched description is not recorded as changed."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.changed_data}


# Steps taken with no record of their own; the others (review, resolve, tests, archive,
# merge) have their own forms that write the step's record.
PLAIN_ACTIONS = (
    workflow.Action.WAIT_CLIENT,
    workflow.Action.SUSPEND,
    workflow.Action.RESUME,
    workflow.Action.WITHDRAW,
    workflow.Action.CLOSE,
)


class TransitionForm(forms.Form):
    """One plain step of the procedure, with a reason where the step needs one."""

    action = forms.ChoiceField(choices=[(a.value, a.value) for a in PLAIN_ACTIONS], widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, action: workflow.Action | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = action
        if current is None and self.is_bound:
            try:
                current = workflow.Action(self.data.get("action", ""))
            except ValueError:
                current = None
        self.step = current
        if current is not None:
            self.initial["action"] = current.value
        if current not in workflow.REASON_REQUIRED:
            del self.fields["reason"]

    @property
    def needs_reason(self) -> bool:
        return "reason" in self.fields

    @property
    def label(self) -> str:
        return str(workflow.ACTION_LABELS[self.step]) if self.step else ""

    @property
    def prefix_id(self) -> str:
        return f"action-{self.step.value}" if self.step else "action"


class ReplyForm(forms.Form):
    """A reply to the client, or an internal note between engineers."""

    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(label=_("Internal note (never shown to the client)"), required=False, initial=False)
    # Named as the services name it, so their "files" errors land on it (Django keeps form.files apart).
    files = MultipleFileField(label=_("Attachments"))  # type: ignore[assignment]


class AssignForm(forms.Form):
    """Dispatch (派单) or transfer to an engineer and/or a team."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31, required=False)
    assignee = UserChoiceField(label=_("Engineer"), required=False, queryset=User.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), required=False, queryset=Team.objects.none())
    note = forms.CharField(label=_("Note (internal)"), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "assignee", workers())
        _queryset(self, "team", Team.objects.order_by("name"))


class ReturnForm(forms.Form):
    """Hand the request back to dispatch (打回)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31, required=False)
    reason = forms.CharField(label=_("Why it goes back"), required=False, max_length=2000)


class SuperviseForm(forms.Form):
    """Put the request under supervision (督办)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31, required=False)
    note = forms.CharField(label=_("What needs to happen"), required=False, max_length=2000)
