"""The SDK's ROUTES are kept in step with the gateway: each is documented, and each answers on a live gateway."""
import json
import os
import re
import unittest
import urllib.error
import urllib.request

import _env
from lijiaoqiao import ROUTES

DOCS = ("api.md", "billing.md", "marketplace.md", "webhooks.md")


def shape(template):
    """Placeholders compared by position only: {id}, {period} and {YYYY-MM} are all {}."""
    return re.sub(r"\{[^}]*\}", "{}", template)


def documented_routes():
    routes = set()
    for name in DOCS:
        path = os.path.join(_env.REPO_ROOT, "docs", name)
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.startswith("|"):
                    continue
                cell = line.split("|")[1]
                for method, p in re.findall(r"`(GET|POST|PUT|DELETE|PATCH) (/[^` ?]*)", cell):
                    routes.add((method, shape(p)))
    return routes


class RoutesTest(unittest.TestCase):
    def test_every_route_is_documented(self):
        documented = documented_routes()
        missing = [r for r in ROUTES if (r[0], shape(r[1])) not in documented]
        self.assertEqual([], missing, "routes the SDK wraps that docs/*.md does not list")

    def test_no_duplicates(self):
        self.assertEqual(len(ROUTES), len(set(ROUTES)))

    @unittest.skipUnless(_env.BASE_URL, "LJQ_BASE_URL not set")
    def test_every_route_exists_on_the_gateway(self):
        base = _env.BASE_URL.rstrip("/")
        if base.endswith("/v1"):
            base = base[:-3]
        missing = []
        for method, template in ROUTES:
            path = re.sub(r"\{[a-z_]+\}", lambda m: "2026-01" if m.group(0) == "{period}" else "999999999", template)
            # A credential shaped like a session token (three dot-separated parts) but invalid: the management
            # router answers it, so an unknown path is 404 "No such endpoint" (or 405), a known one 400/401.
            req = urllib.request.Request(base + path, method=method, data=b"{}" if method in ("POST", "PUT") else None,
                                         headers={"authorization": "Bearer x.y.z", "content-type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    status, body = r.status, r.read()
            except urllib.error.HTTPError as e:
                status, body = e.code, e.read()
            message = ""
            try:
                message = json.loads(body)["error"]["message"]
            except Exception:
                pass
            if status == 405 or (status == 404 and message.startswith("No such endpoint")):
                missing.append((method, template, status, message))
        self.assertEqual([], missing, "routes the SDK wraps that the gateway does not serve")


if __name__ == "__main__":
    unittest.main()
