# Shared by the bin/ scripts: locating JDK 25, building from the checkout, installing build dependencies.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

die() { echo "error: $*" >&2; exit 1; }

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

# Sets JAVA_HOME to a JDK 25 or newer: $JAVA_HOME if it is one, else one in /usr/lib/jvm.
find_java() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/*-25-* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    local major
    major=$(java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      # Maven's bundled Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every run
      MAVEN_JDK25_OPTS="--sun-misc-unsafe-memory-access=allow"
      return 0
    fi
  done
  die "a JDK 25 or newer is needed (the agent uses the Foreign Function & Memory API): install one (e.g. Temurin 25 in /usr/lib/jvm) or set JAVA_HOME"
}

# Whether a jar built from this checkout is missing, or older than the root pom or any file under
# the paths given. An installed copy without the sources is never stale: there is nothing to build.
stale() {
  local jar=$1
  shift
  [ ! -f "$jar" ] && return 0
  [ -f "$ROOT/pom.xml" ] || return 1
  [ -n "$(find "$ROOT/pom.xml" "$@" -newer "$jar" -type f -print -quit 2>/dev/null)" ]
}

# Building runs Maven, and the build's plugins, with the caller's rights: as root, only from a
# checkout nobody else can change (owned by root, not writable by group or others, up to /).
build_allowed() {
  [ "$(id -u)" -ne 0 ] && return 0
  local d="$ROOT"
  while :; do
    read -r uid mode < <(stat -c '%u %a' "$d")
    if [ "$uid" -ne 0 ]; then
      die "refusing to build as root in $ROOT: $d belongs to uid $uid, who could change what root runs; build it as that user (mvn package), or chown -R root $ROOT"
    fi
    if [ $((8#$mode & 8#022)) -ne 0 ] && [ $((8#$mode & 8#1000)) -eq 0 ]; then
      die "refusing to build as root in $ROOT: $d is writable by group or others (mode $mode); chmod go-w $d"
    fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
  # and what the build reads inside it (build output and git's own files aside)
  local bad
  bad=$(find "$ROOT" \( -name target -o -name .git \) -prune -o \( ! -uid 0 -o \( ! -type l \( -perm -0002 -o -perm -0020 \) \) \) \
    -print -quit 2>/dev/null)
  [ -z "$bad" ] || die "refusing to build as root in $ROOT: $bad belongs to another user or is writable by group or others; build it as its owner (mvn package), or fix ownership and modes"
}

# Builds WHAT with mvn package and the Maven arguments given (log in target/build.log).
build() {
  local what=$1
  shift
  echo "building $what (mvn package, log in $ROOT/target/build.log)…" >&2
  mkdir -p "$ROOT/target"
  (cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} $MAVEN_JDK25_OPTS" mvn -B -ntp package -DskipTests "$@" >"$ROOT/target/build.log" 2>&1) \
    || { tail -n 30 "$ROOT/target/build.log" >&2; die "the build failed: see $ROOT/target/build.log"; }
}

# Debian packages the build and the probes need; installed only when missing.
install_build_deps() {
  local need=()
  command -v clang >/dev/null || need+=(clang)
  command -v llvm-strip >/dev/null || need+=(llvm)
  command -v make >/dev/null || need+=(make)
  command -v mvn >/dev/null || need+=(maven)
  [ -e /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
  [ -e /usr/include/asm-generic/errno.h ] || need+=(linux-libc-dev) # syscall and errno names
  ldconfig -p 2>/dev/null | grep -q 'libbpf\.so\.1 ' || need+=(libbpf1)
  command -v bpftool >/dev/null || [ -x /usr/sbin/bpftool ] || need+=(bpftool)
  command -v setpriv >/dev/null || need+=(util-linux)
  command -v python3 >/dev/null || need+=(python3) # workloads of the integration tests
  apt_install "${need[@]}"
}

# What only the test suite needs on top: the FUSE server of the stuck-file-system test.
install_test_deps() {
  local need=()
  command -v cc >/dev/null || need+=(gcc)
  command -v pkg-config >/dev/null || need+=(pkgconf)
  [ -e /usr/include/fuse3/fuse.h ] || need+=(libfuse3-dev)
  apt_install "${need[@]}"
}

# The Python the detection tests convert Sigma rules and evaluate EQL with: a virtual environment
# of elastic-integration's pinned requirements (pySigma, its Elasticsearch backend, eql), built once
# per requirements file in the cache and reused. Prints its python.
detection_python() {
  local req="$ROOT/elastic-integration/src/main/resources/sigma/requirements.txt"
  local hash venv
  hash=$(sha256sum "$req" | cut -c1-16)
  venv="${KSEC_PYTHON_CACHE:-/var/cache/otel-kernel-receiver/python}/$hash"
  if [ ! -x "$venv/bin/python" ] || [ ! -e "$venv/.complete" ]; then
    python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv
    rm -rf "$venv"
    echo "installing the detection tests' Python packages into $venv (pip, from PyPI)…" >&2
    python3 -m venv "$venv" >&2 || die "python3 -m venv $venv failed"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2 \
      || die "pip install -r $req failed: the detection tests need PyPI (pysigma, pySigma-backend-elasticsearch, eql)"
    touch "$venv/.complete"
  fi
  echo "$venv/bin/python"
}

# Installs the Debian packages named, when there are any.
apt_install() {
  local need=("$@")
  [ ${#need[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages: ${need[*]}: run this as root (sudo) to install them, or: apt-get install ${need[*]}"
  command -v apt-get >/dev/null || die "missing packages: ${need[*]}: install them with your distribution's package manager"
  echo "installing: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 || die "apt-get install ${need[*]} failed"
}
