"""EQL evaluation of `fields`-format documents by src/main/python/ksec_eql.py: Elastic's dialect
(`:` wildcards, case rules, multi-valued fields matching on any value), event categories from
event.category, and sequences ordered by @timestamp within maxspan.

Needs the packages of src/main/resources/sigma/requirements.txt; stdlib unittest only:

    python -m unittest discover -s elastic-integration/src/test/python -v
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent.parent / "main" / "python" / "ksec_eql.py"

sys.dont_write_bytecode = True  # no __pycache__ beside the script in the source tree
sys.path.insert(0, str(SCRIPT.parent))
import ksec_eql  # noqa: E402

BASE64 = (
    'process where host.os.type == "linux" and event.type == "start" and event.action == "exec"'
    ' and process.name == "base64" and process.args == "-d"'
)
CRON = 'file where event.type == "creation" and file.path : "/tmp/ksec-sigma-cron*"'
REVSHELL = (
    "sequence by host.id, process.entity_id with maxspan=30s"
    ' [process where event.type == "start" and process.name == "bash"]'
    ' [network where event.action == "connection_attempted" and destination.port == 4444]'
)


def doc(ts: str, category, **fields) -> dict:
    """A document as the search API's `"fields": ["*"]` returns it: dotted names -> arrays."""
    out = {"@timestamp": [ts], "event.category": category if isinstance(category, list) else [category]}
    for name, value in fields.items():
        out[name.replace("__", ".")] = value if isinstance(value, list) else [value]
    return out


def exec_doc(ts, args, name="base64", entity="E1", **extra):
    return doc(ts, "process", event__type="start", event__action="exec", host__os__type="linux",
               host__id="h1", process__name=name, process__args=args, process__parent__name="bash",
               process__entity_id=entity, **extra)


def shell_start(ts, entity, host="h1"):
    return doc(ts, "process", event__type="start", event__action="exec", host__id=host,
               process__name="bash", process__args=["bash", "-i"], process__entity_id=entity)


def connect(ts, entity, port=4444, host="h1"):
    return doc(ts, "network", event__type="connection", event__action="connection_attempted",
               host__id=host, process__entity_id=entity, destination__ip="127.0.0.1",
               destination__port=port)


class KsecEqlCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def run_cli(self, rules: dict[str, str], docs: list[dict]) -> subprocess.CompletedProcess:
        rules_path = Path(self.tmp.name) / "rules.json"
        docs_path = Path(self.tmp.name) / "docs.ndjson"
        rules_path.write_text(json.dumps([{"name": n, "query": q} for n, q in rules.items()]))
        docs_path.write_text("".join(json.dumps(d) + "\n" for d in docs))
        return subprocess.run(
            [sys.executable, "-B", str(SCRIPT), str(rules_path), str(docs_path)],
            capture_output=True, text=True, timeout=120,
        )

    def evaluate(self, rules: dict[str, str], docs: list[dict]) -> dict[str, dict]:
        proc = self.run_cli(rules, docs)
        self.assertEqual(0, proc.returncode, proc.stderr)
        results = [json.loads(line) for line in proc.stdout.splitlines()]
        self.assertEqual(list(rules), [r["name"] for r in results])  # one line per rule, in order
        return {r["name"]: r for r in results}

    # ---- a value inside process.args ------------------------------------------------------

    def test_process_rule_matches_a_value_inside_process_args(self):
        docs = [
            exec_doc("2026-12-03T12:00:00.123Z", ["base64", "-d"], entity="E1"),
            exec_doc("2026-12-03T12:00:01.000Z", ["base64", "/tmp/in"], entity="E2"),  # no -d
            exec_doc("2026-12-03T12:00:02.000Z", ["base64", "-D"], entity="E3"),  # == is case-sensitive
            exec_doc("2026-12-03T12:00:03.000Z", ["-d"], entity="E4"),  # a single value unwraps to a scalar
            exec_doc("2026-12-03T12:00:04.000Z", ["base64", "-d"], name="Base64", entity="E5"),
        ]
        r = self.evaluate({"base64": BASE64,
                           "args in": 'process where process.args in ("--decode", "-d")',
                           "args not -d": 'process where process.args != "-d"'}, docs)
        self.assertEqual(2, r["base64"]["matches"])
        self.assertEqual(["E1", "E4"], [e["process.entity_id"] for e in r["base64"]["examples"]])
        first = r["base64"]["examples"][0]
        self.assertEqual({"line": 1, "@timestamp": "2026-12-03T12:00:00.123Z", "event.category": "process",
                          "event.type": "start", "event.action": "exec", "host.id": "h1",
                          "process.entity_id": "E1", "process.name": "base64"}, first)
        self.assertEqual(3, r["args in"]["matches"])  # E1, E4, E5
        self.assertEqual(["E2", "E3"], [e["process.entity_id"] for e in r["args not -d"]["examples"]])

    # ---- a file wildcard ------------------------------------------------------------------

    def test_file_wildcard_rule(self):
        docs = [
            doc("2026-12-03T12:00:00Z", "file", event__type="creation", file__path="/tmp/ksec-sigma-cron.d",
                **{"file__path__text": "/tmp/ksec-sigma-cron.d"}),  # a multi-field beside its parent
            doc("2026-12-03T12:00:01Z", "file", event__type="creation", file__path="/TMP/KSEC-Sigma-Cron"),
            doc("2026-12-03T12:00:02Z", "file", event__type="creation", file__path="/tmp/ksec-sigma-other"),
            doc("2026-12-03T12:00:03Z", "file", event__type="deletion", file__path="/tmp/ksec-sigma-cron.d"),
            doc("2026-12-03T12:00:04Z", "process", event__type="creation", file__path="/tmp/ksec-sigma-cron.d"),
        ]
        r = self.evaluate({
            "cron": CRON,
            "like": 'file where file.path like "/tmp/ksec-sigma-cron*"',  # case-sensitive
            "one char": 'file where file.path : "/tmp/ksec-sigma-cron?d"',
        }, docs)
        self.assertEqual(2, r["cron"]["matches"])  # `:` is case-insensitive
        self.assertEqual([1, 2], [e["line"] for e in r["cron"]["examples"]])
        self.assertEqual("/tmp/ksec-sigma-cron.d", r["cron"]["examples"][0]["file.path"])
        self.assertEqual([1, 4], [e["line"] for e in r["like"]["examples"]])
        self.assertEqual([1, 4], [e["line"] for e in r["one char"]["examples"]])

    # ---- sequence by host.id, process.entity_id with maxspan ------------------------------

    def test_sequence_matches_the_same_entity_within_maxspan(self):
        docs = [
            connect("2026-12-03T12:00:10.000000002Z", "P1"),  # later in time, earlier in the file
            shell_start("2026-12-03T12:00:00.000000001Z", "P1"),
        ]
        r = self.evaluate({"revshell": REVSHELL}, docs)["revshell"]
        self.assertEqual(1, r["matches"])
        (sequence,) = r["examples"]
        self.assertEqual([2, 1], [e["line"] for e in sequence])  # in time order
        self.assertEqual(["exec", "connection_attempted"], [e["event.action"] for e in sequence])
        self.assertEqual(["P1", "P1"], [e["process.entity_id"] for e in sequence])

    def test_sequence_does_not_match_other_entities_reversed_order_or_past_maxspan(self):
        cases = {
            "entity ids differ": [shell_start("2026-12-03T12:00:00Z", "P1"),
                                  connect("2026-12-03T12:00:01Z", "P2")],
            "hosts differ": [shell_start("2026-12-03T12:00:00Z", "P1", host="h1"),
                             connect("2026-12-03T12:00:01Z", "P1", host="h2")],
            "reversed order": [connect("2026-12-03T12:00:00Z", "P1"),
                               shell_start("2026-12-03T12:00:01Z", "P1")],
            "past maxspan": [shell_start("2026-12-03T12:00:00Z", "P1"),
                             connect("2026-12-03T12:00:30.001Z", "P1")],
            "other port": [shell_start("2026-12-03T12:00:00Z", "P1"),
                           connect("2026-12-03T12:00:01Z", "P1", port=4445)],
            "no entity id": [
                {k: v for k, v in shell_start("2026-12-03T12:00:00Z", "x").items() if k != "process.entity_id"},
                {k: v for k, v in connect("2026-12-03T12:00:01Z", "x").items() if k != "process.entity_id"},
            ],
        }
        for label, docs in cases.items():
            with self.subTest(label):
                self.assertEqual(0, self.evaluate({"revshell": REVSHELL}, docs)["revshell"]["matches"])

    def test_sub_second_maxspan_and_until(self):
        docs = [shell_start("2026-12-03T12:00:00.000Z", "P1"), connect("2026-12-03T12:00:00.400Z", "P1"),
                shell_start("2026-12-03T12:00:01.000Z", "P2"), connect("2026-12-03T12:00:01.600Z", "P2")]
        r = self.evaluate({"500ms": REVSHELL.replace("maxspan=30s", "maxspan=500ms")}, docs)["500ms"]
        self.assertEqual(1, r["matches"])  # eql by itself floors 500ms to 0s and matches nothing
        self.assertEqual(["P1", "P1"], [e["process.entity_id"] for e in r["examples"][0]])

        stop = doc("2026-12-03T12:00:00.200Z", "process", event__type="end", host__id="h1",
                   process__entity_id="P1")
        until = REVSHELL + ' until [process where event.type == "end"]'
        r = self.evaluate({"until": until}, docs + [stop])["until"]
        self.assertEqual(["P2"], [s[0]["process.entity_id"] for s in r["examples"]])

    # ---- several categories ---------------------------------------------------------------

    def test_document_with_several_categories_matches_each(self):
        docs = [
            doc("2026-12-03T12:00:00Z", ["process", "file"], event__type=["change", "info"],
                event__action="chmod", process__name="chmod", file__path="/tmp/x", process__entity_id="C1"),
            doc("2026-12-03T12:00:01Z", "network", event__action="chmod"),
        ]
        r = self.evaluate({
            "as process": 'process where process.name == "chmod" and event.type == "change"',
            "as file": 'file where file.path == "/tmp/x" and event.type == "info"',
            "as network": 'network where file.path == "/tmp/x"',
            "any": 'any where event.action == "chmod"',
            "seq": "sequence [process where true] [file where true]",
        }, docs)
        self.assertEqual(1, r["as process"]["matches"])
        self.assertEqual(1, r["as file"]["matches"])
        self.assertEqual(["process", "file"], r["as file"]["examples"][0]["event.category"])
        self.assertEqual(0, r["as network"]["matches"])
        self.assertEqual(2, r["any"]["matches"])  # one event per document, not one per category
        self.assertEqual(0, r["seq"]["matches"])  # one document is not two events of a sequence

    # ---- errors ---------------------------------------------------------------------------

    def test_malformed_query_exits_2_naming_the_rule(self):
        for query in ('process where process.name == "bash" and', 'process where process.name = "bash"',
                      "process where process.name == 'bash'", 'process where unknownFn(process.name)'):
            with self.subTest(query):
                proc = self.run_cli({"good": BASE64, "broken rule": query},
                                    [exec_doc("2026-12-03T12:00:00Z", ["base64", "-d"])])
                self.assertEqual(2, proc.returncode, proc.stdout)
                self.assertEqual("", proc.stdout)  # no rule is evaluated
                lines = proc.stderr.splitlines()
                self.assertEqual(1, len(lines), proc.stderr)
                self.assertIn("'broken rule'", lines[0])

    def test_bad_document_exits_1_naming_the_line(self):
        proc = self.run_cli({"good": BASE64}, [exec_doc("2026-12-03T12:00:00Z", ["-d"]), {"event.category": ["file"]}])
        self.assertEqual(1, proc.returncode)
        self.assertIn("line 2", proc.stderr)


