#!/usr/bin/env python3
"""The pod mix: what a pod's resolver sends (search list, ndots:5), half of it for names outside
the cluster, against ClusterDNS with and without --autopath, in one run.

    bench/pod_mix.py [--lookups 2000] [--binary .build/release/clusterdns]

It runs in a private network namespace (it re-runs itself under `unshare -n`), where a pod
address of the zones/ example (10.244.118.128, a pod of `dev`) is on the loopback and is the
source of every question. For each lookup the client does what glibc does for a name with fewer
than five dots: asks `name.dev.svc.cluster.local`, `name.svc.cluster.local`,
`name.cluster.local`, then `name.`, stopping at the first answer that is not NXDOMAIN (and
following no CNAME itself: the answer's records are what the pod gets). Half the lookups are
Services of the example (found at the first step), half external names (200 distinct ones,
answered by bench/fake_upstream.py). Reported per server: client round trips per lookup,
questions ClusterDNS sent upstream per lookup (its forward_requests_total), and the mean time a
lookup took.
"""
import argparse
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POD = "10.244.118.128"
SEARCH = ["dev.svc.cluster.local", "svc.cluster.local", "cluster.local"]
INTERNAL = ["service-clusterip", "service-headliness", "nginx", "service-nodeport", "service-external"]


def question(name, ident):
    header = struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(label)]) + label.encode() for label in name.rstrip(".").split(".")) + b"\0"
    return header + labels + struct.pack(">HH", 1, 1)


def ask(client, port, name):
    ident = random.randint(0, 65535)
    client.sendto(question(name, ident), ("127.0.0.1", port))
    while True:
        reply, _ = client.recvfrom(65535)
        if struct.unpack(">H", reply[:2])[0] == ident:
            return reply[3] & 0x0F


def lookup(client, port, name):
    """Round trips a pod's resolver makes for `name` (fewer than 5 dots: search list first)."""
    trips = 0
    for suffix in SEARCH + [None]:
        trips += 1
        rcode = ask(client, port, f"{name}.{suffix}" if suffix else f"{name}.")
        if rcode != 3:
            return trips
    return trips


def forwarded(http_port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=5).read().decode()
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith("clusterdns_forward_requests_total"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(binary, flags, names, upstream_port):
    port, http_port = free_port(), free_port()
    server = subprocess.Popen(
        [binary, "serve", "--manifests", os.path.join(ROOT, "zones"), "--listen", f"127.0.0.1:{port}",
         "--upstream", f"127.0.0.1:{upstream_port}", "--http", f"127.0.0.1:{http_port}", "--log-level", "warning",
         *flags], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.bind((POD, 0))
            client.settimeout(2)
            deadline = time.time() + 30
            while True:
                try:
                    ask(client, port, "service-clusterip.dev.svc.cluster.local.")
                    break
                except OSError:
                    if time.time() > deadline:
                        raise SystemExit("the server did not answer")
                    time.sleep(0.05)
            before = forwarded(http_port)
            trips = 0
            began = time.perf_counter()
            for name in names:
                trips += lookup(client, port, name)
            elapsed = time.perf_counter() - began
            upstream = forwarded(http_port) - before
        return trips / len(names), upstream / len(names), elapsed / len(names) * 1e6
    finally:
        server.kill()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "clusterdns"))
    args = parser.parse_args()
    if os.environ.get("POD_MIX_NETNS") != "1":
        env = dict(os.environ, POD_MIX_NETNS="1")
        sys.exit(subprocess.run(["unshare", "-n", sys.executable, *sys.argv], env=env).returncode)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", f"{POD}/32", "dev", "lo"], check=True)

    rng = random.Random(7)
    names = [rng.choice(INTERNAL) if rng.random() < 0.5 else f"ext-{rng.randrange(200)}.example.test"
             for _ in range(args.lookups)]
    upstream = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "fake_upstream.py"), "--port", "0"],
                                stdout=subprocess.PIPE, text=True)
    try:
        upstream_port = int(re.match(r"port (\d+)", upstream.stdout.readline()).group(1))
        rows = [(label, *run(args.binary, flags, names, upstream_port))
                for label, flags in (("ClusterDNS", []), ("ClusterDNS --autopath", ["--autopath"]))]
    finally:
        upstream.kill()
        upstream.wait()

    print(f"### Pod mix: {args.lookups} lookups from a pod of `dev` (ndots:5), half of them external names\n")
    print("| server | client round trips per lookup | upstream questions per lookup | time per lookup |")
    print("|---|---|---|---|")
    for label, trips, upstream_questions, micros in rows:
        print(f"| {label} | {trips:.2f} | {upstream_questions:.3f} | {micros:.0f} µs |")
    base, auto = rows[0], rows[1]
    print(f"\nWith --autopath / without, same run: round trips {auto[1] / base[1]:.2f}, "
          f"upstream questions {auto[2] / base[2] if base[2] else float('nan'):.2f}, time per lookup {auto[3] / base[3]:.2f}. "
          f"`bench/pod_mix.py --lookups {args.lookups}`, {time.strftime('%Y-%m-%d %H:%M')}.")


if __name__ == "__main__":
    main()
