#!/usr/bin/env python3
"""What a hostile upstream costs the forwarder, measured against any clusterdns binary (so an
older build can be compared with a newer one on the same machine, in the same run):

    bench/hostile_upstream.py reply-cost   BINARY [--rounds 5]
        100 TCP clients at a time ask ANY at a name of 3,003 RRsets (500 replies); prints the
        server's CPU time per reply and how long a lookup of another name waited meanwhile
        (a prober asks one every 2 ms).
    bench/hostile_upstream.py cache-memory BINARY [--answers 500] [-- SERVE FLAGS...]
        asks for that many distinct 64 KB answers (4,000 A records each) over TCP; prints the
        server's resident memory before and after, and per answer.

A scripted upstream on loopback serves both (TC over UDP, the records over TCP).
"""
import argparse
import os
import socket
import struct
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wire(name):
    return b"".join(bytes([len(label)]) + label.encode() for label in name.strip(".").split(".") if label) + b"\0"


def question(message):
    end = 12
    while message[end] != 0:
        end += 1 + message[end]
    labels, offset = [], 12
    while message[offset] != 0:
        labels.append(message[offset + 1:offset + 1 + message[offset]].decode().lower())
        offset += 1 + message[offset]
    return message[12:end + 1], struct.unpack(">H", message[end + 1:end + 3])[0], ".".join(labels)


def reply(query, records, truncated=False):
    name, qtype, _ = question(query)
    header = query[:2] + struct.pack(">HHHHH", 0x8180 | (0x200 if truncated else 0), 1, len(records), 0, 0)
    body = name + struct.pack(">HH", qtype, 1)
    for rtype, rdata in records:
        body += b"\xc0\x0c" + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata
    return header + body


def records_for(name):
    """(records, big): big answers go over TCP only."""
    if name.startswith("many"):
        return [(1000 + index, b"") for index in range(3003)], True
    if name.startswith("big"):
        return [(1, bytes([10, 0, index >> 8, index & 255])) for index in range(4000)], True
    return [(1, bytes([192, 0, 2, 1]))], False


def serve_upstream(port):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", port))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", port))
    tcp.listen(512)

    def answer_udp():
        while True:
            query, address = udp.recvfrom(65535)
            records, big = records_for(question(query)[2])
            udp.sendto(reply(query, [] if big else records, truncated=big), address)

    def answer_connection(connection):
        with connection:
            length = struct.unpack(">H", connection.recv(2, socket.MSG_WAITALL))[0]
            query = connection.recv(length, socket.MSG_WAITALL)
            message = reply(query, records_for(question(query)[2])[0])
            connection.sendall(struct.pack(">H", len(message)) + message)

    def answer_tcp():
        while True:
            connection, _ = tcp.accept()
            threading.Thread(target=answer_connection, args=(connection,), daemon=True).start()

    threading.Thread(target=answer_udp, daemon=True).start()
    threading.Thread(target=answer_tcp, daemon=True).start()


def free_port():
    """A loopback port free for both TCP and UDP right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as stream, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagram:
            stream.bind(("127.0.0.1", 0))
            port = stream.getsockname()[1]
            try:
                datagram.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit("no free port")


def start_server(binary, upstream, extra):
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--manifests", os.path.join(ROOT, "zones"), "--listen", f"127.0.0.1:{port}",
         "--upstream", f"127.0.0.1:{upstream}", "--http", "none"] + extra,
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in process.stderr:
        if "listening on" in line:
            break
    if process.poll() is not None:
        sys.exit(f"{binary} did not start (exit {process.returncode})")
    return process, port


def query(name, qtype, query_id=1):
    return struct.pack(">HHHHHH", query_id, 0x0100, 1, 0, 0, 0) + wire(name) + struct.pack(">HH", qtype, 1)


def ask_tcp(port, message):
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(struct.pack(">H", len(message)) + message)
        length = struct.unpack(">H", connection.recv(2, socket.MSG_WAITALL))[0]
        return connection.recv(length, socket.MSG_WAITALL)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    return 0


def reply_cost(binary, rounds):
    upstream = free_port()
    serve_upstream(upstream)
    process, port = start_server(binary, upstream, [])
    try:
        ask_tcp(port, query("many.test", 255))

        def burst():
            connections = []
            for index in range(100):
                connection = socket.create_connection(("127.0.0.1", port))
                message = query("many.test", 255, index)
                connection.sendall(struct.pack(">H", len(message)) + message)
                connections.append(connection)
            whole = 0
            for connection in connections:
                length = struct.unpack(">H", connection.recv(2, socket.MSG_WAITALL))[0]
                answer = connection.recv(length, socket.MSG_WAITALL)
                whole += struct.unpack(">H", answer[6:8])[0] == 3003
                connection.close()
            return whole

        latencies, stopping = [], threading.Event()

        def probe():
            prober = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            prober.settimeout(5)
            index = 0
            while not stopping.is_set():
                started = time.time()
                prober.sendto(query(f"probe{index}.test", 1, index & 0xFFFF), ("127.0.0.1", port))
                try:
                    prober.recv(4096)
                    latencies.append(time.time() - started)
                except socket.timeout:
                    latencies.append(float("inf"))
                index += 1
                time.sleep(0.002)

        thread = threading.Thread(target=probe)
        thread.start()
        time.sleep(0.2)
        before = cpu_seconds(process.pid)
        whole = sum(burst() for _ in range(rounds))
        spent = cpu_seconds(process.pid) - before
        stopping.set()
        thread.join()
        latencies.sort()
        print(f"{binary}: {whole} whole replies of 3003 RRsets; server CPU {spent * 1000 / max(1, whole):.2f} ms per reply; "
              f"other lookups waited at most {latencies[-1]:.3f} s (median {latencies[len(latencies) // 2]:.4f} s, {len(latencies)} probes)")
    finally:
        process.terminate()
        process.wait()


def cache_memory(binary, answers, extra):
    upstream = free_port()
    serve_upstream(upstream)
    process, port = start_server(binary, upstream, extra)
    try:
        ask_tcp(port, query("big-warm.test", 1))
        before = resident_kib(process.pid)
        for index in range(answers):
            ask_tcp(port, query(f"big{index}.test", 1))
        after = resident_kib(process.pid)
        print(f"{binary} {' '.join(extra)}: {answers} answers of 4000 records (64 KB): resident {before} -> {after} KiB, "
              f"+{(after - before) / 1024:.1f} MiB, {(after - before) / answers:.0f} KiB per answer")
    finally:
        process.terminate()
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("measure", choices=["reply-cost", "cache-memory"])
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--answers", type=int, default=500)
    args, rest = parser.parse_known_args()
    flags = [flag for flag in rest if flag != "--"]
    if args.measure == "reply-cost":
        reply_cost(args.binary, args.rounds)
    else:
        cache_memory(args.binary, args.answers, flags)


if __name__ == "__main__":
    sys.exit(main())
