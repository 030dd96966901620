#!/usr/bin/env python3
"""`make bench-paths`: where a server's CPU per query goes, ClusterDNS beside Knot, in one run.

The UDP mix of `make bench` (dnsperf on core 0, each server alone in the cpuset of core 1), once
per server per round, interleaved. For each run it reports, per answered query:
- the server's CPU (utime + stime of its processes, as `make bench` reads it), user and system;
- the system calls made on the server core (receive, send, event waits), the datagrams each
  receive call took, context switches, wake-ups done on the core and IPIs it received
  (`perf stat` tracepoints on core 1);
- the CPU by path (`perf record` of core 1, call graphs): the receive call, the send call, the
  delivery of the replies into the client's socket that the send runs (softirq on the server's
  core), the server's own code, and the rest.

    bench/query_paths.py [--size M] [--seconds 5] [--rounds 2] [--binary .build/release/clusterdns]

Needs root (tracepoints) and perf (Debian's linux-perf). Prints a Markdown table. The script and
perf run on the client's core; the samples counted are the server's threads'.
"""
import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402

COUNTED = [
    ("syscalls:sys_enter_recvmmsg", "recvmmsg"),
    ("syscalls:sys_enter_recvmsg", "recvmsg"),
    ("syscalls:sys_enter_recvfrom", "recvfrom"),
    ("syscalls:sys_enter_sendmmsg", "sendmmsg"),
    ("syscalls:sys_enter_sendmsg", "sendmsg"),
    ("syscalls:sys_enter_sendto", "sendto"),
    ("syscalls:sys_enter_epoll_wait", "epoll_wait"),
    ("syscalls:sys_enter_poll", "poll"),
    ("syscalls:sys_enter_ppoll", "ppoll"),
    ("sched:sched_switch", "switches"),
    ("sched:sched_wakeup", "wake-ups"),
    ("irq_vectors:call_function_single_entry", "IPIs in"),
]
FREQUENCY = 4999
PATHS = ["receive", "send", "send: delivery to the client", "server code", "event wait", "other kernel"]


def classify(stack):
    """A sample's path from its call chain (leaf first); None for the idle loop."""
    joined = " ".join(stack)
    if "do_idle" in joined or "pv_native_safe_halt" in joined or "cpu_startup_entry" in joined:
        return None
    if "__x64_sys_sendmmsg" in joined or "__x64_sys_sendmsg" in joined or "__x64_sys_sendto" in joined:
        return "send: delivery to the client" if ("do_softirq" in joined or "handle_softirqs" in joined) else "send"
    if "__x64_sys_recvmmsg" in joined or "__x64_sys_recvmsg" in joined or "__x64_sys_recvfrom" in joined:
        return "receive"
    if "__x64_sys_epoll_wait" in joined or "__x64_sys_poll" in joined or "__x64_sys_ppoll" in joined:
        return "event wait"
    if stack and stack[0].startswith("[k]"):
        return "other kernel"
    return "server code"


def perf_paths(data, pids):
    """Samples per path from `perf script` output of a call-graph recording, counting only the
    samples of the server's threads (`pids`): softirq work done in their context included."""
    script = subprocess.run(["perf", "script", "-i", data, "-F", "tid,ip,sym,dso"], capture_output=True, text=True).stdout
    counts = collections.Counter()
    stack = []
    owner = None

    def flush():
        if stack and owner in pids:
            path = classify(stack)
            if path:
                counts[path] += 1

    for line in script.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
            stack.clear()
            owner = None
            continue
        if not line.startswith("\t"):
            # A sample's first line: the thread id.
            try:
                owner = int(stripped.split()[0])
            except ValueError:
                owner = None
            continue
        parts = stripped.split(None, 1)
        if len(parts) == 2:
            symbol = parts[1]
            stack.append(("[k]" if "kernel" in symbol else "") + symbol)
    flush()
    return counts


def thread_ids(pid):
    """Every thread of the server's processes."""
    threads = set()
    for process in run.descendants(pid):
        try:
            threads.update(int(entry) for entry in os.listdir(f"/proc/{process}/task"))
        except OSError:
            continue
    return threads


