#!/usr/bin/env bash
# A real one-node SLURM cluster on this machine, for tests of profiles/slurm (tests/test_slurm.py).
#
#   tests/slurm/cluster.sh start    install slurm-wlm + munge if missing, start munged, slurmctld, slurmd;
#                                   return once sinfo shows the node idle (a no-op when already up)
#   tests/slurm/cluster.sh status   daemons and node state; exit 0 only when the node takes jobs
#   tests/slurm/cluster.sh stop     cancel leftover jobs, stop the daemons by pid file (TERM, then KILL)
#   tests/slurm/cluster.sh env      print `export SLURM_CONF=...` for client commands in another shell
#
# Everything (munge key, socket, slurm.conf, spool, state, pid and log files) lives under one folder,
# $REELSUB_SLURM_STATE (default /tmp/reelsub-slurm). Needs root: slurmd runs jobs as their user.
# No systemd, cgroups or accounting database. See docs/slurm-single-node.md for why each
# setting is what it is (MinJobAge=600 above all: squeue must still see finished jobs, because
# without accounting sacct fails and the snakemake slurm plugin would wait forever).
set -euo pipefail

STATE=${REELSUB_SLURM_STATE:-/tmp/reelsub-slurm}
NODE=$(hostname -s)
CONF=$STATE/slurm.conf
MUNGE_DIR=$STATE/munge
SOCKET=$MUNGE_DIR/munge.socket
CTLD_PORT=${REELSUB_SLURM_CTLD_PORT:-6817}
SLURMD_PORT=${REELSUB_SLURM_SLURMD_PORT:-6818}
SYSTEM_CONF=/etc/slurm/slurm.conf
export SLURM_CONF=$CONF

log() { echo "cluster.sh: $*" >&2; }
die() { log "$*"; exit 1; }

install_if_missing() {
    local missing=()
    for tool in sbatch squeue sinfo scontrol slurmctld slurmd munged; do
        command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "missing ${missing[*]}: installing slurm-wlm and munge with apt-get"
    [ "$(id -u)" = 0 ] || die "not root: install slurm-wlm and munge (sudo apt-get install slurm-wlm munge)"
    command -v apt-get >/dev/null || die "no apt-get: install slurm-wlm and munge by hand"
    export DEBIAN_FRONTEND=noninteractive
    # The package scripts must not start daemons of their own (there is no init system to ask).
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; } \
        || die "apt-get could not install slurm-wlm and munge"
}

pid_alive() {  # pid_alive FILE: the process in FILE is running
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

write_config() {
    mkdir -p "$STATE"/{spool,state,log,run} "$MUNGE_DIR"
    chmod 0700 "$MUNGE_DIR"
    local cpus mem_mb
    cpus=$(nproc)
    mem_mb=$(awk '/^MemTotal:/ {printf "%d", $2 / 1024 * 0.8}' /proc/meminfo)
    cat >"$CONF.new" <<EOF
# Written by tests/slurm/cluster.sh: a one-node cluster for tests. Do not edit; it is rewritten on start.
ClusterName=reelsub
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
# squeue must still list a finished job when the plugin asks (it falls back to sacct below 3x its interval).
MinJobAge=600
DefMemPerCPU=512
SchedulerType=sched/backfill
MpiDefault=none
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.new" "$CONF"
    # Client commands without SLURM_CONF (e.g. run by snakemake's plugin) read /etc/slurm/slurm.conf.
    # Link it to ours unless a real cluster's config is there.
    mkdir -p /etc/slurm
    if [ -L "$SYSTEM_CONF" ] || [ ! -e "$SYSTEM_CONF" ]; then
        ln -sfn "$CONF" "$SYSTEM_CONF"
    elif [ "$(readlink -f "$SYSTEM_CONF")" != "$(readlink -f "$CONF")" ]; then
        log "leaving $SYSTEM_CONF alone (not ours): client commands need SLURM_CONF=$CONF"
    fi
}

start_munge() {
    pid_alive "$MUNGE_DIR/munged.pid" && return 0
    if [ ! -s "$MUNGE_DIR/munge.key" ]; then
        dd if=/dev/urandom of="$MUNGE_DIR/munge.key" bs=1024 count=1 status=none
        chmod 0400 "$MUNGE_DIR/munge.key"
    fi
    rm -f "$SOCKET" "$SOCKET.lock"
    # --force: /tmp is world-writable, which munged's directory checks would refuse.
    munged --force --socket="$SOCKET" --key-file="$MUNGE_DIR/munge.key" --pid-file="$MUNGE_DIR/munged.pid" \
        --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed" \
        || die "munged did not start: $(tail -5 "$MUNGE_DIR/munged.log" 2>/dev/null)"
    for _ in $(seq 50); do [ -S "$SOCKET" ] && return 0; sleep 0.1; done
    die "munged started but made no socket $SOCKET"
}

start_slurm() {
    if ! pid_alive "$STATE/run/slurmctld.pid"; then
        # -c: a clean start, no jobs or node states from an earlier cluster in this folder.
        slurmctld -c -f "$CONF" || die "slurmctld did not start: $(tail -5 "$STATE/log/slurmctld.log" 2>/dev/null)"
    fi
    if ! pid_alive "$STATE/run/slurmd.pid"; then
        slurmd -f "$CONF" -N "$NODE" || die "slurmd did not start: $(tail -5 "$STATE/log/slurmd.log" 2>/dev/null)"
    fi
}

node_state() {
    sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -1
}

wait_until_idle() {
    local state=""
    for _ in $(seq 120); do
        state=$(node_state || true)
        case "$state" in
            idle|mixed|allocated|completing) return 0 ;;
            down*|drain*|fail*|unknown*)
                # A node left down by an earlier run (or not yet registered) comes back on resume.
                scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true ;;
        esac
        sleep 0.5
    done
    die "node $NODE is '${state:-not listed}' after 60 s; see $STATE/log/slurmctld.log and $STATE/log/slurmd.log"
}

