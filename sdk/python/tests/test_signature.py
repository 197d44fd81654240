import os
import time
import unittest

import _env  # noqa: F401
from lijiaoqiao import compute_webhook_signature, sign_webhook, verify_webhook_signature

VECTOR = "c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925"


class SignatureTest(unittest.TestCase):
    def test_documented_vector(self):
        self.assertEqual(VECTOR, compute_webhook_signature("whsec_test", 1700000000, b'{"id":"evt_1"}'))
        header = f"t=1700000000,v1={VECTOR}"
        self.assertTrue(verify_webhook_signature("whsec_test", header, b'{"id":"evt_1"}', now=1700000000))
        self.assertTrue(verify_webhook_signature("whsec_test", header, '{"id":"evt_1"}', now=1700000000 + 300))

    def test_refusals(self):
        header = f"t=1700000000,v1={VECTOR}"
        body = b'{"id":"evt_1"}'
        self.assertFalse(verify_webhook_signature("whsec_test", header, body, now=1700000301))  # too old
        self.assertFalse(verify_webhook_signature("whsec_test", header, body, now=1699999699))  # from the future
        self.assertFalse(verify_webhook_signature("whsec_other", header, body, now=1700000000))
        self.assertFalse(verify_webhook_signature("whsec_test", header, b'{"id":"evt_2"}', now=1700000000))
        self.assertFalse(verify_webhook_signature("whsec_test", None, body))
        self.assertFalse(verify_webhook_signature("whsec_test", "v1=" + VECTOR, body, now=1700000000))
        self.assertFalse(verify_webhook_signature("whsec_test", "t=abc,v1=" + VECTOR, body, now=1700000000))
        self.assertFalse(verify_webhook_signature("whsec_test", "t=1700000000,v1=é", body, now=1700000000))

    def test_round_trip(self):
        h = sign_webhook("whsec_x", b"{}")
        self.assertTrue(verify_webhook_signature("whsec_x", h, b"{}"))
        self.assertFalse(verify_webhook_signature("whsec_x", sign_webhook("whsec_x", b"{}", int(time.time()) - 301), b"{}"))

    @unittest.skipUnless(os.environ.get("LJQ_WEBHOOK_SIGNATURE"), "no signature from the gateway")
    def test_signed_by_the_gateway(self):
        secret = os.environ["LJQ_WEBHOOK_SECRET"]
        body = os.environ["LJQ_WEBHOOK_BODY"].encode("utf-8")
        header = os.environ["LJQ_WEBHOOK_SIGNATURE"]
        self.assertTrue(verify_webhook_signature(secret, header, body))
        self.assertFalse(verify_webhook_signature(secret, header, body + b" "))


if __name__ == "__main__":
    unittest.main()