def measure(server, queries, seconds):
    """One dnsperf run against `server`, under perf stat and perf record of the server core."""
    events = ",".join(name for name, _ in COUNTED)
    with tempfile.TemporaryDirectory() as scratch:
        stat_out = os.path.join(scratch, "stat.txt")
        record_out = os.path.join(scratch, "perf.data")
        window = max(1, seconds - 1)
        stat = subprocess.Popen(["perf", "stat", "-C", run.SERVER_CORE, "-e", events, "-x", ",", "-o", stat_out, "--",
                                 "sleep", str(window)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        record = subprocess.Popen(["perf", "record", "-C", run.SERVER_CORE, "-F", str(FREQUENCY), "-g", "-o", record_out,
                                   "--", "sleep", str(window)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        threads = thread_ids(server.process.pid)
        user0, system0 = cpu_split(server.process.pid)
        result = run.dnsperf(server.port, queries, seconds)
        user1, system1 = cpu_split(server.process.pid)
        stat.wait()
        record.wait()
        answered = max(1, result["completed"])
        in_window = max(1.0, result["qps"] * window)
        counted = {}
        with open(stat_out) as handle:
            for line in handle:
                fields = line.strip().split(",")
                if len(fields) > 2 and fields[0].replace(".", "").isdigit():
                    counted[fields[2]] = float(fields[0]) / in_window
        paths = {path: samples / FREQUENCY / in_window * 1e6 for path, samples in perf_paths(record_out, threads).items()}
    return {
        "qps": result["qps"],
        "user_us": (user1 - user0) / answered * 1e6,
        "system_us": (system1 - system0) / answered * 1e6,
        "counted": counted,
        "paths": paths,
    }


def cpu_split(pid):
    user = system = 0
    ticks = os.sysconf("SC_CLK_TCK")
    for process in run.descendants(pid):
        try:
            with open(f"/proc/{process}/stat") as handle:
                stat = handle.read()
            fields = stat[stat.rindex(")") + 2:].split()
            user += int(fields[11])
            system += int(fields[12])
        except (OSError, ValueError):
            continue
    return user / ticks, system / ticks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M", choices=sorted(run.SIZES))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--binary", default=run.BIN)
    args = parser.parse_args()
    # This script, perf and their helpers stay on the client's core: the server's core holds the
    # server alone, and its counts and samples are the server's.
    os.sched_setaffinity(0, {int(run.CLIENT_CORE)})
    run.BIN = args.binary  # the zones and queries from the build measured

    directory, manifests = run.generate(args.size, "covered")
    flags = run.LAYOUT_FLAGS["covered"]
    whole, zones = run.dump_zones(directory, manifests, flags)
    queries = run.make_queries(directory, whole)["mix"]
    results = collections.defaultdict(list)
    for _ in range(args.rounds):
        for kind in ("ClusterDNS", "Knot"):
            port = run.free_port()
            if kind == "Knot":
                server = run.start_knot(zones, port, os.path.join(directory, "knot"))
            else:
                server = run.start_clusterdns(manifests, port, flags=flags, binary=args.binary)
            try:
                if not run.wait_answering(port, "kubernetes.default.svc.cluster.local", process=server.process):
                    sys.exit(f"{kind} did not answer")
                time.sleep(0.5)
                results[kind].append(measure(server, queries, args.seconds))
            finally:
                server.stop()

    def median(kind, pick):
        values = [pick(result) for result in results[kind]]
        return statistics.median(values) if values else 0.0

    kinds = ["ClusterDNS", "Knot"]
    print(f"UDP mix at {args.size}, {args.rounds} × {args.seconds} s each, interleaved; medians per answered query.\n")
    print("| per answered query | " + " | ".join(kinds) + " |")
    print("| --- | " + " | ".join("---" for _ in kinds) + " |")
    print("| QPS | " + " | ".join(f"{median(k, lambda r: r['qps']):,.0f}" for k in kinds) + " |")
    print("| CPU, µs (user + system) | " + " | ".join(
        f"{median(k, lambda r: r['user_us'] + r['system_us']):.2f} ({median(k, lambda r: r['user_us']):.2f} + "
        f"{median(k, lambda r: r['system_us']):.2f})" for k in kinds) + " |")
    for path in PATHS:
        print(f"| {path}, µs (perf) | " + " | ".join(f"{median(k, lambda r: r['paths'].get(path, 0.0)):.2f}" for k in kinds) + " |")
    for event, label in COUNTED:
        values = [median(k, lambda r: r["counted"].get(event, 0.0)) for k in kinds]
        if any(values):
            print(f"| {label} | " + " | ".join(f"{value:.3f}" for value in values) + " |")
    for kind in kinds:
        receives = median(kind, lambda r: sum(r["counted"].get(e, 0.0) for e in (
            "syscalls:sys_enter_recvmmsg", "syscalls:sys_enter_recvmsg", "syscalls:sys_enter_recvfrom")))
        if receives:
            print(f"\n{kind}: {1 / receives:.1f} datagrams per receive call.", end="")
    print()


if __name__ == "__main__":
    main()
