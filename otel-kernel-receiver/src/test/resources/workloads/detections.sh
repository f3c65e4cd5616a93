#!/bin/sh
# The behaviours the detection tests' rules look for, each harmless and done for real: the Sigma rules
# of elastic-integration/src/test/resources/sigma/rules and the prebuilt-style rules of
# elastic-integration/src/test/resources/detection. Loopback only; files under DIR and /tmp.
#   detections.sh DIR TAG CLOSED_PORT
set -u
dir=$1 tag=$2 closed=$3
cd "$dir"
# curl sending a local file off the host (to a closed loopback port: the exec is the evidence)
curl -s --max-time 2 --upload-file /etc/hostname "http://127.0.0.1:$closed/$tag" >/dev/null 2>&1
# a shell unpacking a base64 payload
bash -c "echo a3NlYwo= | base64 -d >/dev/null; true"
# a file created under the cron stand-in, and a shell history stand-in removed
touch "/tmp/ksec-sigma-cron-$tag" && rm -f "/tmp/ksec-sigma-cron-$tag"
echo x >"$tag.ksec-sigma-history" && rm -f "$tag.ksec-sigma-history"
# a shell opening a connection to port 4444 itself (/dev/tcp), as a reverse shell does; nothing
# listens there, so the attempt is refused: the connect record is the evidence either way
bash -c "exec 3<>/dev/tcp/127.0.0.1/4444" 2>/dev/null
# a program dropped in /tmp, made executable and run, as an implant is (a prebuilt-style EQL sequence)
cp /bin/true "/tmp/ksec-dropped-$tag" && chmod +x "/tmp/ksec-dropped-$tag" && "/tmp/ksec-dropped-$tag"
rm -f "/tmp/ksec-dropped-$tag"
# a program run with a library preloaded, and a shell with its history switched off (the
# environment variables are the evidence; the library does not exist, the loader just says so)
LD_PRELOAD="/nonexistent/ksec-hook-$tag.so" /bin/true 2>/dev/null
HISTFILE=/dev/null bash -c true
exit 0
