#!/usr/bin/env python3
"""Evaluate EQL rules (Elastic's prebuilt-rule dialect) over documents read back from Elasticsearch.

    python ksec_eql.py [--examples N] RULES.json DOCS.ndjson

RULES.json is a JSON list of {"name": str, "query": str}. DOCS.ndjson holds one document per line
as the search API's `"fields": ["*"]` option returns it: a flat object of dotted ECS field names to
arrays of values, e.g. {"@timestamp": ["2026-12-03T12:00:00.123Z"], "event.category": ["process"],
"process.args": ["base64", "-d"], ...}. A whole search hit ({"_id": ..., "fields": {...}}) is also
accepted; its "fields" object is used. Prints one JSON line per rule, in the order of RULES.json:

    {"name": "<rule>", "matches": N, "examples": [...]}

where N counts matched events (a plain event query) or matched sequences / samples, and each of
at most N examples (3 unless --examples says otherwise) is a summary of the matched document
(its line number in DOCS.ndjson and those of @timestamp, event.category, event.type, event.action,
host.id, process.entity_id, process.pid, process.name, file.path, destination.ip, destination.port
that it has), or, for a sequence / sample, the list of such summaries of its events in order.

Exit 0: all rules evaluated (whatever they matched); 2: usage, an unreadable rules file, or a query
that does not parse in the Elasticsearch dialect (one line on standard error naming the rule; no
rule is evaluated then); 1: an unreadable document (line number on standard error).

The Elasticsearch test distribution has no x-pack EQL, so this runs the `eql` package's Python
engine (pinned in ../resources/sigma/requirements.txt) with the parser in Elasticsearch syntax, and
corrects where that engine's semantics differ from Elasticsearch's:

* Case: the eql engine folds case everywhere; Elasticsearch does not. Here, as in Elasticsearch,
  `==`, `!=`, `in`, `like`, `regex` and functions are case-sensitive, and `:`, `in~`, `like~`,
  `regex~` and `func~(...)` are case-insensitive.
* Wildcards: `:` / `like` / `like~` take `*` and `?` (eql itself knows only `*`).
* Multi-valued fields: a comparison, `in`, `:`/`like`/`regex` and the string predicates
  (startsWith, endsWith, stringContains, cidrMatch) match if ANY value matches, as the term /
  wildcard queries Elasticsearch runs do (eql compares the whole list and never matches); `!=` and
  `not in` are true when NO value matches. Value functions (length, substring, ...) see the list.
* Missing fields: Elasticsearch translates `!=` and `not` to bool must_not, which also matches a
  document without the field; so do `!=` and `not` here (eql would yield null, i.e. no match).
* Event categories: "process where" matches a document whose event.category holds "process" among
  its values; a document with several categories is one event matchable by each (not copies), and
  one without event.category only matches `any where`.
* Time: @timestamp (ISO-8601, any fraction down to nanoseconds, Z or +hh:mm; or epoch millis)
  becomes integer nanoseconds since the epoch, events are streamed sorted by it (stable: ties keep
  file order), and maxspan is converted exactly (eql 1.0.1 floors maxspan to whole seconds).
* Sequences: an event whose `by` key holds a null takes no part in the sequence (Elasticsearch adds
  an exists filter on non-optional join keys). A sequence's state machine, `until`, `with runs=N`
  and `![...]` missing events are eql's own, which follows Elasticsearch's documented behaviour.
* Only what Elasticsearch EQL accepts parses: its functions (add, between, cidrMatch, concat,
  divide, endsWith, indexOf, length, modulo, multiply, number, startsWith, string,
  stringContains, substring, subtract), the pipes head and tail, no join, no `descendant of` /
  `child of` / `event of`, no field-to-field comparison, no `=`, no single-quoted strings.

Not emulated: regex patterns are Python `re` (matching the whole value, as Lucene's regexp does,
but with Python's syntax);
`?field` optional join keys that are null (events without the key are always left out);
tiebreaker fields (ties keep input order); result size limits (every match is counted).
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import datetime as _dt
import functools
import json
import operator
import re
import sys
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent.parent / "resources" / "sigma" / "requirements.txt"

try:
    import eql
    import eql.parser
    import eql.utils
    from eql import ast
    from eql.engine import PythonEngine
    from eql.errors import EqlError, EqlSemanticError
    from eql.events import Event
    from eql.schema import EVENT_TYPE_ANY
except ImportError as e:  # pragma: no cover - depends on the environment
    _msg = f"{e}: install the pinned packages first: pip install -r {REQUIREMENTS}"
    if __name__ == "__main__":
        sys.exit(f"error: {_msg}")
    raise ImportError(_msg) from e

# Functions Elasticsearch EQL has (eql's names); the rest of eql's registry is rejected at parse.
ES_FUNCTIONS = (
    "add", "between", "cidrMatch", "concat", "divide", "endsWith", "indexOf", "length", "modulo",
    "multiply", "number", "startsWith", "string", "stringContains", "substring", "subtract",
)
ES_PIPES = ("head", "tail")

# Predicates over a string (first argument) that match a multi-valued field if any value matches.
_ANY_OF_FIRST_ARG = {"startsWith", "endsWith", "stringContains", "cidrMatch"}

# Our own function names in the AST (never parseable from a query: eql names have no such case).
_WILDCARD, _WILDCARD_I = "ksecWildcard", "ksecWildcardI"
_REGEX, _REGEX_I = "ksecRegex", "ksecRegexI"
_IN_I, _LOWER = "ksecInI", "ksecLower"

SUMMARY_FIELDS = (
    "@timestamp", "event.category", "event.type", "event.action", "host.id", "process.entity_id",
    "process.pid", "process.name", "file.path", "destination.ip", "destination.port",
)
NANOS = 1_000_000_000


class RuleError(Exception):
    """A rule that cannot be used (the message names it)."""


class DocumentError(Exception):
    """A document line that cannot be read (the message names the line)."""


# --------------------------------------------------------------------------------------------
# Parsing in the Elasticsearch dialect


@contextlib.contextmanager
def _case_sensitive():
    """eql folds case through one module flag, read at parse, compile and run time."""
    saved = eql.utils.CASE_INSENSITIVE
    eql.utils.CASE_INSENSITIVE = False
    try:
        yield
    finally:
        eql.utils.CASE_INSENSITIVE = saved


def _lower_arg(expr):
    if isinstance(expr, ast.String):
        return ast.String(expr.value.lower())
    if isinstance(expr, ast.Literal):
        return expr
    return ast.FunctionCall(_LOWER, [expr])


class _EsWalker(eql.parser.LarkToEQL):
    """eql's tree walker, keeping what Elasticsearch distinguishes and eql folds together."""

    def string_predicate(self, node):
        info = super().string_predicate(node)  # FunctionCall wildcard/match(source, patterns...)
        predicate = str(node["STRING_PREDICATE"])
        insensitive = predicate in (":", "like~", "regex~")
        if info.node.name == "wildcard":
            name = _WILDCARD_I if insensitive else _WILDCARD
        else:
            name = _REGEX_I if insensitive else _REGEX
            for pattern in info.node.arguments[1:]:
                try:
                    re.compile(pattern.value)
                except re.error as exc:
                    raise self._error(node, f"Invalid regex {pattern.value!r}: {exc}",
                                      cls=EqlSemanticError)
        info.node = ast.FunctionCall(name, list(info.node.arguments))
        return info

    def in_set(self, node):
        info = super().in_set(node)
        if node.get("IN") == "in~":
            info.node = ast.FunctionCall(_IN_I, [info.node.expression] + list(info.node.container))
        return info

    def function_call(self, node, prev_node=None, prev_arg=None):
        info = super().function_call(node, prev_node, prev_arg)
        token = node.children[0] if node.data != "method" else None
        if token is not None and str(token).endswith("~") and isinstance(info.node, ast.FunctionCall):
            info.node = ast.FunctionCall(info.node.name, [_lower_arg(a) for a in info.node.arguments],
                                         info.node.as_method)
        return info

    def join(self, node):
        raise self._error(node, "join is not supported by Elasticsearch EQL", cls=EqlSemanticError)

    def named_subquery(self, node):
        raise self._error(node, "'descendant of', 'child of' and 'event of' are not supported "
                                "by Elasticsearch EQL", cls=EqlSemanticError)


