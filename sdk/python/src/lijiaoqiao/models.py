"""Shapes of the management API's answers (snake_case, as sent). Amounts are decimal strings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, TypedDict


@dataclass
class Session:
    """Tokens of a signed-in user, as kept by the client."""
    access_token: str
    refresh_token: Optional[str] = None
    expires_in: Optional[int] = None
    token_type: str = "Bearer"


class Tokens(TypedDict):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int


class Pagination(TypedDict):
    page: int
    page_size: int
    total: int


class Page(TypedDict):
    """A list answer: ``{"data": [...], "pagination": {...}}``."""
    data: List[Dict[str, Any]]
    pagination: Pagination


class User(TypedDict, total=False):
    id: int
    email: str
    name: str
    role: str
    status: str
    tenant_id: int


class ApiKey(TypedDict, total=False):
    id: int
    name: str
    prefix: str
    status: str
    user_id: int
    tenant_id: int
    key: str  # the secret: only in the answers of create and rotate


class Balance(TypedDict):
    tenant_id: int
    currency: str
    balance: str
    reserved: str
    available: str


class WebhookEndpoint(TypedDict, total=False):
    id: int
    tenant_id: Optional[int]
    url: str
    event_types: List[str]
    description: Optional[str]
    enabled: bool
    disabled_reason: Optional[str]
    disabled_at: Optional[str]
    failing_since: Optional[str]
    consecutive_failures: int
    created_at: str
    updated_at: str
    secret: str  # only in the answers of create and rotate-secret


class SupplierMe(TypedDict, total=False):
    supplier_id: int
    status: str
    min_margin_bps: int
    hold_days: int
    earnings: Dict[str, str]
