"""API shapes of the notification centre and preferences."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class InboxItemOut(Schema):
    id: int
    event: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadOut(Schema):
    count: int


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    event: str
    event_label: str
    channel: str
    channel_label: str
    enabled: bool


class PreferenceIn(Schema):
    event: str = Field(max_length=64)
    channel: str = Field(max_length=20)
    enabled: bool


class PreferencesIn(Schema):
    items: list[PreferenceIn] = Field(max_length=200)
