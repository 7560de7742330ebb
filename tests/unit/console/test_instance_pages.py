"""The instance pages: a host's (/vmotion/host_desktop_migration/<host>)
and every instance's (/vmotion/desktop_migration)."""

from tests.unit.console import test_app
from vmotiond.console import security


class TestInstancePages(test_app.ConsoleCase):

    def test_a_host_s_instances(self) -> None:
        response = self.get("/vmotion/host_desktop_migration/compute-1.az")
        self.assertEqual(200, response.status_int)
        page = response.text
        self.assertIn('data-host="compute-1.az"', page)
        self.assertIn('<span id="host-name">compute-1.az</span>', page)
        self.assertIn('src="/vmotion/static/instances.js"', page)
        self.assertIn('id="instance-actions"', page)
        self.assertIn('href="/vmotion/desktop_migration" '
                      'aria-current="page"', page)
        self.assertEqual(security.CONTENT_SECURITY_POLICY,
                         response.headers["Content-Security-Policy"])

    def test_every_instance(self) -> None:
        page = self.get("/vmotion/desktop_migration").text
        self.assertIn("<h1>Instances</h1>", page)
        self.assertIn('data-host=""', page)
        self.assertIn('id="more"', page)

    def test_chinese(self) -> None:
        page = self.get("/vmotion/desktop_migration?lang=zh_CN").text
        self.assertIn("<h1>桌面迁移</h1>", page)
        self.assertIn("可选的目标主机", page)

    def test_host_names_no_host_can_have_are_404(self) -> None:
        for path in ("/vmotion/host_desktop_migration/",
                     "/vmotion/host_desktop_migration/a%3Cb%3E",
                     "/vmotion/host_desktop_migration/a/b",
                     "/vmotion/host_desktop_migration/" + "h" * 256):
            self.assertEqual(404, self.get(path).status_int, path)

    def test_hosts_page_links_the_instance_pages(self) -> None:
        script = self.get("/vmotion/static/hostinfo.js").text
        self.assertIn('"/vmotion/host_desktop_migration/" + '
                      'encodeURIComponent(host.name)', script)
        self.assertIn('href="/vmotion/desktop_migration"',
                      self.get("/vmotion/hostinfo").text)
