#!/usr/bin/env python3
"""
The benchmark suite (issue 8): workloads x configurations, alternated in one run, reported as
ratios to "nothing attached" on the same machine in the same run. Run through bench/suite.sh,
which builds everything first. Needs root. Not part of the tests.

Workloads: open storm, exec storm (../shared/reference), loopback connect storm, and a mixed
realistic run (a clean build of the reference tools with make, clang and gcc).
Configurations: nothing attached; the plain-C libbpf reference consumer; auditd with the
equivalent syscall rules; the agent exporting every event to a real Collector; the agent with its
default policy (exporting to the same Collector).
Then: zero-loss and sustained-rate runs, kernel -> Collector latency at a paced rate, idle CPU.

Writes docs/benchmarks/suite.md (tables, targets met or missed) and docs/benchmarks/rates.svg.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def rate_of(output):
    m = re.search(r"rate=([0-9.]+)", output)
    if not m:
        raise RuntimeError("no rate in: " + output)
    return float(m.group(1))


def wait_http(port, proc, what, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{what} not healthy after {timeout} s")


class Proc:
    """CPU seconds and peak RSS of a process from /proc."""

    def __init__(self, pid):
        self.pid = pid

    def cpu_seconds(self):
        f = open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / CLK_TCK

    def jit_cpu_seconds(self):
        """CPU seconds of the JVM's JIT compiler threads (C1/C2): a one-time cost, reported apart."""
        total = 0
        for tid in os.listdir(f"/proc/{self.pid}/task"):
            try:
                comm, rest = open(f"/proc/{self.pid}/task/{tid}/stat").read().split("(", 1)[1].rsplit(")", 1)
            except OSError:
                continue
            if "CompilerThre" in comm:
                f = rest.split()
                total += int(f[11]) + int(f[12])
        return total / CLK_TCK

    def peak_rss_mib(self):
        for line in open(f"/proc/{self.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0


class Collector:
    """The real Collector: 'count' drops records after counting them (debug exporter), 'file' stamps
    their arrival time and writes them out (for latency)."""

    def __init__(self, binary, work, name, kind="count"):
        self.kind = kind
        self.out = os.path.join(work, f"collector-{name}.jsonl")
        self.logfile = self.out + ".log"
        self.grpc, self.health = free_port(), free_port()
        env = dict(os.environ, OTLP_GRPC_PORT=str(self.grpc), HEALTH_PORT=str(self.health), OUT_FILE=self.out)
        config = "collector-count.yaml" if kind == "count" else "collector-bench.yaml"
        self.proc = subprocess.Popen([binary, "--config", os.path.join(ROOT, "bench", config)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=open(self.logfile, "w"))
        wait_http(self.health, self.proc, "the Collector")
        self.stats = Proc(self.proc.pid)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)

    def received(self):
        """Records the Collector took in (count kind): the sum over the debug exporter's batch lines."""
        total = 0
        for line in open(self.logfile, errors="replace"):
            m = re.search(r'"log records": (\d+)', line)
            if m:
                total += int(m.group(1))
        return total


PORTS = iter(range(24500 + os.getpid() % 200 * 10, 65000))


def free_port():
    return next(PORTS)


ALL_EVENTS_POLICY = """
    policy:
      events:
        file.open: {include: [], exclude: [], aggregate: 0s}
        file.read: {include: ["/"], aggregate: 0s}
        network.connect: {aggregate: 0s}
        network.accept: {}
"""


class Agent:
    def __init__(self, launcher, work, name, collector, every_event):
        self.cfg = os.path.join(work, f"agent-{name}.yaml")
        self.err = os.path.join(work, f"agent-{name}.err")
        self.health = free_port()
        with open(self.cfg, "w") as f:
            f.write(f"""receivers:
  ebpf:{ALL_EVENTS_POLICY if every_event else " {}"}
processors:
  batch: {{}}
exporters:
  otlp: {{endpoint: "127.0.0.1:{collector.grpc}", tls: {{insecure: true}}}}
extensions:
  health_check: {{endpoint: "127.0.0.1:{self.health}"}}
service:
  extensions: [health_check]
  pipelines:
    logs: {{receivers: [ebpf], processors: [batch], exporters: [otlp]}}
""")
        # through the launcher, with the JVM options a user gets
        self.proc = subprocess.Popen([launcher, "--config", self.cfg], stdout=subprocess.DEVNULL,
                                     stderr=open(self.err, "w"))
        wait_http(self.health, self.proc, "the agent")
        self.stats = Proc(self.proc.pid)

    def stop(self):
        rss = self.stats.peak_rss_mib()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(180)
        text = open(self.err).read()
        res = {"peak_rss_mib": rss}
        res.update(parse_summary(text))
        # everything the agent read or produced and did not deliver, whatever the stage
        res["lost"] = sum(max(res[k], 0) for k in ("kernel_lost", "queue_dropped", "memory_shed", "stage_failed",
                                                    "export_failed", "sending_dropped"))
        return res


def parse_summary(text):
    """The agent's stop line: global counters before the first " | ", then one section per exporter."""
    line = next((l for l in text.splitlines() if "stopped: " in l), "")
    parts = line.split(" | ")
    head = parts[0]

    def count(part, key):
        m = re.search(r"(?:^|[ (])" + re.escape(key) + r"=(\d+)", part)
        return int(m.group(1)) if m else -1

    res = {k: count(head, k) for k in ("received", "kernel_lost", "queue_dropped", "memory_shed")}
    res["stage_failed"] = sum(max(count(head, k + "_failed"), 0) for k in ("decode", "enrich", "map"))
    exporters = [p for p in parts[1:] if not p.startswith("hasher:")]
    for key, name in (("exported", "exported"), ("export_failed", "failed"), ("sending_dropped", "dropped")):
        values = [count(p, name) for p in exporters]
        res[key] = sum(v for v in values if v > 0) if values else -1
    return res


class Auditd:
    def __init__(self, rules):
        subprocess.run("service auditd start >/dev/null 2>&1 || auditd >/dev/null 2>&1 || true", shell=True)
        time.sleep(0.5)
        run(["auditctl", "-D"])
        for r in rules:
            run(["auditctl"] + r.split())

    def stop(self):
        run(["auditctl", "-D"])


class Reference:
    def __init__(self, binary, work):
        self.err = os.path.join(work, "reference.err")
        self.proc = subprocess.Popen([binary, "600"], stdout=subprocess.DEVNULL, stderr=open(self.err, "w"))
        deadline = time.time() + 30
        while "attached" not in open(self.err).read():
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the reference consumer did not attach: " + open(self.err).read())
            time.sleep(0.1)

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", required=True, help="directory with the built reference tools")
    ap.add_argument("--tools", required=True, help="directory with connect-storm and open-rate")
    ap.add_argument("--collector", required=True)
    ap.add_argument("--launcher", default=os.path.join(ROOT, "bin", "otel-kernel-receiver"))
    ap.add_argument("--baseline", help="the launcher of another checkout (its jar built): adds baseline-default,"
                    " that agent with the default policy, to every round, for an A/B comparison in one run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--opens", type=int, default=200_000)
    ap.add_argument("--execs", type=int, default=2_000)
    ap.add_argument("--connects", type=int, default=20_000)
    ap.add_argument("--zero-loss-secs", type=float, default=10)
    ap.add_argument("--sustain-rate", type=int, default=50_000)
    ap.add_argument("--sustain-secs", type=float, default=60)
    ap.add_argument("--latency-rate", type=int, default=1_000)
    ap.add_argument("--latency-secs", type=float, default=20)
    ap.add_argument("--idle-secs", type=float, default=30)
    ap.add_argument("--idle-settle-secs", type=float, default=90)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="okr-suite.")
    have_audit = shutil.which("auditctl") is not None
    build_src = os.path.join(work, "build-src")
    shutil.copytree(os.path.join(ROOT, "..", "shared", "reference", "ebpf-c"), build_src)

    workloads = {
        "open": (lambda: rate_of(run([f"{a.ref}/open-storm", str(a.opens)])), "opens/s",
                 ["-a always,exit -F arch=b64 -S openat"]),
        "exec": (lambda: rate_of(run([f"{a.ref}/exec-storm", str(a.execs)])), "execs/s",
                 ["-a always,exit -F arch=b64 -S execve"]),
        "connect": (lambda: rate_of(run([f"{a.tools}/connect-storm", str(a.connects)])), "connects/s",
                    ["-a always,exit -F arch=b64 -S connect"]),
        "build": (lambda: build_rate(build_src), "builds/min",
                  ["-a always,exit -F arch=b64 -S openat -S execve -S connect"]),
    }
    configs = (["nothing", "reference"] + (["auditd"] if have_audit else []) + ["agent-all", "agent-default"]
               + (["baseline-default"] if a.baseline else []))
    rates = {(w, c): [] for w in workloads for c in configs}
    agent_runs = []
    for rnd in range(1, a.rounds + 1):
        # the A/B pair runs back to back, in alternating order, so a drift of the shared machine
        # does not always favour the same side
        order = list(configs)
        if a.baseline and rnd % 2 == 0:
            i, j = order.index("agent-default"), order.index("baseline-default")
            order[i], order[j] = order[j], order[i]
        for c in order:
            for w, r, extra in config_run(a, work, c, workloads):
                rates[(w, c)].append(r)
                if extra:
                    agent_runs.append(extra)
                log(f"round {rnd} {w:8s} {c:14s} {r:12.1f} {workloads[w][1]}" + (f"  {extra}" if extra else ""))

    zero_loss = zero_loss_run(a, work)
    sustained = paced_run(a, work, "sustained", a.sustain_rate, a.sustain_secs)
    latency = paced_run(a, work, "latency", a.latency_rate, a.latency_secs)
    idle = idle_run(a, work)
    write_report(a, workloads, configs, rates, agent_runs, zero_loss, sustained, latency, idle)
    shutil.rmtree(work, ignore_errors=True)


