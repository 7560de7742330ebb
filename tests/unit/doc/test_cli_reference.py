"""doc/cli.md documents every command, subcommand and option the console
scripts' argument parsers have, and nothing they do not have.

The parsers are the real ones: oslo.config's (the daemons and
``vmotiond-manage``, whose categories come from ``COMMAND_OPT``) and
``vmotiond-sim``'s argparse parsers. A command is documented by a heading
naming it (``### vmotiond-manage host set``); its options and positional
arguments must appear in its section, and every ``--option`` written in a
section must be one of that command's (or of the commands above it).
"""

import argparse
import os
import re

from oslo_config import cfg
import testtools

from vmotiond import config
from vmotiond.cmd import manage
from vmotiond.cmd import sim as cmd_sim

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
CLI_MD = os.path.join(TOP, "doc", "cli.md")
DAEMONS = ("vmotiond", "vmotiond-monitor", "vmotiond-engine",
           "vmotiond-api")
COMMON_HEADING = "Options every command reads"
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")
HELP = {"-h", "--help"}


class Command:
    """One command path of the parsers, with its own arguments."""

    def __init__(self, path: str, parser: argparse.ArgumentParser,
                 oslo: bool) -> None:
        self.path = path
        self.oslo = oslo
        self.options: set[str] = set()
        self.positionals: list[str] = []
        self.has_subcommands = False
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                self.has_subcommands = True
                continue
            if action.option_strings:
                self.options.update(action.option_strings)
            else:
                self.positionals.append(action.metavar or action.dest)


def _subcommands(path: str, parser: argparse.ArgumentParser, oslo: bool,
                 into: dict[str, Command]) -> None:
    into[path] = Command(path, parser, oslo)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                _subcommands("%s %s" % (path, name), sub, oslo, into)


def _oslo_parser(argv: list[str], manage_opts: bool
                 ) -> argparse.ArgumentParser:
    conf = cfg.ConfigOpts()
    if manage_opts:
        conf.register_cli_opt(manage.COMMAND_OPT)
    config.load(argv, conf, setup_logging=False)
    parser: argparse.ArgumentParser = conf._oparser
    return parser


def commands() -> tuple[dict[str, Command], set[str]]:
    """Every command path, and the options every oslo command reads."""
    found: dict[str, Command] = {}
    daemon = _oslo_parser([], manage_opts=False)
    common = Command("daemon", daemon, True).options
    for name in DAEMONS:
        found[name] = Command(name, daemon, True)
    _subcommands("vmotiond-manage", _oslo_parser(["db", "version"], True),
                 True, found)
    _subcommands("vmotiond-sim", cmd_sim._serve_parser(), False, found)
    _subcommands("vmotiond-sim ctl", cmd_sim._ctl_parser(), False, found)
    return found, common


def sections(text: str) -> dict[str, str]:
    """Heading text (without backticks) -> the text up to the next
    heading of any level."""
    out: dict[str, str] = {}
    title, lines = "", []
    fence = False
    for line in text.splitlines():
        if line.startswith(("```", "~~~")):
            fence = not fence
        found = None if fence else HEADING.match(line)
        if found:
            out[title] = "\n".join(lines)
            title, lines = found.group(2).replace("`", ""), []
        else:
            lines.append(line)
    out[title] = "\n".join(lines)
    return out


class TestCliReference(testtools.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.commands, cls.common = commands()
        with open(CLI_MD) as f:
            cls.sections = sections(f.read())

    def test_every_command_has_a_section(self) -> None:
        # A category with nothing but actions (vmotiond-manage db) needs
        # no section of its own.
        missing = [p for p, c in self.commands.items()
                   if p not in self.sections
                   and not (c.has_subcommands and " " in p
                            and not c.options - HELP)]
        self.assertEqual([], missing)

    def test_every_command_section_is_a_command(self) -> None:
        unknown = [t for t in self.sections
                   if t.startswith("vmotiond") and t not in self.commands]
        self.assertEqual([], unknown)

    def test_common_options_documented_once(self) -> None:
        text = self.sections[COMMON_HEADING]
        written = set(OPTION.findall(text))
        self.assertEqual(set(), self.common - written, "undocumented")
        self.assertEqual(set(), written - self.common, "not options")

    def test_the_daemons_and_manage_read_the_common_options(self) -> None:
        for name in DAEMONS + ("vmotiond-manage",):
            self.assertEqual(self.common, self.commands[name].options,
                             name)

    def test_every_option_and_argument_in_its_section(self) -> None:
        problems = []
        for path, command in self.commands.items():
            text = self.sections.get(path, "")
            own = command.options - HELP
            if command.oslo and path.count(" ") == 0:
                own -= self.common      # documented in their own section
            for option in sorted(own):
                if not re.search(r"(?<![\w-])%s(?![\w-])"
                                 % re.escape(option), text):
                    problems.append("%s: %s" % (path, option))
            for arg in command.positionals:
                if not re.search(r"\b%s\b" % re.escape(arg), text,
                                 re.IGNORECASE):
                    problems.append("%s: argument %s" % (path, arg))
        self.assertEqual([], problems)

    def test_every_option_written_exists(self) -> None:
        """Options in a command's synopsis and tables are its own (or of
        the commands above or below it); options in prose exist."""
        everything = set(self.common)
        for command in self.commands.values():
            everything |= command.options
        problems = []
        for title, text in self.sections.items():
            strict, prose = _split(text)
            allowed = everything
            if title in self.commands:
                allowed = set(HELP)
                for path, command in self.commands.items():
                    if title.startswith(path + " ") or path == title or \
                            path.startswith(title + " "):
                        allowed |= command.options
                if self.commands[title].oslo:
                    allowed |= self.common
            written = set(OPTION.findall(_no_numbers(strict)))
            problems += ["%s: %s" % (title or "(top)", option)
                         for option in sorted(written - allowed)]
            written = set(OPTION.findall(_no_numbers(prose)))
            problems += ["%s: %s (prose)" % (title or "(top)", option)
                         for option in sorted(written - everything)]
        self.assertEqual([], problems)


def _split(text: str) -> tuple[str, str]:
    """(table rows and ```text synopses, the rest) of a section."""
    strict, prose = [], []
    block = None
    for line in text.splitlines():
        if line.startswith("```"):
            block = None if block is not None else line[3:].strip()
            continue
        if line.startswith("|") or block == "text":
            strict.append(line)
        else:
            prose.append(line)
    return "\n".join(strict), "\n".join(prose)


def _no_numbers(text: str) -> str:
    """The text without numbers such as -1 that look like options."""
    return re.sub(r"(?<![\w-])-\d", "", text)
