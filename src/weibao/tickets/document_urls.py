"""Printable procedure forms (PDF) of a request, for staff and the request's client alike."""

from django.urls import path

from weibao.tickets import document_views

app_name = "ticket_documents"

urlpatterns = [
    path("<int:pk>/", document_views.document_index, name="index"),
    path("<int:pk>/<slug:form>.pdf", document_views.document_download, name="form"),
]
