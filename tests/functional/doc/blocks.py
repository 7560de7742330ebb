"""Shell commands and test directives of the Markdown documentation.

A ```console block holds commands as a terminal shows them::

    $ vmotiond-manage --config-file /etc/vmotiond/vmotiond.conf db version
    0002

A line starting with ``$ `` is a command; a line ending with ``\\`` or a
following line starting with ``> `` (a here-document) continues it; any
other line is output the command must print (``...`` matches anything).
A trailing ``# exits N`` comment says the command exits N, not 0. A block
with a line ``# not run: REASON`` is listed but not run.

``<!-- doc-test: VERB ARGS -->`` comments outside code blocks are
directives: things the test does, unseen by readers, between commands
(start the daemon, kill a simulated host, wait...).
"""

import dataclasses
import re

FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")
DIRECTIVE = re.compile(r"<!--\s*doc-test:\s*(.*?)\s*-->")
EXITS = re.compile(r"#\s*exits\s+(\d+)\s*$")
NOT_RUN = re.compile(r"^#\s*not run:\s*(.+)$")


@dataclasses.dataclass
class Command:
    """One ``$`` command of a console block."""

    doc: str
    line: int
    text: str
    output: list[str] = dataclasses.field(default_factory=list)
    exit_code: int = 0
    not_run: str | None = None

    @property
    def where(self) -> str:
        return "%s:%d" % (self.doc, self.line)


@dataclasses.dataclass
class Directive:
    """A ``<!-- doc-test: ... -->`` comment."""

    doc: str
    line: int
    verb: str
    args: list[str]

    @property
    def where(self) -> str:
        return "%s:%d" % (self.doc, self.line)


Item = Command | Directive


def parse(text: str, doc: str = "<doc>") -> list[Item]:
    """Every command and directive of a Markdown text, in order."""
    items: list[Item] = []
    lines = text.splitlines()
    fence: str | None = None
    block: list[tuple[int, str]] = []
    lang = ""
    for number, line in enumerate(lines, 1):
        found = FENCE.match(line.strip())
        if fence is None:
            if found:
                fence, lang, block = found.group(1), found.group(2), []
                continue
            for match in DIRECTIVE.finditer(line):
                verb, *args = match.group(1).split()
                items.append(Directive(doc, number, verb, args))
            continue
        if line.strip().startswith(fence) and line.strip() == \
                line.strip()[0] * len(line.strip()):
            if lang == "console":
                items.extend(_commands(doc, block))
            fence = None
            continue
        block.append((number, line))
    if fence is not None:
        raise ValueError("%s: code block opened and never closed" % doc)
    return items


def _commands(doc: str, block: list[tuple[int, str]]) -> list[Command]:
    not_run = None
    for _number, line in block:
        found = NOT_RUN.match(line.strip())
        if found:
            not_run = found.group(1).strip()
    commands: list[Command] = []
    current: Command | None = None
    continued = False
    for number, line in block:
        if NOT_RUN.match(line.strip()):
            continue
        if continued and current is not None:
            current.text += "\n" + line
            continued = line.endswith("\\")
            continue
        if line.startswith("$ "):
            current = Command(doc, number, line[2:], not_run=not_run)
            commands.append(current)
            continued = line.endswith("\\")
            continue
        if current is None:
            if line.strip():
                raise ValueError("%s:%d: output before any command: %r"
                                 % (doc, number, line))
            continue
        if line.startswith("> ") or line == ">":
            current.text += "\n" + line[2:]
            continue
        if line.strip():
            current.output.append(line)
    for command in commands:
        first = command.text.splitlines()[0]
        found = EXITS.search(first)
        if found:
            command.exit_code = int(found.group(1))
    return commands


def output_pattern(line: str, values: dict[str, str],
                   wildcards: dict[str, str]) -> re.Pattern[str]:
    """A regular expression for one expected output line.

    ``values`` replace placeholders by what they stand for; ``wildcards``
    replace placeholders by a pattern (a UUID...); ``...`` matches
    anything and runs of spaces match any run of spaces.
    """
    tokens = re.split(r"(\.\.\.|\s+|%s)" % "|".join(
        re.escape(k) for k in sorted({**values, **wildcards}, key=len,
                                     reverse=True)) if values or wildcards
        else r"(\.\.\.|\s+)", line.strip())
    parts = []
    for token in tokens:
        if not token:
            continue
        if token == "...":
            parts.append(".*")
        elif token.isspace():
            parts.append(r"\s+")
        elif token in wildcards:
            parts.append(wildcards[token])
        elif token in values:
            parts.append(re.escape(values[token]))
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts))


def match_output(expected: list[str], actual: str,
                 values: dict[str, str],
                 wildcards: dict[str, str]) -> str | None:
    """None when every expected line matches a line of ``actual``, in
    order; else a message naming the first line that does not."""
    lines = actual.splitlines()
    position = 0
    for want in expected:
        if want.strip() == "...":       # any number of lines: a no-op in
            continue                    # a match of lines in order
        pattern = output_pattern(want, values, wildcards)
        while position < len(lines) and not pattern.search(lines[position]):
            position += 1
        if position == len(lines):
            return "expected output line not found (in order): %r" % want
        position += 1
    return None
