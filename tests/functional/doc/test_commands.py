"""Every command shown in doc/*.md runs, exits as documented and prints
what the documentation shows.

Each document runs top to bottom in its own ``DocEnv`` (see ``env``):
its ```console commands through ``bash -c`` with the virtualenv's console
scripts first on PATH, its ``<!-- doc-test: ... -->`` directives in
between. Documents run in parallel (one test class each).

Placeholders the commands and the expected output may use:

=================================== =========================================
in the documentation                 in the test
=================================== =========================================
``/etc/vmotiond/vmotiond.conf``      the config file ``DocEnv`` wrote
``/var/log/vmotiond/vmotiond.log``   the daemon's log file in the temp dir
``http://controller:15868``          the REST API of the daemon (loopback)
``http://127.0.0.1:8900``            the simulated cloud's base URL
``$TOKEN`` (environment)             a token of the simulator's ``reader``
``INSTANCE_UUID``                    an ACTIVE instance first on compute-0002
``NOTIFICATION_UUID``                the most recently created notification
``VMOVE_UUID``                       the most recently updated failed vmove,
                                     else the most recently updated one
clouds.yaml cloud ``vmotiond``       the simulator's admin credentials
                                     ($OS_CLIENT_CONFIG_FILE)
=================================== =========================================

In expected output the three UUID placeholders match any UUID, ``...``
matches anything, and runs of spaces match any run of spaces. Host names
(``compute-0001``..``compute-0004``, ``standby-01``) are the simulated
cloud's own.

Directives (``<!-- doc-test: VERB ARGS -->``): ``start`` (the all-in-one
``vmotiond``), ``kill HOST`` and ``revive HOST`` (the simulated machine),
``wait-notification TYPE [STATUS]``, ``wait-host HOST STATE``,
``wait-idle`` (no notification new or running, no vmove pending or
ongoing), ``latency OP SECONDS``, ``fault OP KIND``, ``clear-faults``,
``hold OP`` and ``release OP`` (a long operation of the simulator, such as
``live_migrate``, parked in progress, then let go), ``wait-held COUNT``
(that many operations parked).
"""

import glob
import os
import re
import subprocess
import time

import testtools
from testtools import content

from tests.functional.doc import blocks
from tests.functional.doc import env as env_mod
from vmotiond import constants

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
DOC = os.path.join(TOP, "doc")
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
DYNAMIC = ("INSTANCE_UUID", "NOTIFICATION_UUID", "VMOVE_UUID")
# Commands that may not run here, at most this many in all the docs.
MAX_NOT_RUN = 6
COMMAND_TIMEOUT = 90


def documents() -> list[str]:
    return sorted(glob.glob(os.path.join(DOC, "**", "*.md"),
                            recursive=True))


def items_of(path: str) -> list[blocks.Item]:
    with open(path) as f:
        return blocks.parse(f.read(), os.path.relpath(path, TOP))


