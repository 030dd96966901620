#!/usr/bin/env python3
"""The API source at size: the bench's cluster served by the test API server, read by
`clusterdns serve --kubeconfig`, beside the same cluster read from its manifest directory.

    bench/api_source.py [--size L] [--binary .build/release/clusterdns]

Reported, for each source, in one run: exec → first answer of the last service (so the whole
cluster is in), RSS after load; for the API source also RSS at its peak during a forced relist
(etcd compacted while the watches were down: every resource gets 410 and is listed again, the
new state built beside the served one) and the relist peak / steady ratio. The test API server
runs on core 0 with the client side; ClusterDNS on core 1, as in bench/run.py.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the bench's helpers: data, queries, memory, processes)

FAKE = os.path.join(run.ROOT, "Tests", "FakeAPIServer", "fake_apiserver.py")


def api_seed(size):
    directory, manifests = run.generate(size, "covered")
    seed = os.path.join(directory, "api-seed.json")
    if not os.path.exists(seed) or os.path.getmtime(seed) < os.path.getmtime(os.path.join(directory, ".generated")):
        subprocess.run([sys.executable, os.path.join(run.ROOT, "bench", "generate.py"), "--services",
                        str(run.SIZES[size]), "--seed", "1", "--out", os.path.join(directory, "api-manifests"),
                        "--api-seed", seed], check=True)
    return directory, manifests, seed


def start_api(seed, workdir):
    out = open(os.path.join(workdir, "api.out"), "w")
    process = subprocess.Popen(["taskset", "-c", run.CLIENT_CORE, "/usr/bin/python3", FAKE, "--dir", workdir,
                                "--seed", seed, "--bookmark-interval", "30"], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 600
    while time.time() < deadline:
        text = open(os.path.join(workdir, "api.out")).read()
        if text.startswith("port "):
            words = text.split()
            return process, int(words[1]), int(words[3])
        if process.poll() is not None:
            raise SystemExit("test API server failed: " + text)
        time.sleep(0.1)
    raise SystemExit("test API server did not start")


def control(port, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body or {}).encode(),
                                     method="POST" if path != "/stats" else "GET")
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.loads(reply.read())


def start(binary, arguments, port):
    process = subprocess.Popen(
        run.on_server_core([binary, "serve", *arguments, "--listen", f"127.0.0.1:{port}",
                            "--http", "none", "--upstream", "none", "--log-level", "warning", "--udp-workers", "1"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return run.Server("ClusterDNS", process, port)


def first_answer(binary, arguments, probe):
    port = run.free_port()
    began = time.perf_counter()
    server = start(binary, arguments, port)
    deadline = time.time() + 600
    while time.time() < deadline:
        reply = run.query(port, probe, timeout=0.2)
        if reply is not None and reply[0] == 0 and reply[1]:
            break
        time.sleep(0.01)
    else:
        server.stop()
        raise SystemExit(f"no answer for {probe}")
    elapsed = time.perf_counter() - began
    time.sleep(1)
    return server, elapsed, run.memory(server.process.pid)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="L", choices=sorted(run.SIZES))
    parser.add_argument("--binary", default=run.BIN)
    args = parser.parse_args()

    directory, manifests, seed = api_seed(args.size)
    services = run.SIZES[args.size]
    last = services - 1
    probe = f"svc-{last:06d}.ns-{last // 100:04d}.svc.cluster.local"
    with open(seed) as handle:
        kinds = json.load(handle)
    # The probe must have an address: take the last ClusterIP service.
    for item in reversed(kinds["services"]):
        if item["spec"].get("type") == "ClusterIP" and item["spec"].get("clusterIP") != "None":
            probe = f"{item['metadata']['name']}.{item['metadata']['namespace']}.svc.cluster.local"
            break
    counts = {name: len(items) for name, items in kinds.items()}
    del kinds

    workdir = os.path.join(directory, "api-run")
    os.makedirs(workdir, exist_ok=True)
    api, api_port, control_port = start_api(seed, workdir)
    try:
        rows = []
        server, elapsed, rss = first_answer(args.binary, ["--manifests", manifests, "--pod-cidr", "10.244.0.0/14"], probe)
        server.stop()
        rows.append(("manifest directory", elapsed, rss, None))
        server, elapsed, steady = first_answer(
            args.binary, ["--kubeconfig", os.path.join(workdir, "kubeconfig"), "--pod-cidr", "10.244.0.0/14"], probe)
        try:
            lists_before = control(control_port, "/stats")["list"]
            # A forced relist: watches cut while etcd compacts, so every resume gets 410.
            control(control_port, "/down")
            # A change the watches miss, then compaction past it: resuming from before it is 410.
            control(control_port, "/apply", {"resource": "services", "object": {
                "metadata": {"name": "relist-marker", "namespace": "ns-0000"},
                "spec": {"type": "ClusterIP", "clusterIP": "10.111.0.1", "ports": [{"name": "http", "port": 80}]}}})
            control(control_port, "/compact")
            time.sleep(0.5)
            control(control_port, "/up")
            peak = steady
            began = time.perf_counter()
            served_at = None
            relist_seconds = None
            marker = "relist-marker.ns-0000.svc.cluster.local"
            # Until every resource was listed again and the change the watches missed is served,
            # then 2 s more: the relist's whole peak.
            while time.perf_counter() - began < 300:
                peak = max(peak, run.memory(server.process.pid)[0])
                if served_at is None:
                    lists = control(control_port, "/stats")["list"]
                    answer = run.query(server.port, marker, timeout=0.2)
                    if all(lists[name] > lists_before[name] for name in lists) and answer and answer[0] == 0:
                        served_at = time.perf_counter()
                        relist_seconds = served_at - began
                elif time.perf_counter() - served_at > 2:
                    break
                time.sleep(0.02)
            answered = run.query(server.port, marker)
            after = run.memory(server.process.pid)[0]
        finally:
            server.stop()
        rows.append(("API server (--kubeconfig)", elapsed, steady, (peak, after, answered, relist_seconds)))
    finally:
        api.kill()
        api.wait()

    print(f"### The API source at {args.size} ({services:,} services: "
          + ", ".join(f"{count:,} {name}" for name, count in counts.items()) + ")\n")
    print("| source | exec → first answer of the last service | RSS after load | RSS peak during a forced relist | peak / steady | RSS after the relist |")
    print("|---|---|---|---|---|---|")
    for name, elapsed, rss, relist in rows:
        if relist is None:
            print(f"| {name} | {elapsed:.2f} s | {rss:.1f} MiB | — | — | — |")
        else:
            peak, after, answered, _ = relist
            print(f"| {name} | {elapsed:.2f} s | {rss:.1f} MiB | {peak:.1f} MiB | {peak / rss:.2f} | {after:.1f} MiB |")
    print(f"\n`bench/api_source.py --size {args.size}`, {time.strftime('%Y-%m-%d %H:%M')}; "
          f"the service made while the watches were down was served {rows[-1][3][3]:.1f} s after the API came back "
          f"(answer: {rows[-1][3][2]})")


if __name__ == "__main__":
    main()
