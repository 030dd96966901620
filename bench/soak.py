#!/usr/bin/env python3
"""`make soak`: 60 s of dnsperf at 10,000 QPS over UDP plus a TCP client, while a manifest file
is replaced every 100 ms (every fifth write invalid YAML). Passes when the server is alive
afterwards, answers from the last valid content, dnsperf lost under 0.1%, and RSS grew under 10%.

Then a second phase: UDP load again while TCP clients pipeline questions and never read their
answers — half of them for a forwarded name whose upstream (bench/fake_upstream.py) answers
with about 50 KB. Passes when RSS stays within 32 MiB of the start and no UDP query is lost.

    bench/soak.py [--seconds 60] [--qps 10000] [--unread-seconds 30]
"""
import argparse
import os
import select
import shutil
import socket
import struct
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
    parser.add_argument("--unread-seconds", type=int, default=30)
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
    upstream = subprocess.Popen([sys.executable, os.path.join(run.ROOT, "bench", "fake_upstream.py"), "--port", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    upstream_port = int(upstream.stdout.readline().split()[1])
    port = run.free_port()
    server = start_clusterdns(manifests, port, upstream_port)
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

        # Second phase: clients that never read, one of their questions in two forwarded to an
        # upstream that answers with 50 KB.
        unread = {"connections": 0, "bytes": 0}
        stop_unread = threading.Event()
        clients = [threading.Thread(target=never_reading_client, args=(port, stop_unread, unread)) for _ in range(2)]
        for client in clients:
            client.start()
        peak = {"rss": rss_start}
        stop_sampling = threading.Event()

        def sample():
            while not stop_sampling.is_set():
                peak["rss"] = max(peak["rss"], run.memory(server.process.pid)[0])
                time.sleep(0.25)

        sampler = threading.Thread(target=sample)
        sampler.start()
        unread_udp = run.dnsperf(port, queries, args.unread_seconds, "udp", args.qps)
        stop_unread.set()
        for client in clients:
            client.join()
        stop_sampling.set()
        sampler.join()
        unread_alive = server.process.poll() is None
        unread_sent = unread_udp["completed"] + unread_udp["lost"]
        checks = [
            ("process alive", alive, "yes" if alive else "no"),
            ("answer is the last valid content", bool(answer and expected in answer[1]),
             f"{answer[1] if answer else None} (expected {expected})"),
            ("UDP lost < 0.1%", lost_fraction < 0.001, f"{udp['lost']} of {sent} ({lost_fraction:.4%})"),
            ("RSS growth < 10%", growth < 0.10, f"{rss_start:.1f} → {rss_end:.1f} MiB ({growth:+.1%})"),
            ("TCP client answered", tcp_completed > 0, f"{tcp_completed} queries"),
            ("non-reading TCP clients: RSS within 32 MiB of the start", peak["rss"] - rss_start < 32,
             f"{rss_start:.1f} → peak {peak['rss']:.1f} MiB ({unread['connections']} connections, "
             f"{unread['bytes'] / 1024:.0f} KiB of questions sent)"),
            ("non-reading TCP clients: no UDP query lost", unread_alive and unread_udp["lost"] == 0 and unread_sent > 0,
             f"{unread_udp['lost']} of {unread_sent}"),
        ]
        print(f"Soak: {args.seconds} s, UDP {args.qps} QPS ({udp['qps']:.0f} achieved), TCP 500 QPS, "
              f"{writes['valid']} valid and {writes['invalid']} invalid writes of one manifest; then "
              f"{args.unread_seconds} s of UDP beside TCP clients that never read "
              f"({unread_udp['qps']:.0f} QPS achieved).\n")
        print("| check | result | measured |")
        print("| --- | --- | --- |")
        for name, passed, measured in checks:
            print(f"| {name} | {'pass' if passed else 'FAIL'} | {measured} |")
        return 0 if all(passed for _, passed, _ in checks) else 1
    finally:
        server.stop()
        upstream.kill()
        upstream.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def start_clusterdns(manifests, port, upstream_port):
    """The release server as the benchmark starts it, but forwarding to the fake upstream."""
    process = subprocess.Popen(
        ["taskset", "-c", run.SERVER_CORE, run.BIN, "serve", "--manifests", manifests, "--listen", f"127.0.0.1:{port}",
         "--http", "none", "--upstream", f"127.0.0.1:{upstream_port}", "--log-level", "warning", "--udp-workers", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return run.Server("ClusterDNS", process, port)


def question(name, ident, qtype):
    header = struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(label)]) + label.encode() for label in name.split("."))
    message = header + labels + b"\0" + struct.pack(">HH", qtype, 1)
    return struct.pack(">H", len(message)) + message


def never_reading_client(port, stop, stats):
    """Connection after connection that pipelines 4,000 questions, reads nothing, and is held open
    until the server closes it (its idle timeout) or the phase ends."""
    stream = b"".join(question("huge.example.test", index, 16) if index % 2 == 0
                      else question("service-clusterip.dev.svc.cluster.local", index, 1) for index in range(4000))
    while not stop.is_set():
        connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.settimeout(1)
        try:
            connection.connect(("127.0.0.1", port))
            stats["connections"] += 1
            sent = 0
            while sent < len(stream) and not stop.is_set():
                try:
                    sent += connection.send(stream[sent:sent + 65536])
                except socket.timeout:
                    continue  # the server stopped reading: keep it that way
            stats["bytes"] += sent
            # Hold on without reading until the server closes (POLLRDHUP reads nothing).
            poller = select.poll()
            poller.register(connection, select.POLLRDHUP)
            while not stop.is_set() and not poller.poll(500):
                pass
        except OSError:
            time.sleep(0.5)
        finally:
            connection.close()


if __name__ == "__main__":
    sys.exit(main())
