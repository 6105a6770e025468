"""The home page: vendor staff see their areas; client users go straight to the portal."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse


def test_a_client_user_opening_home_lands_in_the_portal(as_client_a: HttpClient) -> None:
    response = as_client_a.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:list")


def test_staff_stay_on_the_home_page(as_staff: HttpClient) -> None:
    assert as_staff.get(reverse("core:home")).status_code == 200
