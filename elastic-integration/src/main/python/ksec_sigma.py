#!/usr/bin/env python3
"""Convert Sigma rules to Elasticsearch Lucene queries over otel-kernel-receiver's data streams.

    python ksec_sigma.py convert RULE.yml [RULE.yml | DIR ...]

prints one JSON object per query on standard output:

    {"rule": "<title>", "id": "<id>", "index": "logs-ksec.process.*", "query": "<lucene>"}

and one line on standard error for each rule it cannot convert (an unsupported log source, a
field the pipeline does not map, ...), naming the file, the rule and the reason; it then exits 1.
Exit 0: every rule converted; 2: usage.

The mapping is ../resources/sigma/ksec-linux-pipeline.yml beside this script (the one copy, also
usable with sigma-cli: sigma convert -t lucene -p <that file> rule.yml). The pipeline sets the
pipeline state key "index" per log source; the Lucene backend's plain output carries no index, so
this tool reads it from each rule's conversion state. Needs the packages of
../resources/sigma/requirements.txt (pip install -r ...).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

PIPELINE_PATH = (
    Path(__file__).resolve().parent.parent / "resources" / "sigma" / "ksec-linux-pipeline.yml"
)

try:
    from sigma.backends.elasticsearch import LuceneBackend
    from sigma.collection import SigmaCollection
    from sigma.exceptions import SigmaError, SigmaRuleLocation
    from sigma.processing.pipeline import ProcessingPipeline
    from sigma.rule import SigmaRule
except ImportError as e:  # pragma: no cover - depends on the environment
    _msg = (
        f"{e}: install the pinned packages first: "
        f"pip install -r {PIPELINE_PATH.parent / 'requirements.txt'}"
    )
    if __name__ == "__main__":
        sys.exit(f"error: {_msg}")
    raise ImportError(_msg) from e


@dataclass(frozen=True)
class Converted:
    """One query of a rule (a rule with several conditions gives several)."""

    rule: str
    id: str | None
    index: str
    query: str

    def to_json(self) -> str:
        return json.dumps(
            {"rule": self.rule, "id": self.id, "index": self.index, "query": self.query},
            ensure_ascii=False,
        )


@dataclass(frozen=True)
class Failed:
    """A rule (or a file) that could not be converted, and why."""

    path: Path
    rule: str | None
    id: str | None
    reason: str

    def message(self) -> str:
        if not self.rule and not self.id:  # the file itself
            return f"error: {self.path}: {self.reason}"
        what = f"rule {self.rule!r}" if self.rule else "rule"
        if self.id:
            what += f" ({self.id})"
        return f"error: {self.path}: {what}: {self.reason}"


def load_pipeline(path: Path = PIPELINE_PATH) -> ProcessingPipeline:
    return ProcessingPipeline.from_yaml(path.read_text(encoding="utf-8"), source_path=str(path))


def _reason(e: SigmaError) -> str:
    # str(e) appends " in <source>"; the file is named in the message already
    return " ".join(str(a) for a in e.args) if e.args else type(e).__name__


def _logsource(rule: SigmaRule) -> str:
    ls = rule.logsource
    parts = [f"{k}={v}" for k, v in (("product", ls.product), ("category", ls.category),
                                     ("service", ls.service)) if v]
    return " ".join(parts) or "none"


def convert_file(path: Path, pipeline: ProcessingPipeline | None = None
                 ) -> tuple[list[Converted], list[Failed]]:
    """Convert every rule of one Sigma YAML file (several documents are several rules)."""
    converted: list[Converted] = []
    failed: list[Failed] = []
    try:
        text = path.read_text(encoding="utf-8")
        collection = SigmaCollection.from_yaml(
            text, collect_errors=True, source=SigmaRuleLocation(path)
        )
    except (OSError, UnicodeDecodeError, SigmaError) as e:
        reason = _reason(e) if isinstance(e, SigmaError) else str(e)
        return [], [Failed(path, None, None, reason)]

    # one backend per file: it keeps the combined pipeline between rules, which is reset per rule
    backend = LuceneBackend(pipeline if pipeline is not None else load_pipeline())
    for rule in collection.rules:
        title = getattr(rule, "title", None)
        rule_id = str(rule.id) if getattr(rule, "id", None) else None
        if rule.errors:
            failed.append(Failed(path, title, rule_id, "; ".join(_reason(e) for e in rule.errors)))
            continue
        if not isinstance(rule, SigmaRule):
            failed.append(Failed(path, title, rule_id, "correlation rules are not supported"))
            continue
        try:
            queries = backend.convert_rule(rule)
        except SigmaError as e:
            failed.append(Failed(path, title, rule_id,
                                 f"{_reason(e)} (log source {_logsource(rule)})"))
            continue
        states = rule.get_conversion_states()
        for i, query in enumerate(queries):
            index = states[i].processing_state.get("index") if i < len(states) else None
            if not index:
                failed.append(Failed(path, title, rule_id,
                                     f"the pipeline set no index for log source {_logsource(rule)}"))
                continue
            converted.append(Converted(title, rule_id, index, str(query)))
    return converted, failed


def _rule_files(args: list[str]) -> list[Path]:
    files: list[Path] = []
    for a in args:
        p = Path(a)
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yml", ".yaml")))
        else:
            files.append(p)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="ksec_sigma.py",
        description="Sigma rules to Lucene queries over the logs-ksec.* data streams",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    conv = sub.add_parser("convert", help="print one JSON line (rule, id, index, query) per query")
    conv.add_argument("rules", nargs="+", metavar="RULE.yml",
                      help="Sigma rule files, or directories searched for *.yml and *.yaml")
    conv.add_argument("--pipeline", type=Path, default=PIPELINE_PATH,
                      help="processing pipeline (default: %(default)s)")
    args = parser.parse_args(argv)

    try:
        pipeline = load_pipeline(args.pipeline)
    except (OSError, SigmaError) as e:
        print(f"error: cannot load the pipeline {args.pipeline}: {e}", file=sys.stderr)
        return 1

    ok = True
    for path in _rule_files(args.rules):
        converted, failed = convert_file(path, pipeline)
        for c in converted:
            print(c.to_json())
        for f in failed:
            print(f.message(), file=sys.stderr)
            ok = False
    sys.stdout.flush()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
