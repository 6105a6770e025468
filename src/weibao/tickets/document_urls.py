"""Printable procedure forms (PDF) of a request, for staff and the request's client alike."""

from django.urls import path  # noqa: F401 - patterns are added here

app_name = "ticket_documents"

urlpatterns: list = []  # type: ignore[type-arg]
