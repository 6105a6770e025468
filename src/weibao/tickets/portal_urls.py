"""The client portal: a client's own requests, replies, sign-offs and ratings."""

from django.urls import path

from weibao.tickets.portal import requests, steps, survey

app_name = "portal"

urlpatterns = [
    path("", requests.request_list, name="list"),
    path("new/", requests.request_create, name="create"),
    path("<int:pk>/", requests.request_detail, name="detail"),
    path("<int:pk>/reply/", requests.request_reply, name="reply"),
    path("<int:pk>/withdraw/", requests.request_withdraw, name="withdraw"),
    path("<int:pk>/sign-off/", steps.leader_signoff_page, name="signoff"),
    path("<int:pk>/plan/", steps.plan_page, name="plan"),
    path("<int:pk>/remote-access/", steps.remote_consent_page, name="remote_consent"),
    path("<int:pk>/acceptance/", steps.acceptance_page, name="acceptance"),
    path("<int:pk>/feedback/", steps.feedback_page, name="feedback"),
    path("<int:pk>/rate/", steps.rate_page, name="rate"),
    path("attachments/<int:pk>/", requests.attachment_download, name="attachment"),
    path("survey/<str:token>/", survey.survey_by_link, name="survey"),
]