_ES_CONFIG = dict(
    elasticsearch_syntax=True, reject_field_comparisons=True, allow_runs=True,
    allow_negation=True, allow_sample=True, allowed_functions=ES_FUNCTIONS,
    allowed_pipes=set(ES_PIPES),
)


def parse(query: str):
    """Parse one query in Elasticsearch syntax; raises eql's EqlError when it does not parse."""
    saved = eql.parser.LarkToEQL
    eql.parser.LarkToEQL = _EsWalker
    try:
        with _case_sensitive(), eql.parser.ParserConfig(**_ES_CONFIG):
            return eql.parse_query(query)
    finally:
        eql.parser.LarkToEQL = saved


def _one_line(exc: Exception) -> str:
    if isinstance(exc, eql.errors.EqlParseError):
        return f"line {exc.line + 1}, column {exc.column + 1}: {exc.error_msg}"
    return " ".join(str(exc).split())


def load_rules(path) -> list[tuple[str, object]]:
    """Read RULES.json and parse every query: [(name, PipedQuery)]; RuleError on the first bad one."""
    try:
        rules = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuleError(f"cannot read rules file {path}: {exc}") from exc
    if not isinstance(rules, list):
        raise RuleError(f"rules file {path}: expected a JSON list of {{\"name\", \"query\"}}")
    parsed = []
    for i, rule in enumerate(rules):
        if not (isinstance(rule, dict) and isinstance(rule.get("name"), str)
                and isinstance(rule.get("query"), str)):
            raise RuleError(f"rules file {path}: entry {i} is not {{\"name\": str, \"query\": str}}")
        try:
            parsed.append((rule["name"], parse(rule["query"])))
        except EqlError as exc:
            raise RuleError(f"rule {rule['name']!r}: query does not parse: {_one_line(exc)}") from exc
    return parsed


