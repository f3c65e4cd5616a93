"""Sigma conversion through ksec-linux-pipeline.yml: the sample rules of
src/test/resources/sigma/rules convert to Lucene queries on our fields and data streams, and rules
the pipeline cannot express fail loudly.

Needs the packages of src/main/resources/sigma/requirements.txt; stdlib unittest only:

    python -m unittest discover -s elastic-integration/src/test/python -v
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULE = HERE.parent.parent  # elastic-integration/src
SCRIPT = MODULE / "main" / "python" / "ksec_sigma.py"
RULES = MODULE / "test" / "resources" / "sigma" / "rules"

sys.dont_write_bytecode = True  # no __pycache__ beside the script in the source tree
sys.path.insert(0, str(SCRIPT.parent))
import ksec_sigma  # noqa: E402

# Sigma field names the pipeline maps: none may survive into a query
SIGMA_FIELDS = (
    "Image", "CommandLine", "ParentImage", "ParentCommandLine", "User", "CurrentDirectory",
    "ProcessId", "ParentProcessId", "LogonId", "TargetFilename", "SourceFilename",
    "DestinationIp", "DestinationPort", "SourceIp", "SourcePort", "Initiated",
)


def rule_yaml(logsource: str, detection: str, title: str = "Test rule") -> str:
    return textwrap.dedent(
        f"""\
        title: {title}
        id: 0b8f0d47-5a1e-4a8e-9d55-3f5c2e4e7a10
        status: test
        logsource:
            product: linux
            category: {logsource}
        detection:
        """
    ) + textwrap.indent(textwrap.dedent(detection), "    ") + "level: low\n"


class KsecSigmaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pipeline = ksec_sigma.load_pipeline()
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def convert_one(self, name: str) -> ksec_sigma.Converted:
        converted, failed = ksec_sigma.convert_file(RULES / name, self.pipeline)
        self.assertEqual([], [f.message() for f in failed])
        self.assertEqual(1, len(converted), converted)
        c = converted[0]
        for sigma_name in SIGMA_FIELDS:
            self.assertNotIn(sigma_name, c.query, f"Sigma field {sigma_name} left in {c.query}")
        return c

    def convert_text(self, text: str, name: str = "rule.yml"):
        path = Path(self.tmp.name) / name
        path.write_text(text, encoding="utf-8")
        return ksec_sigma.convert_file(path, self.pipeline)

    def assert_fails(self, text: str, *fragments: str) -> str:
        converted, failed = self.convert_text(text)
        self.assertEqual([], converted)
        self.assertEqual(1, len(failed))
        message = failed[0].message()
        self.assertNotIn("\n", message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    # ---- the five sample rules --------------------------------------------------------------

    def test_curl_upload_process_creation(self):
        c = self.convert_one("proc_creation_lnx_ksec_curl_upload.yml")
        self.assertEqual("Curl Uploads a Local File (ksec test)", c.rule)
        self.assertEqual("c0569117-601d-495e-8a0e-8a1aae37af4e", c.id)
        self.assertEqual("logs-ksec.process.*", c.index)
        self.assertTrue(c.query.startswith("event.action:exec AND "), c.query)
        self.assertIn(r"process.executable:*\/curl", c.query)
        self.assertIn(r"process.command_line:(*\-\-upload\-file* OR ", c.query)
        self.assertIn(r"*\-\-data\-binary\ @*", c.query)

    def test_bash_base64_process_creation(self):
        c = self.convert_one("proc_creation_lnx_ksec_bash_base64_decode.yml")
        self.assertEqual("logs-ksec.process.*", c.index)
        self.assertIn("event.action:exec", c.query)
        self.assertIn(r"process.parent.executable:*\/bash", c.query)
        self.assertIn(r"process.executable:*\/base64", c.query)
        self.assertIn(r"process.command_line:*\-d*", c.query)

    def test_cron_stand_in_file_event(self):
        c = self.convert_one("file_event_lnx_ksec_cron_stand_in.yml")
        self.assertEqual("logs-ksec.file.*", c.index)
        self.assertIn("event.category:file AND event.type:creation", c.query)
        self.assertIn(r"file.path:\/tmp\/ksec\-sigma\-cron*", c.query)

    def test_history_file_delete(self):
        c = self.convert_one("file_delete_lnx_ksec_history_removed.yml")
        self.assertEqual("logs-ksec.file.*", c.index)
        self.assertIn("event.type:deletion", c.query)
        self.assertIn(r"file.path:*.ksec\-sigma\-history", c.query)

    def test_shell_port_4444_network_connection(self):
        c = self.convert_one("net_connection_lnx_ksec_shell_port_4444.yml")
        self.assertEqual("logs-ksec.network.*", c.index)
        self.assertIn("event.category:network", c.query)
        self.assertIn("event.action:(connection_attempted OR connection_accepted)", c.query)
        self.assertIn(r"process.executable:(*\/bash OR *\/nc OR *\/ncat)", c.query)
        self.assertIn("destination.ip:127.0.0.1", c.query)
        self.assertIn("destination.port:4444", c.query)
        # Initiated 'true' -> the direction the agent writes for a connect
        self.assertIn("network.direction:outbound", c.query)
        self.assertNotIn("true", c.query)

    # ---- more of the mapping ----------------------------------------------------------------

    def test_file_rename_maps_both_paths(self):
        converted, failed = self.convert_text(rule_yaml("file_rename", """\
            selection:
                SourceFilename|startswith: '/tmp/'
                TargetFilename|startswith: '/usr/local/bin/'
            condition: selection
            """))
        self.assertEqual([], failed)
        self.assertEqual("logs-ksec.file.*", converted[0].index)
        q = converted[0].query
        self.assertIn("event.action:rename", q)
        self.assertIn(r"ksec.file.original_path:\/tmp\/*", q)
        self.assertIn(r"file.path:\/usr\/local\/bin\/*", q)

    def test_initiated_false_and_unquoted_booleans(self):
        converted, failed = self.convert_text(rule_yaml("network_connection", """\
            inbound:
                Initiated: 'false'
            outbound:
                Initiated: true
                SourcePort: 4444
            condition: inbound or outbound
            """))
        self.assertEqual([], failed)
        q = converted[0].query
        self.assertIn("network.direction:inbound", q)
        self.assertIn("network.direction:outbound AND source.port:4444", q)

    # ---- what must not convert --------------------------------------------------------------

    def test_unmapped_field_fails_naming_rule_and_field(self):
        message = self.assert_fails(
            rule_yaml("process_creation", """\
                selection:
                    Image|endswith: '/curl'
                    Hashes|contains: 'SHA256=0000'
                condition: selection
                """, title="Uses Hashes"),
            "'Uses Hashes'", "not mapped: Hashes", "category=process_creation",
        )
        self.assertNotIn("Image", message)

    def test_field_of_another_log_source_fails(self):
        self.assert_fails(
            rule_yaml("file_event", """\
                selection:
                    TargetFilename: '/etc/passwd'
                    CommandLine|contains: 'x'
                condition: selection
                """),
            "not mapped: CommandLine", "category=file_event",
        )

    def test_unsupported_log_source_fails(self):
        self.assert_fails(
            rule_yaml("dns_query", """\
                selection:
                    QueryName: 'example.com'
                condition: selection
                """),
            "unsupported log source", "category=dns_query",
        )

    def test_keyword_search_fails(self):
        self.assert_fails(
            rule_yaml("process_creation", """\
                keywords:
                    - 'mimikatz'
                condition: keywords
                """),
            "keyword (field-less) search is not supported",
        )

    def test_unknown_initiated_value_fails(self):
        self.assert_fails(
            rule_yaml("network_connection", """\
                selection:
                    Initiated: 'maybe'
                condition: selection
                """),
            "Initiated must be 'true' or 'false'",
        )

    # ---- the command line -------------------------------------------------------------------

    def run_cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(SCRIPT), *args],
                              capture_output=True, text=True, timeout=120)

    def test_cli_prints_one_json_line_per_rule(self):
        result = self.run_cli("convert", *sorted(str(p) for p in RULES.glob("*.yml")))
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertEqual("", result.stderr)
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual(5, len(lines))
        for line in lines:
            self.assertEqual({"rule", "id", "index", "query"}, set(line))
        self.assertEqual(
            {"logs-ksec.process.*": 2, "logs-ksec.file.*": 2, "logs-ksec.network.*": 1},
            {i: sum(1 for line in lines if line["index"] == i)
             for i in {line["index"] for line in lines}},
        )

    def test_cli_exits_1_with_one_line_per_failed_rule(self):
        bad = Path(self.tmp.name) / "hashes.yml"
        bad.write_text(rule_yaml("process_creation", """\
            selection:
                Hashes|contains: 'MD5=0000'
            condition: selection
            """, title="Hash match"), encoding="utf-8")
        good = RULES / "file_delete_lnx_ksec_history_removed.yml"
        result = self.run_cli("convert", str(bad), str(good))
        self.assertEqual(1, result.returncode)
        self.assertEqual(1, len(result.stdout.splitlines()))
        self.assertEqual("logs-ksec.file.*", json.loads(result.stdout)["index"])
        errors = result.stderr.splitlines()
        self.assertEqual(1, len(errors), result.stderr)
        self.assertTrue(errors[0].startswith(f"error: {bad}: rule 'Hash match'"), errors[0])
        self.assertIn("Hashes", errors[0])


if __name__ == "__main__":
    unittest.main()
