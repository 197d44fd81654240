"""The management API client: standard library only (urllib.request, json)."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Union

from .errors import LijiaoqiaoError
from .models import Balance, Page, Session, Tokens

Json = Any
Id = Union[int, str]


def _q(params: Mapping[str, Any]) -> str:
    items = [(k, _scalar(v)) for k, v in params.items() if v is not None]
    return ("?" + urllib.parse.urlencode(items)) if items else ""


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _seg(v: Id) -> str:
    return urllib.parse.quote(str(v), safe="")


def _clean(body: Mapping[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


class Client:
    """A client of one gateway.

    ``base_url`` is the gateway's address, with or without the ``/v1`` suffix (``http://127.0.0.1:8080`` or
    ``http://127.0.0.1:8080/v1``). Authenticate with ``api_key`` (a platform key ``lgw-…``: billing only), with a
    ``session`` (tokens from an earlier sign-in), or call :meth:`Auth.login`; the tokens are kept in the client and
    refreshed once, transparently, when the access token has expired.
    """

    def __init__(self, base_url: str, api_key: Optional[str] = None, session: Optional[Session] = None,
                 timeout: float = 30.0, user_agent: str = "lijiaoqiao-python/0.1.0") -> None:
        base = base_url.rstrip("/")
        if base.endswith("/v1"):
            base = base[:-3]
        self.base_url = base
        self.api_key = api_key
        self.session = session
        self.timeout = timeout
        self.user_agent = user_agent
        self.auth = Auth(self)
        self.users = Users(self)
        self.keys = Keys(self)
        self.billing = Billing(self)
        self.supply = Supply(self)
        self.webhooks = Webhooks(self)

    # -- transport -------------------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, query: Optional[Mapping[str, Any]] = None,
                headers: Optional[Mapping[str, str]] = None, raw: bool = False, auth: bool = True,
                _retry: bool = True) -> Any:
        """One call: JSON in, JSON out (``raw=True``: the body as text, for CSV). Raises :class:`LijiaoqiaoError`."""
        url = self.base_url + path + _q(query or {})
        data = None
        hdrs: Dict[str, str] = {"accept": "application/json", "user-agent": self.user_agent}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            hdrs["content-type"] = "application/json"
        if auth:
            token = self.session.access_token if self.session else self.api_key
            if token:
                hdrs["authorization"] = "Bearer " + token
        hdrs.update(headers or {})
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload = resp.read()
                if raw:
                    return payload.decode("utf-8")
                if resp.status == 204 or not payload:
                    return None
                return json.loads(payload.decode("utf-8"))
        except urllib.error.HTTPError as e:
            payload = e.read()
            err = LijiaoqiaoError.from_response(e.code, payload, e.headers.get("x-request-id"))
            if (e.code == 401 and _retry and auth and self.session is not None and self.session.refresh_token
                    and not path.startswith("/v1/auth/")):
                try:
                    self.auth.refresh()
                except LijiaoqiaoError:
                    raise err from None
                return self.request(method, path, body, query, headers, raw, auth, _retry=False)
            raise err from None
        except urllib.error.URLError as e:
            raise LijiaoqiaoError(0, "CONNECTION_ERROR", f"cannot reach {self.base_url}: {e.reason}") from None


class _Resource:
    def __init__(self, client: Client) -> None:
        self._c = client


class Auth(_Resource):
    def login(self, email: str, password: str) -> Tokens:
        """Signs in; the tokens are kept in the client (``client.session``) and sent from now on."""
        t = self._c.request("POST", "/v1/auth/token", {"email": email, "password": password}, auth=False)
        self._keep(t)
        return t

    def refresh(self) -> Tokens:
        """Trades the kept refresh token (single-use) for new tokens."""
        if not self._c.session or not self._c.session.refresh_token:
            raise LijiaoqiaoError(0, "NO_SESSION", "no refresh token: sign in first")
        t = self._c.request("POST", "/v1/auth/refresh", {"refresh_token": self._c.session.refresh_token},
                            auth=False)
        self._keep(t)
        return t

    def logout(self) -> None:
        """Ends the session (refresh token and access token) and forgets the tokens."""
        s = self._c.session
        if s is None:
            return
        body = {"refresh_token": s.refresh_token} if s.refresh_token else {}
        self._c.request("POST", "/v1/auth/logout", body, headers={"authorization": "Bearer " + s.access_token},
                        auth=False)
        self._c.session = None

    def register(self, email: str, password: str, name: Optional[str] = None, role: Optional[str] = None) -> Json:
        """Open registration (when the gateway allows it): ``role`` is ``member`` (default) or ``supplier``."""
        return self._c.request("POST", "/v1/auth/register",
                               _clean({"email": email, "password": password, "name": name, "role": role}), auth=False)

    def _keep(self, t: Mapping[str, Any]) -> None:
        self._c.session = Session(t["access_token"], t.get("refresh_token"), t.get("expires_in"),
                                  t.get("token_type", "Bearer"))


class Users(_Resource):
    def list(self, status: Optional[str] = None, role: Optional[str] = None, q: Optional[str] = None,
             tenant_id: Optional[int] = None, page: Optional[int] = None, page_size: Optional[int] = None) -> Page:
        return self._c.request("GET", "/v1/users", query=dict(status=status, role=role, q=q, tenant_id=tenant_id,
                                                              page=page, page_size=page_size))

    def get(self, user_id: Id) -> Json:
        return self._c.request("GET", f"/v1/users/{_seg(user_id)}")

    def update(self, user_id: Id, **fields: Any) -> Json:
        """``name``; ``password`` with ``old_password`` (self only); ``role``."""
        return self._c.request("PUT", f"/v1/users/{_seg(user_id)}", _clean(fields))

    def create(self, email: str, password: str, name: Optional[str] = None, role: Optional[str] = None,
               tenant_id: Optional[int] = None) -> Json:
        """Platform admins: ``POST /admin/users``."""
        return self._c.request("POST", "/admin/users", _clean(
            {"email": email, "password": password, "name": name, "role": role, "tenant_id": tenant_id}))


class Keys(_Resource):
    def list(self, user_id: Optional[int] = None, status: Optional[str] = None, page: Optional[int] = None,
             page_size: Optional[int] = None) -> Page:
        return self._c.request("GET", "/v1/keys", query=dict(user_id=user_id, status=status, page=page,
                                                             page_size=page_size))

    def create(self, name: Optional[str] = None, **fields: Any) -> Json:
        """201 with ``key``: the secret, shown only in this answer. Fields: ``description``, ``allowed_models``,
        ``allowed_ips``, ``rpm_limit``, ``tpm_limit``, ``budget_day``/``_week``/``_month``, ``expires_at``,
        ``user_id``."""
        return self._c.request("POST", "/v1/keys", _clean({"name": name, **fields}))

    def rotate(self, key_id: Id) -> Json:
        """A new secret (``key``); the old one stops working at once."""
        return self._c.request("POST", f"/v1/keys/{_seg(key_id)}/rotate")

    def delete(self, key_id: Id) -> None:
        self._c.request("DELETE", f"/v1/keys/{_seg(key_id)}")

    def get_budget(self, key_id: Id) -> Json:
        return self._c.request("GET", f"/v1/keys/{_seg(key_id)}/budget")

    def set_budget(self, key_id: Id, day: Optional[str] = None, week: Optional[str] = None,
                   month: Optional[str] = None) -> Json:
        return self._c.request("PUT", f"/v1/keys/{_seg(key_id)}/budget", {"day": day, "week": week, "month": month})


class Billing(_Resource):
    def balance(self) -> Balance:
        return self._c.request("GET", "/v1/billing/balance")

    def usage(self, from_: Optional[str] = None, to: Optional[str] = None, key_id: Optional[int] = None,
              model: Optional[str] = None, group_by: Optional[str] = None, page: Optional[int] = None,
              page_size: Optional[int] = None) -> Page:
        """Usage records (or groups with ``group_by`` = ``day``, ``model``, ``key``); ``from_``/``to`` are dates or
        instants (UTC)."""
        return self._c.request("GET", "/v1/billing/usage", query=self._usage_q(from_, to, key_id, model, group_by,
                                                                              page, page_size))

    def usage_csv(self, from_: Optional[str] = None, to: Optional[str] = None, key_id: Optional[int] = None,
                  model: Optional[str] = None, group_by: Optional[str] = None) -> str:
        q = self._usage_q(from_, to, key_id, model, group_by, None, None)
        q["format"] = "csv"
        return self._c.request("GET", "/v1/billing/usage", query=q, raw=True)

    @staticmethod
    def _usage_q(from_, to, key_id, model, group_by, page, page_size) -> Dict[str, Any]:  # type: ignore[no-untyped-def]
        return {"from": from_, "to": to, "key_id": key_id, "model": model, "group_by": group_by, "page": page,
                "page_size": page_size}

    def invoices(self) -> Json:
        return self._c.request("GET", "/v1/billing/invoices")

    def invoice(self, period: str) -> Json:
        """``period``: ``YYYY-MM`` (UTC)."""
        return self._c.request("GET", f"/v1/billing/invoices/{_seg(period)}")

    def invoice_csv(self, period: str) -> str:
        return self._c.request("GET", f"/v1/billing/invoices/{_seg(period)}", query={"format": "csv"}, raw=True)

    def redeem(self, code: str) -> Json:
        return self._c.request("POST", "/v1/billing/redeem", {"code": code})


class Supply(_Resource):
    """``/v1/supply/*``: for users with the role ``supplier``."""

    def me(self) -> Json:
        return self._c.request("GET", "/v1/supply/me")

    def list_accounts(self, page: Optional[int] = None, page_size: Optional[int] = None) -> Page:
        return self._c.request("GET", "/v1/supply/accounts", query=dict(page=page, page_size=page_size))

    def create_account(self, **fields: Any) -> Json:
        """``name``, ``vendor``, ``base_url``, ``credential``, ``models``, ``rpm``, ``tpm``, ``max_concurrency``."""
        return self._c.request("POST", "/v1/supply/accounts", _clean(fields))

    def get_account(self, account_id: Id) -> Json:
        return self._c.request("GET", f"/v1/supply/accounts/{_seg(account_id)}")

    def update_account(self, account_id: Id, **fields: Any) -> Json:
        return self._c.request("PUT", f"/v1/supply/accounts/{_seg(account_id)}", _clean(fields))

    def verify_account(self, account_id: Id) -> Json:
        return self._c.request("POST", f"/v1/supply/accounts/{_seg(account_id)}/verify")

    def delete_account(self, account_id: Id) -> None:
        self._c.request("DELETE", f"/v1/supply/accounts/{_seg(account_id)}")

    def list_packages(self, status: Optional[str] = None, page: Optional[int] = None,
                      page_size: Optional[int] = None) -> Page:
        return self._c.request("GET", "/v1/supply/packages", query=dict(status=status, page=page, page_size=page_size))

    def create_package(self, **fields: Any) -> Json:
        """``account_id``, ``name``, ``quota_tokens``, ``input_per_1m``, ``output_per_1m`` (required), ``models``,
        ``cached_input_per_1m``, ``valid_days``, ``max_concurrency``, ``rpm``, ``public_name``, ``status``."""
        return self._c.request("POST", "/v1/supply/packages", _clean(fields))

    def get_package(self, package_id: Id) -> Json:
        return self._c.request("GET", f"/v1/supply/packages/{_seg(package_id)}")

    def update_package(self, package_id: Id, **fields: Any) -> Json:
        return self._c.request("PUT", f"/v1/supply/packages/{_seg(package_id)}", _clean(fields))

    def earnings(self, from_: Optional[str] = None, to: Optional[str] = None, group_by: Optional[str] = None,
                 account_id: Optional[int] = None, package_id: Optional[int] = None, model: Optional[str] = None) -> Json:
        return self._c.request("GET", "/v1/supply/earnings", query={
            "from": from_, "to": to, "group_by": group_by, "account_id": account_id, "package_id": package_id,
            "model": model})

    def earnings_csv(self, from_: Optional[str] = None, to: Optional[str] = None,
                     group_by: Optional[str] = None) -> str:
        return self._c.request("GET", "/v1/supply/earnings", query={
            "from": from_, "to": to, "group_by": group_by, "format": "csv"}, raw=True)

    def statement(self, month: Optional[str] = None) -> Json:
        return self._c.request("GET", "/v1/supply/statements", query={"month": month})

    def list_payouts(self, status: Optional[str] = None, page: Optional[int] = None,
                     page_size: Optional[int] = None) -> Page:
        return self._c.request("GET", "/v1/supply/payouts", query=dict(status=status, page=page, page_size=page_size))

    def request_payout(self, amount: str, note: Optional[str] = None, idempotency_key: Optional[str] = None) -> Json:
        headers = {"idempotency-key": idempotency_key} if idempotency_key else None
        return self._c.request("POST", "/v1/supply/payouts", _clean({"amount": amount, "note": note}), headers=headers)


class Webhooks(_Resource):
    """``/v1/webhooks*``: for signed-in tenant admins and suppliers. The ``secret`` comes with create and rotate
    only."""

    def list(self, page: Optional[int] = None, page_size: Optional[int] = None) -> Page:
        return self._c.request("GET", "/v1/webhooks", query=dict(page=page, page_size=page_size))

    def create(self, url: str, event_types: Optional[List[str]] = None, description: Optional[str] = None,
               enabled: Optional[bool] = None) -> Json:
        return self._c.request("POST", "/v1/webhooks", _clean(
            {"url": url, "event_types": event_types if event_types is not None else ["*"],
             "description": description, "enabled": enabled}))

    def get(self, endpoint_id: Id) -> Json:
        return self._c.request("GET", f"/v1/webhooks/{_seg(endpoint_id)}")

    def update(self, endpoint_id: Id, **fields: Any) -> Json:
        return self._c.request("PUT", f"/v1/webhooks/{_seg(endpoint_id)}", _clean(fields))

    def delete(self, endpoint_id: Id) -> None:
        self._c.request("DELETE", f"/v1/webhooks/{_seg(endpoint_id)}")

    def rotate_secret(self, endpoint_id: Id) -> Json:
        return self._c.request("POST", f"/v1/webhooks/{_seg(endpoint_id)}/rotate-secret")

    def deliveries(self, endpoint_id: Id, status: Optional[str] = None, page: Optional[int] = None,
                   page_size: Optional[int] = None) -> Page:
        return self._c.request("GET", f"/v1/webhooks/{_seg(endpoint_id)}/deliveries",
                               query=dict(status=status, page=page, page_size=page_size))

    def delivery(self, endpoint_id: Id, delivery_id: Id) -> Json:
        return self._c.request("GET", f"/v1/webhooks/{_seg(endpoint_id)}/deliveries/{_seg(delivery_id)}")

    def redeliver(self, endpoint_id: Id, delivery_id: Id) -> Json:
        return self._c.request("POST", f"/v1/webhooks/{_seg(endpoint_id)}/deliveries/{_seg(delivery_id)}/redeliver")