# --------------------------------------------------------------------------------------------
# Documents: `fields` format -> eql events


class Categories(frozenset):
    """An event's event.category values; equal to each of them (eql compares type == "process")."""

    def __eq__(self, other):
        if isinstance(other, str):
            return other in self
        return frozenset.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = frozenset.__hash__


_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_timestamp(value) -> int:
    """ISO-8601 (any fraction, Z / offset / none = UTC) or epoch millis -> nanoseconds since epoch."""
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return int(round(value * 1_000_000))
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value.strip()) * 1_000_000
    m = _TS.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"not a timestamp: {value!r}")
    year, month, day, hour, minute, second, frac, tz = m.groups()
    moment = _dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0))
    seconds = calendar.timegm(moment.timetuple())
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = int(digits[:2]) * 3600 + (int(digits[2:4]) * 60 if len(digits) > 2 else 0)
        seconds -= sign * offset
    nanos = int((frac or "0")[:9].ljust(9, "0"))
    return seconds * NANOS + nanos


def _unwrap(value):
    if isinstance(value, list):
        value = [_unwrap(v) for v in value]
        return value[0] if len(value) == 1 else value
    if isinstance(value, dict):  # nested-type fields come back as arrays of objects
        return {k: _unwrap(v) for k, v in value.items()}
    return value


def fields_of(doc: dict) -> dict:
    """The flat `fields` object of a document line (a whole hit is unwrapped)."""
    if isinstance(doc.get("fields"), dict):  # in the `fields` format every value is an array
        return doc["fields"]
    return doc


def to_view(fields: dict) -> dict:
    """Dotted names -> nested objects, single-element arrays -> scalars (real arrays stay lists).

    A multi-field such as file.path.text beside file.path cannot nest under a string: the parent
    value is kept and the sub-field dropped.
    """
    view: dict = {}
    for name in sorted(fields, key=lambda n: n.count(".")):  # parents before their sub-fields
        value = _unwrap(fields[name])
        if value == []:
            continue
        *parents, leaf = name.split(".")
        node = view
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                node = None
                break
            node = child
        if node is None or isinstance(node.get(leaf), dict):
            continue
        node[leaf] = value
    return view


