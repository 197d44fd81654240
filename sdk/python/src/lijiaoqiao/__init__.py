"""Lijiaoqiao management API client (standard library only). The data plane (``/v1/chat/completions``,
``/v1/messages``, …) is for the official OpenAI/Anthropic SDKs pointed at the gateway's base URL."""
from .client import Client
from .errors import LijiaoqiaoError
from .models import Balance, Page, Pagination, Session, Tokens, WebhookEndpoint
from .routes import ROUTES
from .webhooks import compute_webhook_signature, sign_webhook, verify_webhook_signature

__all__ = ["Client", "LijiaoqiaoError", "Session", "Tokens", "Page", "Pagination", "Balance", "WebhookEndpoint",
           "ROUTES", "verify_webhook_signature", "compute_webhook_signature", "sign_webhook"]
__version__ = "0.1.0"
