"""Staff pages of the service desk: queues, request pages, hotline intake."""

from django.urls import path

from weibao.tickets.views import actions, detail, exports, intake, queues

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
    path("attachments/<int:pk>/", detail.attachment, name="attachment"),
]
