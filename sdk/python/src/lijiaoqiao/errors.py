"""The gateway's error envelope as an exception."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional


class LijiaoqiaoError(Exception):
    """An error answer of the gateway: ``{"error": {"code", "message", "details", "trace_id", ...}}``.

    ``status`` is the HTTP status (0 when the gateway could not be reached); ``code`` the gateway's error code
    (``AUTH_001``, ``COMMON_002``, ...); ``details`` the envelope's ``details`` object (``{}`` when absent).
    """

    def __init__(self, status: int, code: str, message: str, details: Optional[Mapping[str, Any]] = None,
                 trace_id: Optional[str] = None, retryable: bool = False, type: Optional[str] = None,
                 doc_url: Optional[str] = None, body: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details: Dict[str, Any] = dict(details or {})
        self.trace_id = trace_id
        self.retryable = retryable
        self.type = type
        self.doc_url = doc_url
        self.body = body

    @classmethod
    def from_response(cls, status: int, raw: bytes, request_id: Optional[str] = None) -> "LijiaoqiaoError":
        import json

        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = None
        err = body.get("error") if isinstance(body, dict) else None
        if isinstance(err, dict):
            details = err.get("details")
            return cls(status, str(err.get("code") or f"HTTP_{status}"), str(err.get("message") or ""),
                       details if isinstance(details, dict) else {}, err.get("trace_id") or request_id,
                       bool(err.get("retryable", False)), err.get("type"), err.get("doc_url"), body)
        text = raw.decode("utf-8", "replace")[:200] if raw else ""
        return cls(status, f"HTTP_{status}", text or f"HTTP {status}", {}, request_id,
                   status == 429 or status >= 500, None, None, body)
