"""The console's cookies, headers and same-origin check."""

import testtools

from vmotiond.console import security


class TestSecurity(testtools.TestCase):

    def test_cookie(self) -> None:
        self.assertEqual(
            "a=b; Path=/vmotion; HttpOnly; SameSite=Strict",
            security.cookie("a", "b", secure=False))
        self.assertEqual(
            "a=; Path=/vmotion; HttpOnly; SameSite=Strict; Max-Age=0; "
            "Secure", security.cookie("a", "", secure=True, max_age=0))

    def test_same_origin(self) -> None:
        ours = "http://console:8080"
        self.assertTrue(security.same_origin("http://console:8080", None,
                                             ours))
        self.assertTrue(security.same_origin(
            None, "http://console:8080/vmotion/login", ours))
        self.assertFalse(security.same_origin("http://evil", None, ours))
        self.assertFalse(security.same_origin(
            "http://evil", "http://console:8080/vmotion/login", ours))
        self.assertFalse(security.same_origin("https://console:8080",
                                              None, ours))
        self.assertFalse(security.same_origin(None, None, ours))
        self.assertFalse(security.same_origin("null", None, ours))

    def test_policy_allows_no_inline_code(self) -> None:
        policy = security.CONTENT_SECURITY_POLICY
        self.assertIn("default-src 'none'", policy)
        self.assertIn("script-src 'self';", policy)
        self.assertIn("style-src 'self';", policy)
        self.assertNotIn("unsafe", policy)

    def test_csrf_token(self) -> None:
        token = security.csrf_token("session-a")
        self.assertEqual(64, len(token))
        self.assertEqual(token, security.csrf_token("session-a"))
        self.assertNotEqual(token, security.csrf_token("session-b"))
        self.assertNotIn("session-a", token)
        self.assertTrue(security.csrf_valid("session-a", token))
        self.assertFalse(security.csrf_valid("session-b", token))
        self.assertFalse(security.csrf_valid(None, token))
        self.assertFalse(security.csrf_valid("session-a", None))
        self.assertFalse(security.csrf_valid("", ""))

    def test_new_sessions_differ(self) -> None:
        self.assertNotEqual(security.new_session(), security.new_session())
        self.assertGreaterEqual(len(security.new_session()), 40)