def build_rate(src):
    t = time.time()
    run(["make", "-B", "-s", "-C", src, f"OUT={src}/out"])
    return 60 / (time.time() - t)


def config_run(a, work, config, workloads):
    """Every workload under one configuration. An agent is started once and warmed up first (an
    agent runs for days: its JIT has long finished), then each workload is measured in turn."""
    out = []
    if config in ("nothing", "reference"):
        ref = Reference(f"{a.ref}/reference-consumer", work) if config == "reference" else None
        try:
            for w, (storm, _, _) in workloads.items():
                out.append((w, storm(), None))
        finally:
            if ref:
                ref.stop()
        return out
    if config == "auditd":
        for w, (storm, _, audit_rules) in workloads.items():
            aud = Auditd(audit_rules)
            try:
                out.append((w, storm(), None))
            finally:
                aud.stop()
        return out
    col = Collector(a.collector, work, config)
    agent = Agent(a.baseline if config.startswith("baseline") else a.launcher, work, config, col,
                  config.endswith("-all"))
    measured = []
    try:
        warm_up(agent, workloads, config)
        for w, (storm, _, _) in workloads.items():
            settle(agent, config, w)
            cpu0, jit0, ccpu0, t0 = (agent.stats.cpu_seconds(), agent.stats.jit_cpu_seconds(),
                                     col.stats.cpu_seconds(), time.time())
            r = storm()
            secs = time.time() - t0
            measured.append((w, r, {"config": config, "workload": w,
                                    "agent_cpu_share": (agent.stats.cpu_seconds() - cpu0) / secs,
                                    "agent_jit_share": (agent.stats.jit_cpu_seconds() - jit0) / secs,
                                    "collector_cpu_share": (col.stats.cpu_seconds() - ccpu0) / secs}))
    finally:
        totals = agent.stop()
        col.stop()
    totals["delivered"] = col.received()
    for w, r, extra in measured:
        extra.update({"peak_rss_mib": totals["peak_rss_mib"], "run_totals": totals})
        out.append((w, r, extra))
    return out