def summary(fields: dict, line: int) -> dict:
    out = {"line": line}
    for name in SUMMARY_FIELDS:
        if name in fields:
            out[name] = _unwrap(fields[name])
    return out


def load_documents(lines) -> list[Event]:
    """Document lines -> eql Events sorted by @timestamp; DocumentError names a bad line."""
    events = []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            fields = fields_of(doc)
            stamp = _unwrap(fields.get("@timestamp"))
            if stamp is None:
                raise ValueError("no @timestamp")
            if isinstance(stamp, list):
                raise ValueError(f"several @timestamp values: {stamp!r}")
            time = parse_timestamp(stamp)
        except ValueError as exc:
            raise DocumentError(f"document line {number}: {exc}") from exc
        categories = fields.get("event.category", [])
        if not isinstance(categories, list):
            categories = [categories]
        data = to_view(fields)
        data["_ksec"] = summary(fields, number)  # for the report; no ECS field starts with "_"
        events.append(Event(Categories(c for c in categories if isinstance(c, str)), time, data))
    events.sort(key=lambda e: e.time)  # stable: equal timestamps keep file order
    return events


# --------------------------------------------------------------------------------------------
# The engine


def _any(predicate, value):
    """Apply a null-propagating predicate to a value or, if a list, to each of its values."""
    if isinstance(value, (list, tuple)):
        seen_false = False
        for item in value:
            result = predicate(item)
            if result:
                return True
            seen_false = seen_false or result is False
        return False if seen_false else None
    return predicate(value)


def _wildcard_regex(patterns, insensitive):
    parts = []
    for pattern in patterns:
        regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
        parts.append(f"(?:{regex})")
    return re.compile("|".join(parts), re.DOTALL | (re.IGNORECASE if insensitive else 0))


def _fold(value):
    return value.lower() if isinstance(value, str) else value


