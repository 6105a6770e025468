from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

# Areas of requirements.md that are not built yet; each says so plainly.
UPCOMING_AREAS = {
    "sla": (_("Service levels"), "R2"),
    "knowledge": (_("Knowledge base"), "R4"),
    "monitoring": (_("Monitoring"), "R5.1"),
    "inspections": (_("Inspections"), "R5.2, R5.4"),
    "backups": (_("Backups"), "R5.3"),
    "duty": (_("Duty rosters"), "R5.7"),
    "reports": (_("Reports"), "R6"),
    "notifications": (_("Notifications"), "R1.1, R2.3"),
}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Client users work in the portal; the home page's cards are the vendor's areas.
    if getattr(request.user, "is_client_side", False):
        return redirect("portal:list")
    return render(request, "core/home.html")


@login_required
@require_GET
def area(request: HttpRequest, area: str) -> HttpResponse:
    if area not in UPCOMING_AREAS:
        raise Http404
    title, requirements = UPCOMING_AREAS[area]
    return render(request, "core/area.html", {"title": title, "requirements": requirements})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