WARM_UP_MAX_PASSES = 10


def settle(agent, config, workload, quiet_share=0.05, max_secs=15):
    """Waits until the agent is idle (under 5 % of a core over half a second): otherwise the tail of
    the previous storm (records still being mapped and exported) is charged to the next workload,
    which made the clean build, measured right after the connect storm, look expensive."""
    deadline = time.time() + max_secs
    while time.time() < deadline:
        c0 = agent.stats.cpu_seconds()
        time.sleep(0.5)
        if agent.stats.cpu_seconds() - c0 < quiet_share * 0.5:
            return
    log(f"{config}: the agent was still busy {max_secs} s after the storm before {workload}")



def warm_up(agent, workloads, config):
    """Runs every workload twice, then the short storms again until the JIT has settled (its
    compiler threads under a tenth of the agent's CPU in a pass). An agent runs for days, so its
    steady state is what a host pays; measuring the first seconds measured C2 compiling the event
    path (docs/benchmarks.md), which is why short --quick storms are not enough on their own."""
    for _ in range(2):
        for storm, _, _ in workloads.values():
            storm()
    short = [storm for w, (storm, _, _) in workloads.items() if w != "build"]
    for n in range(1, WARM_UP_MAX_PASSES + 1):
        cpu0, jit0 = agent.stats.cpu_seconds(), agent.stats.jit_cpu_seconds()
        for storm in short:
            storm()
        cpu, jit = agent.stats.cpu_seconds() - cpu0, agent.stats.jit_cpu_seconds() - jit0
        if jit <= 0.1 * cpu:
            log(f"warm-up {config}: JIT settled after {n} extra pass(es) ({jit:.2f} of {cpu:.2f} CPU s)")
            return
    log(f"warm-up {config}: JIT still busy after {WARM_UP_MAX_PASSES} extra passes ({jit:.2f} of {cpu:.2f} CPU s)")


