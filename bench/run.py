#!/usr/bin/env python3
"""`make bench`: ClusterDNS against NSD and Knot on the same data, in the same run.

Each server is pinned to core 1 and dnsperf to core 0; the servers run interleaved (A B C A B C)
so that drift on a shared machine hits all of them alike. Reported per run: QPS, latency, lost
queries, and server CPU per answered query (utime+stime of the server's processes from /proc,
before and after, divided by the answers), with ratios against NSD and Knot from the same run.
Then start-up time (the median of --startups starts of each, interleaved; ClusterDNS on two cores
as well) and memory from YAML (ClusterDNS) and zone files (NSD, Knot), and the time from rename()
of one changed manifest to the new answer.

    bench/run.py [--sizes S,M] [--layouts covered,scattered] [--duration 15] [--rounds 2] [--startups 3] [--quick]
                 [--output BENCHMARKS.md] [--baseline path/to/other/clusterdns]

Each size of M and up runs in two address layouts: `covered` (pods inside --pod-cidr
10.244.0.0/14) and `scattered` (pods spread over 172.16.0.0/12, outside every default range,
served with default flags, so every /24 holding a pod is a reverse zone of its own). The report
ends with ClusterDNS's scattered/covered ratios from the same run.
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
BIN = os.path.join(ROOT, ".build", "release", "clusterdns")
SIZES = {"S": 100, "M": 10_000, "L": 100_000}
SERVER_CORE = "1"
# The covered layout's pods fill 10.244.0.0/14 (100k pods at L do not fit a /16); the scattered
# layout is served with default flags.
LAYOUT_FLAGS = {"covered": ("--pod-cidr", "10.244.0.0/14"), "scattered": ()}
CLIENT_CORE = "0"
# The two-core start-up: the server core and the client's, which is idle while a server starts.
BOTH_CORES = "0,1"


# The name `--baseline`'s server goes by in the tables.
BASELINE = "ClusterDNS baseline"


# Every server runs in a cpuset that holds only SERVER_CORE, not just under taskset: Knot pins each
# UDP worker to a CPU itself (worker i to CPU i), which put its only worker on the client's core,
# beside dnsperf, where replies wake the client without a cross-core wake-up. With the cpuset that
# pinning fails and Knot stays where the others are. cgroup v1 (the cpuset hierarchy) or v2.
CPUSET_NAME = "clusterdns-bench-server"


def server_cpuset_tasks():
    """The file that puts a process into the server cpuset, made on first use; None when this
    machine offers no writable cpuset (then taskset alone pins, and the report says so)."""
    if hasattr(server_cpuset_tasks, "cached"):
        return server_cpuset_tasks.cached
    tasks = None
    candidates = [("/sys/fs/cgroup/cpuset", "tasks"), ("/sys/fs/cgroup", "cgroup.procs")]
    for root, entry in candidates:
        group = os.path.join(root, CPUSET_NAME)
        try:
            if entry == "cgroup.procs":
                with open(os.path.join(root, "cgroup.subtree_control"), "w") as handle:
                    handle.write("+cpuset")
            os.makedirs(group, exist_ok=True)
            with open(os.path.join(group, "cpuset.cpus"), "w") as handle:
                handle.write(SERVER_CORE)
            with open(os.path.join(group, "cpuset.mems"), "w") as handle:
                handle.write("0")
            tasks = os.path.join(group, entry)
            break
        except OSError:
            continue
    server_cpuset_tasks.cached = tasks
    return tasks


def on_server_core(command):
    """`command` under taskset on the server core, inside the server cpuset when there is one."""
    pinned = ["taskset", "-c", SERVER_CORE, *command]
    tasks = server_cpuset_tasks()
    if tasks is None:
        return pinned
    return ["sh", "-c", f'echo $$ > {tasks} && exec "$@"', "sh", *pinned]


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- data

def generate(size, layout):
    directory = os.path.join(OUT, size if layout == "covered" else f"{size}-{layout}")
    manifests = os.path.join(directory, "manifests")
    # The marker holds a hash of the generator, so data from an older generator is made again.
    with open(os.path.join(ROOT, "bench", "generate.py"), "rb") as handle:
        generator = hashlib.sha256(handle.read()).hexdigest()
    marker = os.path.join(directory, ".generated")
    current = open(marker).read().strip() if os.path.exists(marker) else ""
    if current != generator:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(manifests)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "generate.py"), "--services", str(SIZES[size]),
                        "--seed", "1", "--out", manifests, "--pods", layout], check=True)
        with open(marker, "w") as handle:
            handle.write(generator + "\n")
    return directory, manifests


def dump_zones(directory, manifests, flags):
    """Zone files for NSD and Knot, one zone per file, cut from one `clusterdns dump`."""
    whole = subprocess.run([BIN, "dump", manifests, "--serial", "1", *flags], check=True, capture_output=True, text=True).stdout
    zones = []
    zone_dir = os.path.join(directory, "zones")
    shutil.rmtree(zone_dir, ignore_errors=True)
    os.makedirs(zone_dir)
    # The dump prints each zone SOA first, the zones separated by an empty line.
    for block in whole.split("\n\n"):
        lines = [line for line in block.splitlines() if line]
        if not lines or "\tSOA\t" not in lines[0]:
            continue
        apex = lines[0].split("\t")[0]
        path = os.path.join(zone_dir, apex + "zone")
        with open(path, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        zones.append((apex.rstrip("."), path))
    return whole, zones


def make_queries(directory, dump_text, seed=7):
    """The mix a cluster sees, a single hot name, and an NXDOMAIN-only file."""
    a_owners, srv, ptr, cname, namespaces = {}, set(), set(), set(), set()
    for line in dump_text.splitlines():
        fields = line.split("\t")
        if len(fields) < 5:
            continue
        owner, rtype = fields[0], fields[3]
        labels = owner.split(".")
        if rtype == "A" and len(labels) == 6 and labels[2] == "svc":
            a_owners[owner] = a_owners.get(owner, 0) + 1
            namespaces.add(labels[1])
        elif rtype == "SRV":
            srv.add(owner)
        elif rtype == "PTR":
            ptr.add(owner)
        elif rtype == "CNAME":
            cname.add(owner)
    cluster_ip = sorted(name for name, count in a_owners.items() if count == 1)
    headless = sorted(name for name, count in a_owners.items() if count > 1)
    srv, ptr, cname, namespaces = sorted(srv), sorted(ptr), sorted(cname), sorted(namespaces)
    rng = random.Random(seed)
    lines = []
    for _ in range(100_000):
        roll = rng.random()
        if roll < 0.60 and cluster_ip:
            lines.append(f"{rng.choice(cluster_ip)} A")
        elif roll < 0.70 and headless:
            lines.append(f"{rng.choice(headless)} A")
        elif roll < 0.75 and srv:
            lines.append(f"{rng.choice(srv)} SRV")
        elif roll < 0.80 and ptr:
            lines.append(f"{rng.choice(ptr)} PTR")
        elif roll < 0.85 and cname:
            lines.append(f"{rng.choice(cname)} A")
        else:
            qtype = "AAAA" if rng.random() < 0.3 else "A"
            lines.append(f"www.google.com.{rng.choice(namespaces)}.svc.cluster.local. {qtype}")
    files = {}
    for name, content in [("mix", lines), ("hot", [f"{cluster_ip[0]} A"] * 1000),
                          ("nxdomain", [f"nothere{i}.{rng.choice(namespaces)}.svc.cluster.local. A" for i in range(20_000)])]:
        path = os.path.join(directory, f"queries-{name}.txt")
        with open(path, "w") as handle:
            handle.write("\n".join(content) + "\n")
        files[name] = path
    return files


# ---------------------------------------------------------------- servers

def descendants(pid):
    result = [pid]
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
            parent = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(parent, []).append(int(entry))
        except (OSError, ValueError):
            continue
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            result.append(child)
            stack.append(child)
    return result


def cpu_seconds(pid):
    total = 0
    ticks = os.sysconf("SC_CLK_TCK")
    for process in descendants(pid):
        try:
            with open(f"/proc/{process}/stat") as handle:
                stat = handle.read()
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError):
            continue
    return total / ticks


def memory(pid):
    """RSS and PSS in MiB of the server's processes."""
    rss = pss = 0
    for process in descendants(pid):
        try:
            with open(f"/proc/{process}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def query(port, name, qtype=1, timeout=0.5, connected=False):
    """One UDP query; the answer's RCODE and addresses, or None.

    `connected`: from a connected socket, which hears at once that nothing listens on the port
    (ICMP port unreachable reaches only connected UDP sockets); an unconnected one waits out
    `timeout` instead."""
    header = struct.pack(">HHHHHH", random.randint(0, 65535), 0x0100, 1, 0, 0, 0)
    question = b"".join(bytes([len(label)]) + label.encode() for label in name.rstrip(".").split(".")) + b"\0"
    packet = header + question + struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(timeout)
        try:
            if connected:
                client.connect(("127.0.0.1", port))
                client.send(packet)
                reply = client.recv(65535)
            else:
                client.sendto(packet, ("127.0.0.1", port))
                reply, _ = client.recvfrom(65535)
        except OSError:
            return None
    rcode = reply[3] & 0x0F
    answers = struct.unpack(">H", reply[6:8])[0]
    addresses = []
    offset = len(packet)
    for _ in range(answers):
        if reply[offset] & 0xC0 == 0xC0:
            offset += 2
        else:
            while reply[offset] != 0:
                offset += 1 + reply[offset]
            offset += 1
        rtype, _, _, length = struct.unpack(">HHIH", reply[offset:offset + 10])
        offset += 10
        if rtype == 1 and length == 4:
            addresses.append(".".join(str(b) for b in reply[offset:offset + 4]))
        offset += length
    return rcode, addresses


def wait_answering(port, name, timeout=120, process=None):
    """Polls until `name` is answered. A server that binds its port only once it can answer
    (ClusterDNS) refuses each probe at once until then; one that binds early (Knot, NSD) holds
    the probe and answers it when ready. Probes from unconnected sockets waited out their
    timeout against an unbound port, which put ClusterDNS's start in steps of 0.21 s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            return False
        if query(port, name, timeout=0.2, connected=True) is not None:
            return True
        time.sleep(0.01)
    return False


class Server:
    def __init__(self, kind, process, port, cleanup=None):
        self.kind, self.process, self.port, self.cleanup = kind, process, port, cleanup

    def stop(self):
        pids = descendants(self.process.pid)
        for pid in reversed(pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.process.wait()
        if self.cleanup:
            self.cleanup()


def start_clusterdns(manifests, port, flags=(), binary=BIN, kind="ClusterDNS", cores=None):
    """On the server core (in its cpuset), or under taskset on `cores` (outside any cpuset)."""
    place = on_server_core if cores is None else (lambda command: ["taskset", "-c", cores, *command])
    process = subprocess.Popen(
        place([
            binary, "serve", "--manifests", manifests, "--listen", f"127.0.0.1:{port}",
            "--http", "none", "--upstream", "none", "--log-level", "warning",
            # One UDP thread, as NSD's server-count 1 and Knot's udp-workers 1: all three on one core.
            "--udp-workers", "1", *flags]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Server(kind, process, port)


def start_nsd(zones, port, workdir):
    os.makedirs(workdir, exist_ok=True)
    config = [
        "server:", f"  ip-address: 127.0.0.1@{port}", f"  zonesdir: {workdir}", f"  pidfile: {workdir}/nsd.pid",
        '  database: ""', '  username: ""', f"  xfrdfile: {workdir}/xfrd.state", f"  xfrdir: {workdir}",f"  zonelistfile: {workdir}/zone.list",
        f"  logfile: {workdir}/nsd.log", "  server-count: 1", "  rrl-ratelimit: 0", "  verbosity: 0",
        "remote-control:", "  control-enable: no",
    ]
    for apex, path in zones:
        config += ["zone:", f"  name: {apex}", f"  zonefile: {path}"]
    with open(os.path.join(workdir, "nsd.conf"), "w") as handle:
        handle.write("\n".join(config) + "\n")
    process = subprocess.Popen(["setsid", *on_server_core(["nsd", "-d", "-c", f"{workdir}/nsd.conf"])],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Server("NSD", process, port)


def start_knot(zones, port, workdir):
    os.makedirs(workdir, exist_ok=True)
    config = [
        "server:", f"  listen: 127.0.0.1@{port}", f"  rundir: {workdir}", "  udp-workers: 1", "  tcp-workers: 1",
        "  background-workers: 1", "database:", f"  storage: {workdir}", "template:", "  - id: default",
        f"    storage: {workdir}", "    zonefile-sync: -1", "    journal-content: none", "zone:",
    ]
    for apex, path in zones:
        config += [f"  - domain: {apex}", f"    file: {path}"]
    with open(os.path.join(workdir, "knot.conf"), "w") as handle:
        handle.write("\n".join(config) + "\n")
    process = subprocess.Popen(["setsid", *on_server_core(["knotd", "-c", f"{workdir}/knot.conf"])],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Server("Knot", process, port)


# ---------------------------------------------------------------- measurements

def dnsperf(port, queries, seconds, mode="udp", rate=None, verbose=False):
    command = ["taskset", "-c", CLIENT_CORE, "dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries,
               "-l", str(seconds), "-c", "8", "-q", "100", "-m", mode]
    if rate:
        command += ["-Q", str(rate)]
    if verbose:
        command += ["-v"]
    # Into a file, read afterwards: a pipe read while dnsperf runs (a line per query with -v) puts
    # this process on dnsperf's core, and its delays into the latencies.
    with tempfile.TemporaryFile(mode="w+") as sink:
        subprocess.run(command, stdout=sink, stderr=subprocess.DEVNULL)
        sink.seek(0)
        output = sink.read()
    result = {"completed": 0, "lost": 0, "qps": 0.0, "latency": 0.0, "latencies": []}
    for line in output.splitlines():
        if "Queries completed:" in line:
            result["completed"] = int(line.split()[2])
        elif "Queries lost:" in line:
            result["lost"] = int(line.split()[2])
        elif "Queries per second:" in line:
            result["qps"] = float(line.split()[3])
        elif "Average Latency (s):" in line:
            result["latency"] = float(line.split()[3])
        elif verbose and line.startswith(">"):
            parts = line.split()
            try:
                result["latencies"].append(float(parts[-1]))
            except ValueError:
                pass
    return result


def run_load(server, queries, seconds, mode="udp", rate=None, verbose=False):
    before = cpu_seconds(server.process.pid)
    result = dnsperf(server.port, queries, seconds, mode, rate, verbose)
    after = cpu_seconds(server.process.pid)
    answered = max(1, result["completed"])
    result["cpu_us"] = (after - before) / answered * 1e6
    return result


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def reload_latency(manifests, port, samples=30):
    """rename() of one changed file → first UDP answer with the new address; milliseconds."""
    path = os.path.join(manifests, "ns-0000.yaml")
    with open(path) as handle:
        original = handle.read()
    match = re.search(r"name: (svc-\d+)\n  namespace: (ns-0000)\nspec:\n  type: ClusterIP\n", original)
    name = f"{match.group(1)}.{match.group(2)}.svc.cluster.local."
    results = []
    for index in range(samples):
        address = f"10.96.{200 + index % 50}.{1 + index}"
        changed = original.replace(
            f"name: {match.group(1)}\n  namespace: {match.group(2)}\nspec:\n  type: ClusterIP\n",
            f"name: {match.group(1)}\n  namespace: {match.group(2)}\nspec:\n  type: ClusterIP\n  clusterIP: {address}\n", 1)
        temporary = path + ".tmp"
        with open(temporary, "w") as handle:
            handle.write(changed)
        start = time.perf_counter()
        os.rename(temporary, path)
        deadline = start + 30
        while time.perf_counter() < deadline:
            answer = query(port, name, timeout=0.2)
            if answer and address in answer[1]:
                break
        results.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)
    with open(path, "w") as handle:
        handle.write(original)
    return results


def latency_during_reloads(server, queries, manifests, seconds, interval=0.2):
    """dnsperf at a fixed 20,000 QPS while one manifest is rewritten and renamed into place every
    `interval` seconds: no query may wait for a rebuild. The changes are made without polling the
    server (a polling client would compete with dnsperf and the server for the two cores and be
    measured instead). Returns the load's result (with every latency) and how many changes were made."""
    path = os.path.join(manifests, "ns-0000.yaml")
    with open(path) as handle:
        original = handle.read()
    marker = "spec:\n  type: ClusterIP\n"
    outcome = {}
    load = threading.Thread(target=lambda: outcome.update(
        run_load(server, queries, seconds, "udp", 20000, verbose=True)))
    load.start()
    changes = 0
    time.sleep(0.3)
    while load.is_alive():
        changed = original.replace(marker, f"{marker}  clusterIP: 10.96.{250 + changes % 4}.{1 + changes % 200}\n", 1)
        with open(path + ".tmp", "w") as handle:
            handle.write(changed)
        os.rename(path + ".tmp", path)
        changes += 1
        time.sleep(interval)
    load.join()
    with open(path, "w") as handle:
        handle.write(original)
    return outcome, changes


def startup(start, port, probe_name):
    began = time.perf_counter()
    server = start()
    if not wait_answering(port, probe_name, timeout=300, process=server.process):
        server.stop()
        return None, None, None
    elapsed = time.perf_counter() - began
    time.sleep(0.5)
    rss, pss = memory(server.process.pid)
    return server, elapsed, (rss, pss)


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--layouts", default="covered,scattered",
                        help="address layouts for sizes M and up (S is covered only)")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--startups", type=int, default=3,
                        help="starts of each server per size and layout, interleaved; the median is reported")
    parser.add_argument("--quick", action="store_true", help="S only, 2 s runs, one round: a smoke test")
    parser.add_argument("--output", default=None, help="append a report to this Markdown file")
    parser.add_argument("--json", default=os.path.join(OUT, "results.json"),
                        help="where the run's figures go, for bench/charts.py (default bench/out/results.json)")
    parser.add_argument("--baseline", default=None, metavar="BINARY",
                        help="another clusterdns build (e.g. an older commit's) run beside this one, with a "
                             "this build / baseline table at the end")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.duration, args.rounds, args.startups = "S", 2, 1, 1
    report = []
    machine = subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    report.append(f"Machine: {machine}, {os.cpu_count()} cores, {cpu}. Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.")
    baseline_note = f" --baseline {args.baseline}" if args.baseline else ""
    report.append(f"Command: `bench/run.py --sizes {args.sizes} --layouts {args.layouts} --duration {args.duration} "
                  f"--rounds {args.rounds} --startups {args.startups}{baseline_note}`")
    # Every figure of the run, per "size layout", as bench/charts.py draws them.
    data = {"machine": report[0], "command": report[1], "configurations": {}}
    if server_cpuset_tasks() is None:
        report.append("No writable cpuset here: servers are pinned by taskset alone, and Knot's UDP worker pins "
                      "itself to core 0, beside dnsperf (its CPU per query is then not comparable).")
    else:
        report.append(f"Each server runs in a cpuset of core {SERVER_CORE} alone (Knot pins its UDP worker to core 0 "
                      "otherwise, beside dnsperf).")
    # ClusterDNS's own figures per (size, layout), for the scattered/covered ratios.
    own = {}
    # The baseline's figures, keyed alike, for the this build / baseline ratios.
    base = {}
    configurations = [(size, layout) for size in args.sizes.split(",") for layout in args.layouts.split(",")
                      if layout == "covered" or size != "S"]
    for size, layout in configurations:
        flags = LAYOUT_FLAGS[layout]
        directory, manifests = generate(size, layout)
        dump_text, zones = dump_zones(directory, manifests, flags)
        queries = make_queries(directory, dump_text)
        probe = open(queries["hot"]).readline().split()[0]
        kinds = ["ClusterDNS"] + ([BASELINE] if args.baseline else []) + ["NSD", "Knot"]
        manifest_copies = {"ClusterDNS": manifests}
        if args.baseline:
            manifest_copies[BASELINE] = manifests.rstrip("/") + "-baseline"
            shutil.rmtree(manifest_copies[BASELINE], ignore_errors=True)
            shutil.copytree(manifests, manifest_copies[BASELINE])
        ports = {kind: free_port() for kind in kinds}
        starters = {
            "ClusterDNS": lambda: start_clusterdns(manifests, ports["ClusterDNS"], flags),
            BASELINE: lambda: start_clusterdns(manifest_copies[BASELINE], ports[BASELINE], flags, binary=args.baseline, kind=BASELINE),
            "NSD": lambda: start_nsd(zones, ports["NSD"], os.path.join(directory, "nsd")),
            "Knot": lambda: start_knot(zones, ports["Knot"], os.path.join(directory, "knot")),
        }
        recorded = data["configurations"].setdefault(f"{size} {layout}", {
            "services": SIZES[size], "startup": {}, "loads": {}, "fixed_rate": {}, "reload": {}})
        figures = own.setdefault((size, layout), {})
        base_figures = base.setdefault((size, layout), {})
        report.append(f"\n### {size}, {layout} layout: {SIZES[size]} services ({len(dump_text.splitlines())} lines of dump, "
                      f"{len(zones)} zones)\n")
        report.append(f"| server | start to first answer (s), median of {args.startups} (min–max) | RSS (MiB) | PSS (MiB) |")
        report.append("| --- | --- | --- | --- |")
        # Each server is started `--startups` times, the servers taking turns, so that a busy
        # moment of a shared machine falls on one sample, not on one server; the last start stays up
        # for the loads, and its memory is the one reported.
        servers = {}
        starts = {kind: [] for kind in kinds}
        for attempt in range(max(args.startups, 1)):
            last = attempt == max(args.startups, 1) - 1
            for kind in kinds:
                if attempt > 0 and not starts[kind]:
                    continue  # it failed to start before
                server, elapsed, mem = startup(starters[kind], ports[kind], probe)
                if server is None:
                    continue
                starts[kind].append(elapsed)
                log(f"{size} {kind}: up in {elapsed:.2f} s, RSS {mem[0]:.1f} MiB")
                if not last:
                    server.stop()
                    continue
                servers[kind] = server
                median = statistics.median(starts[kind])
                recorded["startup"][kind] = {"seconds": median, "samples": starts[kind], "rss_mib": mem[0], "pss_mib": mem[1]}
                if kind == "ClusterDNS":
                    figures["start"], figures["rss"] = median, mem[0]
                if kind == BASELINE:
                    base_figures["start"], base_figures["rss"] = median, mem[0]
        for kind in kinds:
            if kind not in servers:
                report.append(f"| {kind} | failed to start | | |")
                continue
            entry = recorded["startup"][kind]
            report.append(f"| {kind} | {entry['seconds']:.2f} ({min(entry['samples']):.2f}–{max(entry['samples']):.2f}) | "
                          f"{entry['rss_mib']:.1f} | {entry['pss_mib']:.1f} |")
        # The two-core start: ClusterDNS parses and compiles on every core it may use.
        both = []
        for _ in range(max(args.startups, 1)):
            port = free_port()
            server, elapsed, _ = startup(lambda: start_clusterdns(manifests, port, flags, cores=BOTH_CORES), port, probe)
            if server is None:
                break
            server.stop()
            both.append(elapsed)
        if both:
            recorded["startup_two_cores"] = {"seconds": statistics.median(both), "samples": both}
            figures["start, two cores"] = statistics.median(both)
            report.append(f"\nClusterDNS start to first answer on two cores ({BOTH_CORES}), median of {len(both)}: "
                          f"{statistics.median(both):.2f} s ({min(both):.2f}–{max(both):.2f}).")
        try:
            for label, file, mode, rate in [("UDP mix", queries["mix"], "udp", None),
                                            ("UDP hot name", queries["hot"], "udp", None),
                                            ("UDP NXDOMAIN", queries["nxdomain"], "udp", None),
                                            ("TCP mix", queries["mix"], "tcp", None)]:
                results = {kind: [] for kind in servers}
                for _ in range(args.rounds):
                    for kind, server in servers.items():
                        results[kind].append(run_load(server, file, args.duration, mode, rate))
                        log(f"{size} {label} {kind}: {results[kind][-1]['qps']:.0f} QPS, {results[kind][-1]['cpu_us']:.2f} µs/query")
                report.append(f"\n{label} ({args.rounds} × {args.duration} s, dnsperf -c 8 -q 100, interleaved):\n")
                report.append("| server | QPS | avg latency (ms) | lost | server CPU µs/query | CPU vs NSD | CPU vs Knot |")
                report.append("| --- | --- | --- | --- | --- | --- | --- |")
                summary = {}
                for kind, runs in results.items():
                    summary[kind] = {
                        "qps": statistics.median(r["qps"] for r in runs),
                        "latency": statistics.median(r["latency"] for r in runs) * 1000,
                        "lost": sum(r["lost"] for r in runs),
                        "cpu": statistics.median(r["cpu_us"] for r in runs),
                    }
                recorded["loads"][label] = summary
                if "ClusterDNS" in summary:
                    figures[f"cpu {label}"] = summary["ClusterDNS"]["cpu"]
                if BASELINE in summary:
                    base_figures[f"cpu {label}"] = summary[BASELINE]["cpu"]
                for kind, value in summary.items():
                    nsd = value["cpu"] / summary["NSD"]["cpu"] if "NSD" in summary else float("nan")
                    knot = value["cpu"] / summary["Knot"]["cpu"] if "Knot" in summary else float("nan")
                    report.append(f"| {kind} | {value['qps']:.0f} | {value['latency']:.3f} | {value['lost']} | "
                                  f"{value['cpu']:.2f} | {nsd:.2f} | {knot:.2f} |")
            # Latency at a fixed rate.
            report.append(f"\nUDP mix at a fixed 20,000 QPS ({args.duration} s):\n")
            # The max is one query: what the machine alone can cost (a kernel thread taking the
            # server's core for a few ms), the floor under the max during reloads below.
            report.append("| server | p50 latency (ms) | p99 latency (ms) | max (ms) | lost | server CPU µs/query |")
            report.append("| --- | --- | --- | --- | --- | --- |")
            for kind, server in servers.items():
                result = run_load(server, queries["mix"], args.duration, "udp", 20000, verbose=True)
                latencies = result["latencies"]
                recorded["fixed_rate"][kind] = {
                    name: percentile(latencies, fraction) * 1000
                    for name, fraction in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99.9", 0.999), ("max", 1.0)]}
                recorded["fixed_rate"][kind]["lost"] = result["lost"]
                recorded["fixed_rate"][kind]["cpu_us"] = result["cpu_us"]
                report.append(f"| {kind} | {percentile(latencies, 0.5) * 1000:.3f} | {percentile(latencies, 0.99) * 1000:.3f} | "
                              f"{max(latencies, default=float('nan')) * 1000:.2f} | {result['lost']} | {result['cpu_us']:.2f} |")
            # Reload: only ClusterDNS reads manifests. Each server gets a copy of the manifests of its
            # own when a baseline runs too, so that one's edits are not the other's reloads.
            reloading = [(kind, figure_set) for kind, figure_set in [("ClusterDNS", figures), (BASELINE, base_figures)]
                         if kind in servers]
            for kind, figure_set in reloading:
                samples = reload_latency(manifest_copies[kind], ports[kind], samples=10 if args.quick else 30)
                recorded["reload"][kind] = samples
                figure_set["reload p50"], figure_set["reload p99"] = percentile(samples, 0.5), percentile(samples, 0.99)
                report.append(f"\n{kind} reload, rename() of one changed file to the new answer ({len(samples)} samples): "
                              f"p50 {percentile(samples, 0.5):.1f} ms, p99 {percentile(samples, 0.99):.1f} ms, "
                              f"max {max(samples):.1f} ms.")
            # The same edits again under a steady load: what the queries meanwhile wait. One
            # 5-second sample holds 100,000 queries, so its p99 is the 1,000th-slowest and its max
            # one query: on a shared machine one sample swung from 0.12 to 2.4 ms at p99 between
            # runs of the same build. Several samples, taken in turns by the builds, are pooled.
            during_samples = 1 if args.quick else 3
            pooled = {kind: {"latencies": [], "lost": 0, "changes": 0, "each": []} for kind, _ in reloading}
            for _ in range(during_samples):
                for kind, _ in reloading:
                    during, changes = latency_during_reloads(servers[kind], queries["mix"], manifest_copies[kind],
                                                             seconds=3 if args.quick else 5)
                    waits = during.get("latencies", [])
                    pooled[kind]["latencies"] += waits
                    pooled[kind]["lost"] += during.get("lost", 0)
                    pooled[kind]["changes"] += changes
                    pooled[kind]["each"].append((percentile(waits, 0.99) * 1000, max(waits, default=float("nan")) * 1000))
            for kind, figure_set in reloading:
                waits = pooled[kind]["latencies"]
                recorded.setdefault("during_reloads", {})[kind] = {
                    name: percentile(waits, fraction) * 1000
                    for name, fraction in [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999), ("max", 1.0)]}
                recorded["during_reloads"][kind]["lost"] = pooled[kind]["lost"]
                recorded["during_reloads"][kind]["samples"] = [{"p99": p99, "max": top} for p99, top in pooled[kind]["each"]]
                figure_set["p99 during reloads"] = percentile(waits, 0.99) * 1000
                each = ", ".join(f"{p99:.3f}/{top:.2f}" for p99, top in pooled[kind]["each"])
                report.append(f"{kind} queries at 20,000 QPS while one file changes every 200 ms ({during_samples} samples "
                              f"in turns, {pooled[kind]['changes']} changes, pooled): "
                              f"p50 {percentile(waits, 0.5) * 1000:.3f} ms, p99 {percentile(waits, 0.99) * 1000:.3f} ms, "
                              f"p99.9 {percentile(waits, 0.999) * 1000:.3f} ms, max {max(waits, default=float('nan')) * 1000:.3f} ms, "
                              f"{pooled[kind]['lost']} lost; each sample's p99/max (ms): {each}.")
                rss_after, _ = memory(servers[kind].process.pid)
                figure_set["rss after reloads"] = rss_after
                recorded["startup"][kind]["rss_after_reloads_mib"] = rss_after
                report.append(f"{kind} RSS after these reloads: {rss_after:.1f} MiB.")
        finally:
            for server in servers.values():
                server.stop()
    ratios = [(size, own[(size, "scattered")], own[(size, "covered")]) for size in args.sizes.split(",")
              if (size, "scattered") in own and (size, "covered") in own]
    if ratios:
        report.append("\nClusterDNS, scattered layout / covered layout, same run (1.00 = no cost for the layout):\n")
        keys = ["start", "rss", "reload p50", "reload p99", "cpu UDP mix", "cpu TCP mix"]
        report.append("| size | " + " | ".join(keys) + " |")
        report.append("| --- |" + " --- |" * len(keys))
        for size, scattered, covered in ratios:
            cells = [f"{scattered[key] / covered[key]:.2f}" if covered.get(key) and key in scattered else "–" for key in keys]
            report.append(f"| {size} | " + " | ".join(cells) + " |")
    keys = ["start", "rss", "rss after reloads", "reload p50", "reload p99", "p99 during reloads", "cpu UDP mix",
            "cpu UDP hot name", "cpu UDP NXDOMAIN", "cpu TCP mix"]
    compared = [(size, layout) for (size, layout) in configurations if base.get((size, layout))]
    if compared:
        report.append("\nThis build / baseline, same run (below 1.00: this build uses less):\n")
        report.append("| size, layout | " + " | ".join(keys) + " |")
        report.append("| --- |" + " --- |" * len(keys))
        for size, layout in compared:
            mine, theirs = own[(size, layout)], base[(size, layout)]
            cells = [f"{mine[key] / theirs[key]:.3f}" if theirs.get(key) and key in mine else "–" for key in keys]
            report.append(f"| {size}, {layout} | " + " | ".join(cells) + " |")
    text = "\n".join(report) + "\n"
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump(data, handle, indent=1)
    log(f"figures written to {args.json}")
    if args.output:
        with open(args.output, "a") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
