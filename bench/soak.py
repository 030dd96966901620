#!/usr/bin/env python3
"""`make soak`: 60 s of dnsperf at 10,000 QPS over UDP plus a TCP client, while a manifest file
is replaced every 100 ms (every fifth write invalid YAML). Passes when the server is alive
afterwards, answers from the last valid content, dnsperf lost under 0.1%, and RSS grew under 10%.

    bench/soak.py [--seconds 60] [--qps 10000]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the benchmark's helpers: ports, queries, /proc readings)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--qps", type=int, default=10_000)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="clusterdns-soak-")
    manifests = os.path.join(workdir, "manifests")
    shutil.copytree(os.path.join(run.ROOT, "zones"), manifests)
    churn = os.path.join(manifests, "churn.yaml")

    def service(index):
        return ("apiVersion: v1\nkind: Service\nmetadata: {name: churn, namespace: dev}\n"
                f"spec: {{clusterIP: 10.96.77.{index % 250 + 1}, ports: [{{name: http, port: 80}}]}}\n")

    with open(churn, "w") as handle:
        handle.write(service(0))
    port = run.free_port()
    server = run.start_clusterdns(manifests, port)
    try:
        if not run.wait_answering(port, "churn.dev.svc.cluster.local.", timeout=60, process=server.process):
            print("the server did not start", file=sys.stderr)
            return 1
        queries = os.path.join(workdir, "queries.txt")
        with open(queries, "w") as handle:
            for name in ["service-clusterip.dev.svc.cluster.local. A", "churn.dev.svc.cluster.local. A",
                         "service-headliness.dev.svc.cluster.local. A", "_web._tcp.nginx.dev.svc.cluster.local. SRV",
                         "nothere.dev.svc.cluster.local. A", "97.97.97.10.in-addr.arpa. PTR"]:
                handle.write(name + "\n")
        time.sleep(1)
        rss_start, _ = run.memory(server.process.pid)
        stop = threading.Event()
        writes = {"valid": 0, "invalid": 0, "last": 0}

        def writer():
            index = 0
            while not stop.is_set():
                index += 1
                invalid = index % 5 == 0
                content = "apiVersion: v1\nkind: [Service\n" if invalid else service(index)
                if index % 2:
                    temporary = churn + ".tmp"
                    with open(temporary, "w") as handle:
                        handle.write(content)
                    os.rename(temporary, churn)
                else:
                    with open(churn, "w") as handle:
                        handle.write(content)
                if invalid:
                    writes["invalid"] += 1
                else:
                    writes["valid"] += 1
                    writes["last"] = index
                time.sleep(0.1)

        thread = threading.Thread(target=writer)
        thread.start()
        tcp = subprocess.Popen(["taskset", "-c", run.CLIENT_CORE, "dnsperf", "-s", "127.0.0.1", "-p", str(port), "-m", "tcp",
                                "-d", queries, "-l", str(args.seconds), "-Q", "500", "-c", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        udp = run.dnsperf(port, queries, args.seconds, "udp", args.qps)
        tcp_output = tcp.communicate()[0]
        stop.set()
        thread.join()
        time.sleep(1)
        alive = server.process.poll() is None
        expected = f"10.96.77.{writes['last'] % 250 + 1}"
        answer = run.query(port, "churn.dev.svc.cluster.local.")
        deadline = time.time() + 5
        while answer and expected not in answer[1] and time.time() < deadline:
            time.sleep(0.05)
            answer = run.query(port, "churn.dev.svc.cluster.local.")
        rss_end, _ = run.memory(server.process.pid)
        sent = udp["completed"] + udp["lost"]
        lost_fraction = udp["lost"] / sent if sent else 1
        tcp_completed = next((int(line.split()[2]) for line in tcp_output.splitlines() if "Queries completed:" in line), 0)
        growth = (rss_end - rss_start) / rss_start if rss_start else 1
        checks = [
            ("process alive", alive, "yes" if alive else "no"),
            ("answer is the last valid content", bool(answer and expected in answer[1]),
             f"{answer[1] if answer else None} (expected {expected})"),
            ("UDP lost < 0.1%", lost_fraction < 0.001, f"{udp['lost']} of {sent} ({lost_fraction:.4%})"),
            ("RSS growth < 10%", growth < 0.10, f"{rss_start:.1f} → {rss_end:.1f} MiB ({growth:+.1%})"),
            ("TCP client answered", tcp_completed > 0, f"{tcp_completed} queries"),
        ]
        print(f"Soak: {args.seconds} s, UDP {args.qps} QPS ({udp['qps']:.0f} achieved), TCP 500 QPS, "
              f"{writes['valid']} valid and {writes['invalid']} invalid writes of one manifest.\n")
        print("| check | result | measured |")
        print("| --- | --- | --- |")
        for name, passed, measured in checks:
            print(f"| {name} | {'pass' if passed else 'FAIL'} | {measured} |")
        return 0 if all(passed for _, passed, _ in checks) else 1
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