def paced_run(a, work, name, rate, secs):
    """The agent exporting every event while opens arrive at a fixed rate: delivery and latency."""
    kind = "file" if name == "latency" else "count"
    col = Collector(a.collector, work, name, kind)
    agent = Agent(a.launcher, work, name, col, True)
    target = os.path.join(work, f"paced-{name}")
    open(target, "w").close()
    try:
        out = run([f"{a.tools}/open-rate", str(rate), str(secs), target])
        time.sleep(3)
    finally:
        res = agent.stop()
        col.stop()
    achieved = rate_of(out)
    n = int(re.search(r"opens=(\d+)", out).group(1))
    lat = []
    delivered = 0
    if kind == "count":
        res.update({"rate": rate, "secs": secs, "achieved": achieved, "generated": n, "delivered": col.received()})
        log(f"{name}: {res}")
        return res
    with open(col.out) as f:
        for line in f:
            if target not in line:
                continue
            for rl in json.loads(line).get("resourceLogs", []):
                for sl in rl.get("scopeLogs", []):
                    for rec in sl.get("logRecords", []):
                        attrs = {x["key"]: x["value"] for x in rec.get("attributes", [])}
                        if attrs.get("file.path", {}).get("stringValue") != target:
                            continue
                        delivered += int(attrs.get("ksec.event.count", {}).get("intValue", 1))
                        recv = int(attrs["bench.received_ns"]["intValue"])
                        lat.append((recv - int(rec["timeUnixNano"])) / 1e6)
    os.remove(col.out)
    lat.sort()
    pct = (lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan"))
    res.update({"rate": rate, "secs": secs, "achieved": achieved, "generated": n, "delivered": delivered,
                "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": lat[-1] if lat else float("nan")})
    log(f"{name}: {res}")
    return res


def zero_loss_run(a, work):
    """A 10 s open storm with every event exported: how many of them reached the Collector."""
    col = Collector(a.collector, work, "zero-loss", "count")
    agent = Agent(a.launcher, work, "zero-loss", col, True)
    try:
        # open-storm counts opens, not seconds: size it from a 1 s probe to last the asked time
        probe = rate_of(run([f"{a.ref}/open-storm", "50000"]))
        n = int(probe * a.zero_loss_secs)
        out = run([f"{a.ref}/open-storm", str(n)])
        time.sleep(3)
    finally:
        res = agent.stop()
        col.stop()
    res.update({"opens": n + 50000, "delivered": col.received(), "storm_rate": rate_of(out),
                "storm_secs": float(re.search(r"secs=([0-9.]+)", out).group(1))})
    log(f"zero-loss: {res}")
    return res


def idle_run(a, work):
    col = Collector(a.collector, work, "idle")
    agent = Agent(a.launcher, work, "idle", col, False)
    try:
        # past start-up: the JIT keeps compiling for a minute or so after start, even on a quiet host
        time.sleep(a.idle_settle_secs)
        cpu0 = agent.stats.cpu_seconds()
        time.sleep(a.idle_secs)
        cpu = agent.stats.cpu_seconds() - cpu0
    finally:
        res = agent.stop()
        col.stop()
    res["idle_cpu_share"] = cpu / a.idle_secs
    log(f"idle: {res}")
    return res


def write_report(a, workloads, configs, rates, agent_runs, zero_loss, sustained, latency, idle):
    os.makedirs(a.out, exist_ok=True)
    med = {k: statistics.median(v) for k, v in rates.items()}
    L = []
    L.append(f"# Benchmark suite results\n")
    L.append(f"Generated by `bench/suite.sh` on {datetime.date.today().isoformat()} "
             f"({os.cpu_count()} CPUs, kernel {os.uname().release}); medians of {a.rounds} alternated rounds. "
             "Ratios are to \"nothing attached\" in the same run.\n")
    if a.baseline:
        rev = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(a.baseline)), "log", "-1", "--format=%h %cs"],
                             capture_output=True, text=True).stdout.strip() or "unknown"
        L.append(f"baseline-default: the agent of another checkout ({rev}) with the default policy, in the same rounds.\n")
    L.append("| workload | " + " | ".join(configs) + " |")
    L.append("|---|" + "---|" * len(configs))
    for w, (_, unit, _) in workloads.items():
        base = med[(w, "nothing")]
        cells = [f"{med[(w, c)]:.0f} ({med[(w, c)] / base:.2f})" for c in configs]
        L.append(f"| {w} ({unit}) | " + " | ".join(cells) + " |")
    L.append("")
    if a.baseline:
        L.append("agent-default against baseline-default, round by round (the pair runs back to back, in "
                 "alternating order; a ratio over 1 means this checkout was faster):\n")
        L.append("| workload | " + " | ".join(f"round {i + 1}" for i in range(a.rounds)) + " | median |")
        L.append("|---|" + "---|" * (a.rounds + 1))
        for w in workloads:
            pairs = [x / y for x, y in zip(rates[(w, "agent-default")], rates[(w, "baseline-default")])]
            L.append(f"| {w} | " + " | ".join(f"{p:.2f}" for p in pairs) + f" | {statistics.median(pairs):.2f} |")
        L.append("")
    L.append("Agent cost under the measured storms (median over rounds; lost: kernel ring buffer + queues + "
             "failed exports, all counted by the agent; delivered: records the Collector counted, background "
             "included):\n")
    L.append("| workload | agent | agent CPU (cores) | of which JIT | Collector CPU (cores) |")
    L.append("|---|---|---|---|---|")
    agents = [c for c in configs if c.startswith(("agent-", "baseline-"))]
    for w in workloads:
        for c in agents:
            runs = [r for r in agent_runs if r["workload"] == w and r["config"] == c]
            if runs:
                L.append(f"| {w} | {c} | {statistics.median(r['agent_cpu_share'] for r in runs):.2f} | "
                         f"{statistics.median(r['agent_jit_share'] for r in runs):.2f} | "
                         f"{statistics.median(r['collector_cpu_share'] for r in runs):.2f} |")
    L.append("")
    L.append("| agent (all workloads, warm-up included, all rounds) | peak RSS MiB | received | lost | delivered |")
    L.append("|---|---|---|---|---|")
    for c in agents:
        seen = {}
        for r in agent_runs:
            if r["config"] == c:
                seen[id(r["run_totals"])] = r["run_totals"]
        t = list(seen.values())
        if t:
            L.append(f"| {c} | {max(x['peak_rss_mib'] for x in t):.0f} | {sum(x['received'] for x in t)} | "
                     f"{sum(x['lost'] for x in t)} | {sum(x['delivered'] for x in t)} |")
    L.append("")
    L.append("## Targets\n")
    L.append("| target | measured | met |")
    L.append("|---|---|---|")

    def row(name, measured, ok):
        L.append(f"| {name} | {measured} | {'yes' if ok else '**no**'} |")

    ref_ratio = med[("open", "reference")] / med[("open", "nothing")]
    all_ratio = med[("open", "agent-all")] / med[("open", "nothing")]
    row("open storm, every event to the Collector: zero loss over 10 s",
        f"{zero_loss['delivered']} records at the Collector for {zero_loss['opens']} opens; lost {zero_loss['lost']} "
        f"(kernel {zero_loss['kernel_lost']}); storm {zero_loss['storm_secs']:.1f} s at {zero_loss['storm_rate']:.0f}/s",
        zero_loss["delivered"] >= zero_loss["opens"] and zero_loss["lost"] == 0)
    row("open storm, every event: ratio >= 0.9 x the reference consumer's",
        f"{all_ratio:.2f} vs reference {ref_ratio:.2f} = {all_ratio / ref_ratio:.2f}x", all_ratio >= 0.9 * ref_ratio)
    dflt = med[("open", "agent-default")] / med[("open", "nothing")]
    row("open storm on paths the policy excludes: ratio >= 0.85", f"{dflt:.2f}", dflt >= 0.85)
    # every exec is exported under either policy; the default one does not also export every file the
    # spawned programs open, which agent-all does
    ex = med[("exec", "agent-default")] / med[("exec", "nothing")]
    ex_all = med[("exec", "agent-all")] / med[("exec", "nothing")]
    exec_lost = sum(r["run_totals"]["lost"] for r in agent_runs if r["config"] == "agent-default"
                    and r["workload"] == "exec")
    row("exec storm: ratio >= 0.85, every exec delivered (default policy)",
        f"{ex:.2f} (agent-all: {ex_all:.2f}); lost in the default-policy runs: {exec_lost}", ex >= 0.85 and exec_lost == 0)
    row(f"sustained {sustained['secs']:.0f} s at {sustained['rate']} events/s, zero loss",
        f"generator reached {sustained['achieved']:.0f}/s; {sustained['delivered']} records at the Collector for "
        f"{sustained['generated']} opens; lost {sustained['lost']} (kernel {sustained['kernel_lost']})",
        sustained["delivered"] >= sustained["generated"] and sustained["lost"] == 0
        and sustained["achieved"] >= 0.95 * sustained["rate"])
    peak = max([r["peak_rss_mib"] for r in agent_runs] + [zero_loss["peak_rss_mib"], sustained["peak_rss_mib"]])
    row("peak RSS under storm <= 256 MiB", f"{peak:.0f} MiB", peak <= 256)
    row("idle CPU < 1 % of a core", f"{100 * idle['idle_cpu_share']:.2f} %", idle["idle_cpu_share"] < 0.01)
    row(f"kernel -> Collector latency p99 < 1.5 s at {latency['rate']} events/s",
        f"p50 {latency['p50_ms']:.0f} ms, p99 {latency['p99_ms']:.0f} ms, max {latency['max_ms']:.0f} ms "
        f"({latency['delivered']} of {latency['generated']} delivered)", latency["p99_ms"] < 1500)
    if "auditd" in configs:
        slow_agent = 1 - all_ratio
        slow_audit = 1 - med[("open", "auditd")] / med[("open", "nothing")]
        row("at least 5x less slowdown than auditd on the open storm (every event, both)",
            f"agent {slow_agent:.2f}, auditd {slow_audit:.2f} = {slow_audit / max(slow_agent, 1e-9):.1f}x",
            slow_audit >= 5 * slow_agent)
    L.append("")
    L.append("Raw rounds: " + json.dumps({f"{w}/{c}": [round(x, 1) for x in v] for (w, c), v in rates.items()}))
    L.append("")
    L.append("![rate against configuration](rates.svg)")
    with open(os.path.join(a.out, "suite.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    with open(os.path.join(a.out, "rates.svg"), "w") as f:
        f.write(svg(workloads, configs, med))
    print("\n".join(L))


def svg(workloads, configs, med):
    """Grouped bars: rate as a ratio of nothing attached, per workload and configuration."""
    colors = ["#888888", "#4477aa", "#cc6677", "#228833", "#ccbb44"]
    bw, gap, h, top, left = 18, 30, 220, 30, 50
    width = left + len(workloads) * (len(configs) * bw + gap) + 160
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h + top + 60}" font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="16">workload rate as a ratio of nothing attached (median)</text>']
    for i in range(0, 6):
        y = top + h - i * h / 5
        out.append(f'<line x1="{left}" x2="{width - 160}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                   f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{i / 5:.1f}</text>')
    x = left + gap / 2
    for w in workloads:
        base = med[(w, "nothing")]
        for j, c in enumerate(configs):
            r = min(med[(w, c)] / base, 1.2)
            out.append(f'<rect x="{x + j * bw}" y="{top + h - r * h}" width="{bw - 2}" height="{r * h}" '
                       f'fill="{colors[j % len(colors)]}"><title>{w} {c}: {med[(w, c)] / base:.2f}</title></rect>')
        out.append(f'<text x="{x + len(configs) * bw / 2}" y="{top + h + 16}" text-anchor="middle">{w}</text>')
        x += len(configs) * bw + gap
    for j, c in enumerate(configs):
        out.append(f'<rect x="{width - 150}" y="{top + j * 18}" width="12" height="12" fill="{colors[j % len(colors)]}"/>'
                   f'<text x="{width - 132}" y="{top + j * 18 + 10}">{c}</text>')
    out.append("</svg>\n")
    return "\n".join(out)


if __name__ == "__main__":
    main()