class KsecEqlUnitTest(unittest.TestCase):
    def test_timestamps_to_nanoseconds(self):
        t = ksec_eql.parse_timestamp
        base = t("2026-12-03T12:00:00Z")
        self.assertEqual(base + 123_000_000, t("2026-12-03T12:00:00.123Z"))
        self.assertEqual(base + 123_456_789, t("2026-12-03T12:00:00.123456789Z"))
        self.assertEqual(base, t("2026-12-03T13:00:00+01:00"))
        self.assertEqual(base + 123_000_000, t(base // 1_000_000 + 123))  # epoch millis
        self.assertEqual(1_796_299_200 * 1_000_000_000, base)

    def test_view_nests_and_unwraps(self):
        view = ksec_eql.to_view({"process.args": ["a", "b"], "process.name": ["bash"],
                                 "process.name.text": ["bash"], "destination.port": [4444]})
        self.assertEqual({"process": {"args": ["a", "b"], "name": "bash"}, "destination": {"port": 4444}}, view)

    def test_hit_with_fields_is_unwrapped(self):
        hit = {"_id": "1", "_index": "logs", "fields": exec_doc("2026-12-03T12:00:00Z", ["-d"])}
        (event,) = ksec_eql.load_documents([json.dumps(hit)])
        self.assertEqual("process", event.type)
        self.assertEqual("-d", event.data["process"]["args"])

    def test_case_rules(self):
        events = ksec_eql.load_documents([json.dumps(exec_doc("2026-12-03T12:00:00Z", ["-d"], name="Bash"))])
        queries = {
            'process where process.name == "bash"': 0,
            'process where process.name in ("bash")': 0,
            'process where process.name in~ ("bash", "sh")': 1,
            'process where process.name : "ba*"': 1,
            'process where process.name like~ "ba*"': 1,
            'process where process.name regex "ba.*"': 0,
            'process where process.name regex~ "ba.*"': 1,
            'process where startsWith(process.name, "ba")': 0,
            'process where startsWith~(process.name, "ba")': 1,
            'process where process.parent.executable != "/bin/x"': 1,  # missing: must_not matches
            'process where not process.parent.executable in ("/bin/x")': 1,
        }
        rules = [(q, ksec_eql.parse(q)) for q in queries]
        got = {r["name"]: r["matches"] for r in ksec_eql.evaluate(rules, events)}
        self.assertEqual(queries, got)


if __name__ == "__main__":
    unittest.main()
