"""Against a live gateway (LJQ_BASE_URL and the credentials SdkAgainstDemoTest passes in)."""
import datetime
import os
import unittest
import uuid

import _env
from _env import env
from lijiaoqiao import Client, LijiaoqiaoError, verify_webhook_signature


@unittest.skipUnless(_env.BASE_URL, "LJQ_BASE_URL not set: no live gateway")
class LiveTest(unittest.TestCase):
    def signed_in(self, who="TENANT_ADMIN"):
        c = Client(_env.BASE_URL)
        c.auth.login(env(f"LJQ_{who}_EMAIL"), env(f"LJQ_{who}_PASSWORD"))
        return c

    def test_sign_in_refresh_logout(self):
        c = self.signed_in()
        self.assertTrue(c.session.access_token)
        first_refresh = c.session.refresh_token
        t = c.auth.refresh()
        self.assertEqual("Bearer", t["token_type"])
        self.assertNotEqual(first_refresh, c.session.refresh_token)
        self.assertIn("data", c.keys.list())
        session = c.session
        c.auth.logout()
        self.assertIsNone(c.session)
        stale = Client(_env.BASE_URL, session=session)
        with self.assertRaises(LijiaoqiaoError) as e:
            stale.auth.refresh()
        self.assertEqual(401, e.exception.status)

    def test_wrong_password_maps_the_error_envelope(self):
        c = Client(_env.BASE_URL)
        with self.assertRaises(LijiaoqiaoError) as e:
            c.auth.login(env("LJQ_TENANT_ADMIN_EMAIL"), "not-the-password-" + uuid.uuid4().hex)
        err = e.exception
        self.assertEqual(401, err.status)
        self.assertEqual("AUTH_001", err.code)
        self.assertTrue(err.message)
        self.assertTrue(err.trace_id.startswith("req_"))
        self.assertIsNone(c.session)

    def test_keys_create_rotate_delete(self):
        c = self.signed_in()
        created = c.keys.create("sdk-python", description="made by the Python SDK test", rpm_limit=100)
        secret = created["key"]
        self.assertTrue(secret.startswith("lgw-"), "the secret is returned once, at creation")
        listed = c.keys.list(page_size=200)
        mine = [k for k in listed["data"] if k["id"] == created["id"]]
        self.assertEqual(1, len(mine))
        self.assertNotIn("key", mine[0], "a list never carries the secret")
        # the new key works for the billing API
        self.assertIn("available", Client(_env.BASE_URL, api_key=secret).billing.balance())
        rotated = c.keys.rotate(created["id"])
        self.assertNotEqual(secret, rotated["key"])
        with self.assertRaises(LijiaoqiaoError) as e:
            Client(_env.BASE_URL, api_key=secret).billing.balance()
        self.assertEqual(401, e.exception.status)
        c.keys.delete(created["id"])
        with self.assertRaises(LijiaoqiaoError) as e:
            Client(_env.BASE_URL, api_key=rotated["key"]).billing.balance()
        self.assertEqual(401, e.exception.status)

    def test_billing_balance_usage_invoices(self):
        c = Client(_env.BASE_URL, api_key=env("LJQ_API_KEY"))
        b = c.billing.balance()
        for field in ("tenant_id", "currency", "balance", "reserved", "available"):
            self.assertIn(field, b)
        self.assertGreater(float(b["balance"]), 0)
        usage = c.billing.usage(from_="2020-01-01", page_size=50)
        self.assertIn("data", usage)
        self.assertGreaterEqual(len(usage["data"]), 1, "the test gateway served a request before")
        by_model = c.billing.usage(from_="2020-01-01", group_by="model")
        self.assertTrue(any(g.get("model") for g in by_model["data"]))
        csv = c.billing.usage_csv(from_="2020-01-01")
        self.assertIn(",", csv.splitlines()[0])
        with self.assertRaises(LijiaoqiaoError) as e:
            c.billing.usage(from_="not-a-date")
        self.assertEqual((400, "COMMON_001"), (e.exception.status, e.exception.code))
        self.assertEqual("from", e.exception.details.get("field"))
        invoices = c.billing.invoices()
        self.assertIn("data", invoices)
        month = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")
        inv = c.billing.invoice(month)
        self.assertIsInstance(inv, dict)
        self.assertTrue(c.billing.invoice_csv(month).strip())
        # the same through a session
        self.assertEqual(b["tenant_id"], self.signed_in().billing.balance()["tenant_id"])

    def test_users(self):
        admin = self.signed_in("ADMIN")
        users = admin.users.list(page_size=200)
        emails = [u["email"] for u in users["data"]]
        self.assertIn(env("LJQ_ADMIN_EMAIL"), emails)
        ta = self.signed_in()
        me = [u for u in ta.users.list()["data"] if u["email"] == env("LJQ_TENANT_ADMIN_EMAIL")][0]
        self.assertEqual(me["id"], ta.users.get(me["id"])["id"])

    def test_webhooks(self):
        c = self.signed_in()
        with self.assertRaises(LijiaoqiaoError) as e:
            c.webhooks.create("http://10.0.0.1/x", ["*"])
        self.assertEqual((400, "COMMON_001"), (e.exception.status, e.exception.code))
        self.assertEqual("url", e.exception.details.get("field"))
        ep = c.webhooks.create("http://127.0.0.1:9/sdk-python", ["billing.low_balance"], description="sdk test")
        self.assertTrue(ep["secret"].startswith("whsec_"))
        self.assertIn(ep["id"], [w["id"] for w in c.webhooks.list()["data"]])
        got = c.webhooks.get(ep["id"])
        self.assertNotIn("secret", got)
        self.assertEqual(["billing.low_balance"], got["event_types"])
        changed = c.webhooks.update(ep["id"], event_types=["*"], description="changed")
        self.assertEqual("changed", changed["description"])
        rotated = c.webhooks.rotate_secret(ep["id"])
        self.assertNotEqual(ep["secret"], rotated["secret"])
        self.assertEqual([], c.webhooks.deliveries(ep["id"])["data"])
        with self.assertRaises(LijiaoqiaoError) as e:
            c.webhooks.redeliver(ep["id"], 999999999)
        self.assertEqual((404, "COMMON_002"), (e.exception.status, e.exception.code))
        c.webhooks.delete(ep["id"])
        with self.assertRaises(LijiaoqiaoError) as e:
            c.webhooks.get(ep["id"])
        self.assertEqual(404, e.exception.status)
        # an API key may not manage webhooks
        with self.assertRaises(LijiaoqiaoError) as e:
            Client(_env.BASE_URL, api_key=env("LJQ_API_KEY")).webhooks.list()
        self.assertEqual(403, e.exception.status)

    def test_webhook_signature_from_the_gateway(self):
        secret = env("LJQ_WEBHOOK_SECRET")
        body = env("LJQ_WEBHOOK_BODY").encode("utf-8")
        self.assertTrue(verify_webhook_signature(secret, env("LJQ_WEBHOOK_SIGNATURE"), body))

    def test_supply_as_supplier(self):
        s = self.signed_in("SUPPLIER")
        me = s.supply.me()
        self.assertEqual("approved", me["status"])
        self.assertIn("available", me["earnings"])
        account = s.supply.create_account(name="sdk-python", vendor="openai-compatible",
                                          base_url=env("LJQ_SIM_BASE_URL"), credential="sk-sdk-python",
                                          models={env("LJQ_MARKET_MODEL"): "gpt-4o-mini"})
        self.assertEqual("active", account["status"])
        self.assertTrue(account.get("has_credential"))
        self.assertNotIn("credential", account)
        self.assertIn(account["id"], [a["id"] for a in s.supply.list_accounts()["data"]])
        self.assertEqual(account["id"], s.supply.get_account(account["id"])["id"])
        pkg = s.supply.create_package(account_id=account["id"], name="sdk-python package", quota_tokens=1000000,
                                      input_per_1m="0.10", output_per_1m="0.20",
                                      public_name="sdk-py-" + uuid.uuid4().hex[:8])
        self.assertEqual("draft", pkg["status"])
        self.assertIn(pkg["id"], [p["id"] for p in s.supply.list_packages(status="draft")["data"]])
        self.assertEqual(pkg["id"], s.supply.get_package(pkg["id"])["id"])
        self.assertIsInstance(s.supply.earnings(group_by="package"), dict)
        self.assertTrue(s.supply.earnings_csv().strip())
        self.assertIn("month", s.supply.statement())
        self.assertIn("data", s.supply.list_payouts())
        with self.assertRaises(LijiaoqiaoError) as e:
            s.supply.request_payout("1000.00", note="more than available", idempotency_key=uuid.uuid4().hex)
        self.assertTrue(400 <= e.exception.status < 500)
        # other roles are refused
        with self.assertRaises(LijiaoqiaoError) as e:
            self.signed_in().supply.me()
        self.assertEqual((403, "AUTH_002"), (e.exception.status, e.exception.code))


if __name__ == "__main__":
    unittest.main()