stop_pid() {  # stop_pid NAME FILE
    local file=$2 pid
    [ -s "$file" ] || return 0
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            log "$1 ($pid) ignored TERM for 10 s: KILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$file"
}

daemons_up() {
    pid_alive "$MUNGE_DIR/munged.pid" && pid_alive "$STATE/run/slurmctld.pid" && pid_alive "$STATE/run/slurmd.pid"
}

case "${1:-}" in
    start)
        install_if_missing
        PATH=$PATH:/usr/sbin:/sbin
        if daemons_up && [ -e "$CONF" ]; then
            wait_until_idle
            log "already running ($NODE: $(node_state))"
            exit 0
        fi
        write_config
        start_munge
        start_slurm
        wait_until_idle
        log "up: node $NODE $(node_state), state in $STATE"
        ;;
    stop)
        if pid_alive "$STATE/run/slurmctld.pid"; then
            scancel --quiet --partition=debug 2>/dev/null || true
        fi
        stop_pid slurmd "$STATE/run/slurmd.pid"
        stop_pid slurmctld "$STATE/run/slurmctld.pid"
        stop_pid munged "$MUNGE_DIR/munged.pid"
        # A config naming a controller that is gone makes every later SLURM client wait for it
        # (snakemake's slurm plugin runs scontrol on import: 9 s per snakemake start).
        if [ -L "$SYSTEM_CONF" ] && [ "$(readlink "$SYSTEM_CONF")" = "$CONF" ]; then
            rm -f "$SYSTEM_CONF"
        fi
        log "stopped"
        ;;
    status)
        for daemon in munged:"$MUNGE_DIR/munged.pid" slurmctld:"$STATE/run/slurmctld.pid" slurmd:"$STATE/run/slurmd.pid"; do
            if pid_alive "${daemon#*:}"; then echo "${daemon%%:*}: running ($(cat "${daemon#*:}"))"
            else echo "${daemon%%:*}: stopped"; fi
        done
        daemons_up || exit 1
        state=$(node_state || true)
        echo "node $NODE: ${state:-not listed}"
        case "$state" in idle|mixed|allocated|completing) exit 0 ;; *) exit 1 ;; esac
        ;;
    env)
        echo "export SLURM_CONF=$CONF"
        ;;
    *)
        echo "usage: $0 start|stop|status|env   (state in \$REELSUB_SLURM_STATE, default /tmp/reelsub-slurm)" >&2
        exit 2
        ;;
esac
