"""Staff pages of the service desk: queues, request pages, hotline intake."""

from django.urls import path

from weibao.tickets.views import actions, clocks, detail, exports, intake, procedure, queues

app_name = "tickets"

urlpatterns = [
    path("", queues.queue, name="queue"),
    path("bulk/", queues.bulk, name="bulk"),
    path("filters/save/", queues.saved_filter_create, name="saved_filter_create"),
    path("filters/delete/", queues.saved_filter_delete, name="saved_filter_delete"),
    path("export/", exports.export, name="export"),
    path("hotline/", intake.hotline, name="hotline"),
    path("new/", intake.create, name="create"),
    path("lookup/", intake.caller_lookup, name="caller_lookup"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/edit/", actions.update, name="update"),
    path("<int:pk>/transition/", actions.transition, name="transition"),
    path("<int:pk>/reply/", actions.reply, name="reply"),
    path("<int:pk>/assign/", actions.assign, name="assign"),
    path("<int:pk>/claim/", actions.claim, name="claim"),
    path("<int:pk>/return/", actions.return_, name="return"),
    path("<int:pk>/follow/", actions.follow, name="follow"),
    path("<int:pk>/supervise/", actions.supervise, name="supervise"),
    path("<int:pk>/review/", procedure.review, name="review"),
    path("<int:pk>/resolve/", procedure.resolve, name="resolve"),
    path("<int:pk>/test/", procedure.test, name="test"),
    path("<int:pk>/archive/", procedure.archive, name="archive"),
    path("<int:pk>/task-orders/", procedure.task_order, name="task_order"),
    path("<int:pk>/task-orders/complete/", procedure.task_order_complete, name="task_order_complete"),
    path("<int:pk>/consents/", procedure.consent, name="consent"),
    path("<int:pk>/consents/revoke/", procedure.consent_revoke, name="consent_revoke"),
    path("<int:pk>/work-logs/", procedure.work_log, name="work_log"),
    path("<int:pk>/data-changes/", procedure.data_change, name="data_change"),
    path("<int:pk>/milestones/", procedure.milestone, name="milestone"),
    path("<int:pk>/complaint/", procedure.complaint, name="complaint"),
    path("<int:pk>/corrective-actions/", procedure.corrective_action, name="corrective_action"),
    path(
        "<int:pk>/corrective-actions/complete/",
        procedure.corrective_action_complete,
        name="corrective_action_complete",
    ),
    path("<int:pk>/links/", procedure.link, name="link"),
    path("<int:pk>/parent/", procedure.parent, name="parent"),
    path("<int:pk>/merge/", procedure.merge, name="merge"),
    path("attachments/<int:pk>/", detail.attachment, name="attachment"),
    path("<int:pk>/sla/reapply/", clocks.reapply, name="sla_reapply"),
    path("<int:pk>/sla/waive/", clocks.waive, name="sla_waive"),
    path("<int:pk>/sla/penalty-waive/", clocks.penalty_waive, name="sla_penalty_waive"),
    path("sla/breaching/", clocks.breaching, name="sla_breaching"),
    path("sla/compliance/", clocks.compliance, name="sla_compliance"),
]
