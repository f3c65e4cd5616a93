#!/usr/bin/env bash
# Builds the Debian package: a jlink runtime with just the modules the agent's jar uses, the jar
# (the compiled BPF object is inside it), the launcher, the config and the systemd unit, laid out
# as Debian expects. Run by the Maven build (packaging/pom.xml, profile deb):
#   build-deb.sh MAVEN_VERSION AGENT_JAR JAVA_HOME OUT_DIR
# Prints the .deb's path.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
maven_version=$1 jar=$2 java_home=$3 out=$4

# 0.1.0-SNAPSHOT sorts before 0.1.0 in Debian's order only as 0.1.0~snapshot
version=$(printf '%s' "$maven_version" | sed 's/-SNAPSHOT$/~snapshot/; s/-/~/g')
stage="$out/deb-root"
lib="$stage/usr/lib/otel-kernel-receiver"
rm -rf "$stage"
mkdir -p "$lib" "$stage/usr/bin" "$stage/etc/otel-kernel-receiver" "$stage/lib/systemd/system" \
  "$stage/usr/share/doc/otel-kernel-receiver" "$stage/DEBIAN"

# The runtime: the modules jdeps finds in the jar, plus java.logging (its log handler is chosen
# by configuration, not by a reference jdeps can see). Linked from the build's own JDK.
modules=$("$java_home/bin/jdeps" --ignore-missing-deps --multi-release 25 --print-module-deps "$jar")
"$java_home/bin/jlink" --add-modules "$modules,java.logging" --strip-debug --no-header-files \
  --no-man-pages --compress=zip-6 --output "$lib/runtime"
# no class data sharing archive to go stale, and nothing in the image writable but by root
install -m 0644 "$jar" "$lib/otel-kernel-receiver.jar"
install -m 0644 "$ROOT/bin/run-agent.sh" "$lib/run-agent.sh"
install -m 0644 "$ROOT/bin/jvm.options" "$lib/jvm.options"
install -m 0755 "$HERE/deb/otel-kernel-receiver" "$stage/usr/bin/otel-kernel-receiver"
install -m 0644 "$HERE/deb/otel-kernel-receiver.service" "$stage/lib/systemd/system/"
# the config may hold exporter credentials: root only
chmod 0700 "$stage/etc/otel-kernel-receiver"
install -m 0600 "$HERE/deb/agent.yaml" "$stage/etc/otel-kernel-receiver/agent.yaml"
gzip -9n <"$ROOT/README.md" >"$stage/usr/share/doc/otel-kernel-receiver/README.md.gz"

for f in postinst prerm postrm; do install -m 0755 "$HERE/deb/$f" "$stage/DEBIAN/$f"; done
install -m 0644 "$HERE/deb/conffiles" "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed "s/@VERSION@/$version/; s/@INSTALLED_SIZE@/$size/" "$HERE/deb/control" >"$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f ! -path './etc/*' -printf '%P\0' \
  | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$stage/DEBIAN/md5sums"

deb="$out/otel-kernel-receiver_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz -z6 --build "$stage" "$deb" >/dev/null
echo "$deb"
