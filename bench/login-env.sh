# Sourced by the exec benchmarks: what an interactive login's environment looks like, in size and
# count (about 40 variables and 3 KB with the caller's, none of them in the default env_vars), so
# that the exec probe's environment scan is measured on a realistic environment.
for i in $(seq 1 30); do export "KT_BENCH_VAR_$i=/usr/local/share/kt-bench/$i:/opt/kt-bench/lib/$i:/home/kt/.local/$i"; done
export XDG_SESSION_TYPE=tty XDG_RUNTIME_DIR=/run/user/1000 LANG=en_US.UTF-8 SHELL=/bin/bash
export LS_COLORS="rs=0:di=01;34:ln=01;36:mh=00:pi=40;33:so=01;35:do=01;35:bd=40;33;01:cd=40;33;01:or=40;31;01:mi=00"
