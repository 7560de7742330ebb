import testtools

from vmotiond.sim import errors
from vmotiond.sim import identity


def _auth(user, password, project="admin"):
    body = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"name": "Default"},
                 "password": password}}}}}
    if project:
        body["auth"]["scope"] = {"project": {
            "name": project, "domain": {"name": "Default"}}}
    return body


class TestIdentity(testtools.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ident = identity.Identity()
        self.ident.add_endpoint("compute", "nova", "http://x/compute/v2.1")

    def test_password_auth_scoped_token_with_catalog(self) -> None:
        token_id, token = self.ident.authenticate(_auth("admin", "admin"))
        body = self.ident.token_body(token)["token"]
        self.assertEqual({"admin", "member", "reader"},
                         {r["name"] for r in body["roles"]})
        self.assertEqual("compute", body["catalog"][0]["type"])
        self.assertEqual(3, len(body["catalog"][0]["endpoints"]))
        self.assertTrue(self.ident.validate(token_id).is_admin)

    def test_refusals(self) -> None:
        self.assertRaises(errors.Unauthorized, self.ident.authenticate,
                          _auth("admin", "wrong"))
        self.assertRaises(errors.Unauthorized, self.ident.authenticate,
                          _auth("noroles", "noroles", "demo"))
        self.assertRaises(errors.Unauthorized, self.ident.authenticate,
                          _auth("reader", "reader", "demo"))
        self.assertRaises(errors.BadRequest, self.ident.authenticate, {})
        self.assertIsNone(self.ident.validate("nope"))
        self.assertIsNone(self.ident.validate(None))

    def test_unscoped_for_user_without_roles(self) -> None:
        token_id, token = self.ident.authenticate(
            _auth("noroles", "noroles", None))
        self.assertNotIn("catalog", self.ident.token_body(token)["token"])
        self.assertEqual((), self.ident.validate(token_id).roles)

    def test_revoke(self) -> None:
        token_id, _ = self.ident.authenticate(_auth("reader", "reader"))
        self.assertTrue(self.ident.revoke(token_id))
        self.assertIsNone(self.ident.validate(token_id))
