"""Service desk models; see the modules for each group."""

from weibao.tickets.models.clocks import SlaBreach, SlaClock, SlaClockEvent, SlaEscalationRun
from weibao.tickets.models.procedure import (
    MILESTONES_BY_KIND,
    DataChange,
    MaintenancePlan,
    Milestone,
    RemoteConsent,
    Review,
    SignOff,
    TaskOrder,
    WorkLog,
)
from weibao.tickets.models.quality import CallbackTask, Complaint, CorrectiveAction, Survey
from weibao.tickets.models.tickets import (
    NO_DEADLINE,
    Attachment,
    Channel,
    Level,
    SavedFilter,
    Team,
    Ticket,
    TicketEvent,
    TicketSequence,
)

__all__ = [
    "MILESTONES_BY_KIND",
    "NO_DEADLINE",
    "Attachment",
    "CallbackTask",
    "Channel",
    "Complaint",
    "CorrectiveAction",
    "DataChange",
    "Level",
    "MaintenancePlan",
    "Milestone",
    "RemoteConsent",
    "Review",
    "SavedFilter",
    "SignOff",
    "SlaBreach",
    "SlaClock",
    "SlaClockEvent",
    "SlaEscalationRun",
    "Survey",
    "TaskOrder",
    "Team",
    "Ticket",
    "TicketEvent",
    "TicketSequence",
    "WorkLog",
]
