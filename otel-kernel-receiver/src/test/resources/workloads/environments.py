"""
Real execs for EnvironmentCaptureIT: /bin/true run with chosen environments, each tagged by its
first argument. The environments are what an attacker controls: secrets beside listed variables,
padding meant to push a variable past the probe's reach, values longer than it keeps.

usage: environments.py TAG
"""
import subprocess
import sys

tag = sys.argv[1]
PRELOAD = "LD_PRELOAD=/nonexistent/libhook-%s.so" % tag


def run(case, env):
    """env: NAME=VALUE strings, passed to the exec in this order."""
    envp = dict(e.split("=", 1) for e in env)
    subprocess.run(["/bin/true", "%s-%s" % (tag, case)], env=envp, check=True,
                   stderr=subprocess.DEVNULL)


run("secrets", ["PATH=/usr/bin:/bin", PRELOAD, "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY",
                "HISTFILE=/dev/null", "https_proxy=http://bob:hunter2@proxy.example.com:3128",
                "GITHUB_TOKEN=ghp_" + "a" * 36])
run("none", ["PATH=/usr/bin:/bin", "HOME=/root"])
# 10 variables of 120 KiB (the kernel keeps 128 KiB per string) before the one that matters
run("padded-long", ["P%d=%s" % (i, "x" * 120000) for i in range(10)] + [PRELOAD])
# more short variables than the probe reads: what comes after them is not seen, and it says so
run("padded-many", ["HISTFILE=/dev/null"] + ["V%d=1" % i for i in range(5000)] + [PRELOAD])
run("long-value", ["LD_LIBRARY_PATH=" + "/lib" * 1500])
print("done")
