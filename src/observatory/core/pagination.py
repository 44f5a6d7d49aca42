"""Pages of the API's lists: bounded, so one request cannot ask for a whole
table (limit at most MAX_LIMIT, 422 above) nor for an offset the database
cannot take."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

PER_PAGE = 100
MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1


class Pages(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(PER_PAGE, ge=1, le=MAX_LIMIT, description=f"at most {MAX_LIMIT}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