class EsEngine(PythonEngine):
    """eql's Python engine with Elasticsearch's case, multi-value, null and category semantics."""

    def __init__(self, config=None):
        config = dict(config or {})
        config.setdefault("time_unit", NANOS)
        super().__init__(config)
        self._hooks_in_order = []  # (event type, callback) in registration order

    # -- events with several categories: each hook once, in registration order
    def add_event_callback(self, event_type, f):
        self._hooks_in_order.append((event_type, f))
        super().add_event_callback(event_type, f)

    def stream_event(self, event):
        called = set()
        for event_type, hook in self._hooks_in_order:
            if id(hook) in called:
                continue
            if event_type == EVENT_TYPE_ANY or event_type in event.type:
                called.add(id(hook))
                hook(event)

    # -- exact maxspan in our time unit (eql floors it to whole seconds)
    def convert_time_range(self, node):
        return node.as_milliseconds() * (self.time_unit // 1000)

    # -- join keys: lists are hashable tuples; keys stay case-sensitive
    @classmethod
    def _remove_case(cls, key):
        if isinstance(key, (list, tuple)):
            return tuple(cls._remove_case(k) for k in key)
        return key

    def _convert_sequence_term(self, subquery, position, size, lookups, next_pipe=None):
        negated = bool(subquery.params.kv.get("is_negated", ast.Boolean(False)).value)
        if subquery.join_values and not negated:
            query = subquery.query
            guard = ast.And([query.query] + [ast.IsNotNull(v) for v in subquery.join_values])
            subquery = ast.SubqueryBy(ast.EventQuery(query.event_type, guard),
                                      subquery.join_values, subquery.data)
        return super()._convert_sequence_term(subquery, position, size, lookups, next_pipe)

    # -- two-valued `not`, like bool must_not
    def _convert_not(self, node):
        get_value = self.convert(node.term)
        return lambda scope: not get_value(scope)

    def _convert_comparison(self, node):
        get_left = self.convert(node.left)
        get_right = self.convert(node.right)
        negate = node.comparator == ast.Comparison.NE
        compare = self.check_types(operator.eq if negate else node.function)

        def callback(scope):
            left, right = get_left(scope), get_right(scope)
            if isinstance(right, (list, tuple)) and not isinstance(left, (list, tuple)):
                result = _any(lambda r: compare(left, r), right)
            else:
                result = _any(lambda v: compare(v, right), left)
            return (not result) if negate else result

        return callback

    def _convert_in_set(self, node):
        if not all(isinstance(item, ast.Literal) for item in node.container):
            return self.convert(node.synonym)
        values = {item.value for item in node.container}
        get_value = self.convert(node.expression)

        def member(v):
            if v is None:
                return None
            try:
                return v in values
            except TypeError:  # unhashable (an object)
                return False

        return lambda scope: _any(member, get_value(scope))

    def _convert_function_call(self, node):
        name, args = node.name, node.arguments
        if name in (_WILDCARD, _WILDCARD_I, _REGEX, _REGEX_I):
            patterns = [a.value for a in args[1:]]
            insensitive = name in (_WILDCARD_I, _REGEX_I)
            if name in (_WILDCARD, _WILDCARD_I):
                compiled = _wildcard_regex(patterns, insensitive)
                match = compiled.fullmatch
            else:
                compiled = re.compile("|".join(f"(?:{p})" for p in patterns),
                                      re.IGNORECASE if insensitive else 0)
                match = compiled.fullmatch  # Lucene regexp matches the whole value
            get_source = self.convert(args[0])

            def test(v):
                return (match(v) is not None) if isinstance(v, str) else None

            return lambda scope: _any(test, get_source(scope))

        if name == _IN_I:
            get_value = self.convert(args[0])
            literal = all(isinstance(a, ast.Literal) for a in args[1:])
            if literal:
                folded = {_fold(a.value) for a in args[1:]}

                def member(v):
                    return None if v is None else _fold(v) in folded
            else:
                get_items = self._convert_tuple(args[1:])
                member = None

            def in_i(scope):
                if literal:
                    return _any(member, get_value(scope))
                items = {_fold(i) for i in get_items(scope) if not isinstance(i, (list, dict))}
                return _any(lambda v: None if v is None else _fold(v) in items, get_value(scope))

            return in_i

        if name == _LOWER:
            get_value = self.convert(args[0])

            def lower(scope):
                value = get_value(scope)
                if isinstance(value, list):
                    return [_fold(v) for v in value]
                return _fold(value)

            return lower

        if name in _ANY_OF_FIRST_ARG and args:
            func = self._functions.get(name, node.signature)
            if hasattr(func, "get_callback"):
                func = func.get_callback(*args)
            get_args = self._convert_tuple(args)

            def any_first(scope):
                first, *rest = get_args(scope)
                return _any(lambda v: None if v is None else func(v, *rest), first)

            return any_first

        return super()._convert_function_call(node)


def evaluate(rules, events, examples: int = 3) -> list[dict]:
    """Run each parsed rule over the (sorted) events: one result dict per rule."""
    results = []
    for name, query in rules:
        matches: list[list[Event]] = []
        with _case_sensitive():
            engine = EsEngine()
            engine.add_output_hook(lambda output, sink=matches: sink.append(output.events))
            engine.add_query(query)
            engine.stream_events(events)
        is_single = isinstance(query.first, ast.EventQuery)
        shown = []
        for match in matches[:examples]:
            summaries = [e.data["_ksec"] for e in match]
            shown.append(summaries[0] if is_single and len(summaries) == 1 else summaries)
        results.append({"name": name, "matches": len(matches), "examples": shown})
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="ksec_eql.py",
        description="Evaluate EQL rules (Elasticsearch dialect) over `fields`-format documents.",
    )
    parser.add_argument("rules", help="JSON list of {\"name\": str, \"query\": str}")
    parser.add_argument("docs", help="NDJSON, one `fields`-format document (or search hit) a line")
    parser.add_argument("--examples", type=int, default=3, metavar="N",
                        help="matched documents shown per rule (default 3)")
    args = parser.parse_args(argv)
    try:
        rules = load_rules(args.rules)
    except RuleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        with open(args.docs, encoding="utf-8") as fh:
            events = load_documents(fh)
    except OSError as exc:
        print(f"error: cannot read documents file {args.docs}: {exc}", file=sys.stderr)
        return 2
    except DocumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for result in evaluate(rules, events, examples=max(0, args.examples)):
        print(json.dumps(result, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
