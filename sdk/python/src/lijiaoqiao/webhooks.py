"""Verifying webhook deliveries, exactly as docs/webhooks.md describes."""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Optional, Union


def compute_webhook_signature(secret: str, timestamp: int, body: Union[bytes, str]) -> str:
    """The ``v1`` value: hex HMAC-SHA256 keyed with the whole secret (``whsec_`` included) over ``<t>.<body>``."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + raw, hashlib.sha256).hexdigest()


def sign_webhook(secret: str, body: Union[bytes, str], timestamp: Optional[int] = None) -> str:
    """An ``X-Webhook-Signature`` header value (``t=<ts>,v1=<hex>``), as the gateway sends it (for tests)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={ts},v1={compute_webhook_signature(secret, ts, body)}"


def verify_webhook_signature(secret: str, header: Optional[str], body: Union[bytes, str], tolerance: int = 300,
                             now: Optional[float] = None) -> bool:
    """True when ``header`` (the ``X-Webhook-Signature`` value) signs the **raw** ``body`` with ``secret`` and its
    timestamp is within ``tolerance`` seconds of ``now`` (default: the clock). Compares in constant time."""
    if not header:
        return False
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        ts = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        return False
    expected = compute_webhook_signature(secret, ts, body)
    return hmac.compare_digest(expected.encode("ascii"), parts.get("v1", "").encode("utf-8"))
