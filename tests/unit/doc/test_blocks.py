"""The extraction of the documentation's commands (tests/functional/doc
runs them) and the rules every document follows."""

import glob
import os

import testtools

from tests.functional.doc import blocks

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

DOC = """\
Intro.

<!-- doc-test: kill compute-0001 -->

```console
$ vmotiond-manage db version
0002
$ false  # exits 1
$ python3 - <<'EOF'
> print("a")
> EOF
a
$ echo one \\
  two
one two
```

```text
$ not a command
```

```console
# not run: serves forever
$ vmotiond-sim
```
"""


class TestParse(testtools.TestCase):

    def test_commands_outputs_exits_and_directives(self) -> None:
        items = blocks.parse(DOC, "x.md")
        self.assertEqual(["kill"], [i.verb for i in items
                                    if isinstance(i, blocks.Directive)])
        self.assertEqual(["compute-0001"], items[0].args)
        commands = items[1:]
        self.assertEqual(
            ["vmotiond-manage db version", "false  # exits 1",
             "python3 - <<'EOF'\nprint(\"a\")\nEOF",
             "echo one \\\n  two", "vmotiond-sim"],
            [c.text for c in commands])
        self.assertEqual([["0002"], [], ["a"], ["one two"], []],
                         [c.output for c in commands])
        self.assertEqual([0, 1, 0, 0, 0], [c.exit_code for c in commands])
        self.assertEqual([None] * 4 + ["serves forever"],
                         [c.not_run for c in commands])
        self.assertEqual("x.md:6", commands[0].where)

    def test_unclosed_block_is_an_error(self) -> None:
        self.assertRaises(ValueError, blocks.parse, "```console\n$ ls\n")

    def test_output_before_a_command_is_an_error(self) -> None:
        self.assertRaises(ValueError, blocks.parse,
                          "```console\noops\n$ ls\n```\n")


class TestMatchOutput(testtools.TestCase):

    values = {"/etc/vmotiond/vmotiond.conf": "/tmp/x/v.conf"}
    wildcards = {"VMOVE_UUID": "[0-9a-f-]{36}"}

    def match(self, expected, actual):
        return blocks.match_output(expected, actual, self.values,
                                   self.wildcards)

    def test_lines_in_order_with_wildcards(self) -> None:
        actual = ("field   value\n-----  -----\nrole    standby\n"
                  "vmove 0a1b2c3d-0000-4000-8000-000000000000 redone\n")
        self.assertIsNone(self.match(
            ["field value", "...", "role standby",
             "vmove VMOVE_UUID redone"], actual))
        self.assertIsNone(self.match(["Read /tmp/x/v.conf ..."],
                                     "Read /tmp/x/v.conf now"))

    def test_missing_or_out_of_order_lines_fail(self) -> None:
        actual = "a\nb\n"
        self.assertIn("'c'", self.match(["a", "c"], actual))
        self.assertIsNotNone(self.match(["b", "a"], actual))
        self.assertIsNotNone(self.match(["vmove VMOVE_UUID"],
                                        "vmove not-a-uuid"))
        self.assertIsNotNone(self.match(["Read /etc/vmotiond/vmotiond.conf"],
                                        "Read /etc/vmotiond/vmotiond.conf"))


class TestDocuments(testtools.TestCase):

    def test_every_document_parses_and_commands_are_marked(self) -> None:
        paths = glob.glob(os.path.join(TOP, "doc", "**", "*.md"),
                          recursive=True)
        self.assertIn(os.path.join(TOP, "doc", "README.md"), paths)
        for path in paths:
            with open(path) as f:
                text = f.read()
            blocks.parse(text, path)
            # A shell prompt outside a console block would never run.
            fence = None
            for number, line in enumerate(text.splitlines(), 1):
                if line.startswith("```"):
                    fence = None if fence is not None else line[3:].strip()
                    continue
                if fence not in (None, "console"):
                    self.assertFalse(
                        line.startswith("$ "), "%s:%d: a command outside "
                        "a console block" % (path, number))
