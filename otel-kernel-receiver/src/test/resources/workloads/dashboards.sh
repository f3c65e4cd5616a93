#!/bin/sh
# What the dashboards look for beyond catalog.py, done for real in DIR (a directory under /tmp):
# a program run from /tmp, a shell started in a new pid namespace (a container's entry), a setuid
# bit, a back-dated file, a removed shell history, a change under /etc.
#   dashboards.sh DIR TAG
set -e
dir=$1 tag=$2
cd "$dir"
cp /bin/true ./dropped-true && ./dropped-true "$tag"
unshare --pid --fork sh -c "sh -c 'exit 0'"
echo x > suid && chmod 4755 suid
touch -d 2001-02-03T04:05:06Z suid
echo "history" > .bash_history && rm .bash_history
echo "$tag" > "/etc/ksec-e2e-$tag" && rm "/etc/ksec-e2e-$tag"