class DocRunner:
    """Runs one document's items in a ``DocEnv``."""

    def __init__(self, case: testtools.TestCase, env: env_mod.DocEnv
                 ) -> None:
        self.case = case
        self.env = env
        self.ran = 0
        self.not_run: list[str] = []

    def static_values(self) -> dict[str, str]:
        env = self.env
        return {"/etc/vmotiond/vmotiond.conf": env.config_path,
                "/var/log/vmotiond/vmotiond.log": env.log_file,
                "http://controller:15868": env.api_url,
                "http://127.0.0.1:8900": env.sim_url}

    def substitute(self, text: str) -> str:
        for key, value in self.static_values().items():
            text = text.replace(key, value)
        for key in DYNAMIC:
            if re.search(r"\b%s\b" % key, text):
                text = re.sub(r"\b%s\b" % key, self.resolve(key), text)
        return text

    def resolve(self, key: str) -> str:
        if key == "INSTANCE_UUID":
            return self.env.instance_uuid
        if key == "NOTIFICATION_UUID":
            return str(self.env.latest_notification().uuid)
        return self.env.vmove_for_docs()

    def run(self, items: list[blocks.Item]) -> None:
        for item in items:
            if isinstance(item, blocks.Directive):
                self.directive(item)
            elif item.not_run is not None:
                self.not_run.append("%s: %s" % (item.where, item.not_run))
            else:
                self.command(item)

    def command(self, cmd: blocks.Command) -> None:
        script = self.substitute(cmd.text)
        started = time.monotonic()
        try:
            done = subprocess.run(
                ["bash", "-c", script], capture_output=True, text=True,
                env=self.env.environ(), cwd=self.env.dir,
                timeout=COMMAND_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            self.case.fail("%s: %s did not end within %d s\n%s" % (
                cmd.where, cmd.text, COMMAND_TIMEOUT,
                self.env.daemon_output()))
        self.ran += 1
        output = done.stdout + done.stderr
        context = "%s: $ %s\n(%.1f s) exit %d, output:\n%s\n%s" % (
            cmd.where, cmd.text, time.monotonic() - started,
            done.returncode, output, self.env.daemon_output(15))
        self.case.assertEqual(cmd.exit_code, done.returncode, context)
        wildcards = {key: UUID for key in DYNAMIC}
        problem = blocks.match_output(cmd.output, output,
                                      self.static_values(), wildcards)
        if problem:
            self.case.fail("%s\n%s" % (problem, context))

    def directive(self, d: blocks.Directive) -> None:
        env, args = self.env, d.args
        if d.verb == "start":
            env.start_daemon()
        elif d.verb == "kill":
            env.cloud.kill_host(args[0])
        elif d.verb == "revive":
            env.cloud.revive_host(args[0])
        elif d.verb == "latency":
            env.cloud.set_latency(args[0], float(args[1]))
        elif d.verb == "fault":
            env.cloud.add_fault(args[0], args[1])
        elif d.verb == "clear-faults":
            env.cloud.clear_faults()
        elif d.verb == "hold":
            env.cloud.hold(args[0])
        elif d.verb == "release":
            env.cloud.release(args[0])
        elif d.verb == "wait-held":
            env_mod.wait_for(
                lambda: sum(env.cloud.held().values()) >= int(args[0]),
                60, "%s: %s operations held" % (d.where, args[0]),
                env.check_daemon)
        elif d.verb == "wait-notification":
            self._wait_notification(d, args[0], args[1:])
        elif d.verb == "wait-host":
            env_mod.wait_for(
                lambda: env.db.host_get(args[0]).monitor_state == args[1],
                60, "%s: host %s %s" % (d.where, args[0], args[1]),
                env.check_daemon)
        elif d.verb == "wait-idle":
            env_mod.wait_for(
                lambda: not env.db.notification_list(status=(
                    constants.NOTIFICATION_NEW,
                    constants.NOTIFICATION_RUNNING)) and not
                env.db.vmove_list(status=(constants.PENDING,
                                          constants.ONGOING)),
                60, "%s: every notification and vmove ended" % d.where,
                env.check_daemon)
        else:
            self.case.fail("%s: unknown directive %s" % (d.where, d.verb))

    def _wait_notification(self, d: blocks.Directive, type_: str,
                           status: list[str]) -> None:
        env = self.env

        def ended() -> object:
            try:
                note = env.latest_notification(type_)
            except AssertionError:
                return None
            return note if note.status in env_mod.DONE else None

        note = env_mod.wait_for(ended, 90, "%s: a %s notification ended"
                                % (d.where, type_), env.check_daemon)
        if status:
            self.case.assertEqual(status[0], note.status, "%s: %s" % (
                d.where, note.message))


class DocTestBase(testtools.TestCase):
    """Runs the document ``path`` (relative to doc/)."""

    path = ""

    def run_document(self) -> DocRunner:
        env = self.useFixture(env_mod.DocEnv())
        runner = DocRunner(self, env)
        started = time.monotonic()
        runner.run(items_of(os.path.join(DOC, self.path)))
        self.addDetail("doc-commands", content.text_content(
            "%s: %d commands run, %d not run (%s) in %.1f s" % (
                self.path, runner.ran, len(runner.not_run),
                "; ".join(runner.not_run) or "-",
                time.monotonic() - started)))
        return runner


class TestOperatorGuide(DocTestBase):
    path = "operator-guide.md"

    def test_commands(self) -> None:
        runner = self.run_document()
        self.assertGreater(runner.ran, 10)


class TestCliReference(DocTestBase):
    path = "cli.md"

    def test_commands(self) -> None:
        runner = self.run_document()
        self.assertGreater(runner.ran, 3)


class TestEveryDocument(testtools.TestCase):

    def test_every_document_with_commands_has_a_test(self) -> None:
        tested = {c.path for c in (TestOperatorGuide, TestCliReference)}
        for path in documents():
            rel = os.path.relpath(path, DOC)
            commands = [i for i in items_of(path)
                        if isinstance(i, blocks.Command)]
            if commands:
                self.assertIn(rel, tested, "%s shows commands but no "
                              "test runs them" % rel)

    def test_few_commands_are_not_run(self) -> None:
        not_run = [i for path in documents() for i in items_of(path)
                   if isinstance(i, blocks.Command)
                   and i.not_run is not None]
        self.assertLessEqual(len(not_run), MAX_NOT_RUN, "\n".join(
            "%s: %s" % (c.where, c.not_run) for c in not_run))
