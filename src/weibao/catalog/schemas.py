from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ProductOut(Schema):
    id: int
    name: str
    code: str
    description: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductCreateIn(Schema):
    name: str = Field(max_length=100)
    code: str = Field(max_length=50)
    description: str = ""
    is_active: bool = True


class ProductUpdateIn(Schema):
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=50)
    description: str | None = None
    is_active: bool | None = None


class ReleaseOut(Schema):
    id: int
    product_id: int
    product_name: str = Field(alias="product.name")
    version: str
    released_on: dt.date
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ReleaseCreateIn(Schema):
    version: str = Field(max_length=50)
    released_on: dt.date
    notes: str = ""


class ReleaseUpdateIn(Schema):
    version: str | None = Field(None, max_length=50)
    released_on: dt.date | None = None
    notes: str | None = None
