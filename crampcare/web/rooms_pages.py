"""The treatment rooms: every open session of the clinic with its retention timer.

Drawn from ``crampcare.clinic.timeline.treatment_rooms``; the list refreshes itself with htmx
every few seconds (``hx-get`` with ``HX-Request``: the list only), and each timer counts down in
the browser from the start the server stored (``static/crampcare/session.js``, as on the
session page), alerting at the minimum and at the maximum of its window.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from crampcare.clinic import timeline
from crampcare.web.actor import actor_of
from crampcare.web.live_view import balance, timer
from crampcare.web.workbench import page

REFRESH_SECONDS = 10


@page
@require_http_methods(["GET"])
def rooms(request: HttpRequest) -> HttpResponse:
    items = []
    for room in timeline.treatment_rooms(actor_of(request)):
        session = {
            "id": room["session_id"],
            "retention": {**room["retention"], "window": room["retention"]["window"] or {}},
        }
        needles = room["needles"]
        items.append(
            {
                "room": room,
                "timer": timer(session, room["patient"]),
                "balance": balance(needles["inserted"], needles["removed"]),
            }
        )
    context = {"items": items, "refresh": REFRESH_SECONDS}
    htmx = request.headers.get("HX-Request") == "true"
    template = "crampcare/_rooms_list.html" if htmx else "crampcare/rooms.html"
    return render(request, template, context)
