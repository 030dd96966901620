#!/usr/bin/python3
"""A test double of the Kubernetes API server, for the end-to-end tests of the API source.

It serves, over TLS with its own CA, what `clusterdns --kubeconfig` and `kubectl` read:
  - discovery (/version, /api, /api/v1, /apis, /apis/discovery.k8s.io/v1, /apis/networking.k8s.io/v1) for kubectl;
  - LIST of namespaces, services, endpointslices, pods and ingresses, cluster-wide or per namespace, with
    limit/continue paging over a snapshot taken at the first page (items carry no kind/apiVersion,
    the list carries metadata.resourceVersion and continue), and GET of one object;
  - WATCH from a resourceVersion: ADDED/MODIFIED/DELETED frames (objects with kind/apiVersion),
    BOOKMARK frames when allowWatchBookmarks=true, the stream ended after timeoutSeconds;
    a resourceVersion older than the last compaction gets the in-band ERROR 410 frame with HTTP
    200 (as the real server does), or HTTP 410 with --gone-as-status;
  - 410 Gone with a Status body for a continue token older than the last compaction;
  - 401 with the real Status body for a missing or unknown bearer token (a client certificate
    signed by the CA is accepted instead).

A plain-HTTP control port on 127.0.0.1 lets a test change the cluster and misbehave on purpose:
  POST /apply {"resource", "object"}           create or replace an object (ADDED or MODIFIED)
  POST /delete {"resource", "namespace", "name"}
  POST /compact                                 older resourceVersions and continue tokens expire
  POST /drop-watches {"mode": "close"|"reset"}  end every open watch
  POST /down, POST /up                          an outage: connections are closed unanswered
  POST /tokens {"tokens": [...]}                the bearer tokens accepted from now on
  GET  /stats                                   lists, watches (with their resourceVersions)

Start: fake_apiserver.py --dir DIR [--port N] [--token T] [--seed FILE.json ...] [--start-down]
                         [--gone-as-status] [--expire-continue-once] [--bookmark-interval S]
It writes DIR/ca.crt, DIR/token, DIR/kubeconfig (token), DIR/kubeconfig-tokenfile and
DIR/kubeconfig-cert (client certificate), then prints "port N control M" and serves until killed.
"""

import argparse
import base64
import http.server
import json
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

RESOURCES = {
    "namespaces": {"kind": "Namespace", "apiVersion": "v1", "group": "", "namespaced": False},
    "services": {"kind": "Service", "apiVersion": "v1", "group": "", "namespaced": True},
    "endpointslices": {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1", "group": "discovery.k8s.io",
                       "namespaced": True},
    "pods": {"kind": "Pod", "apiVersion": "v1", "group": "", "namespaced": True},
    "ingresses": {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "group": "networking.k8s.io",
                  "namespaced": True},
}


def status_body(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


class Cluster:
    """The objects, the event log and the knobs, behind one condition variable."""

    def __init__(self, tokens, bookmark_interval, gone_as_status, expire_continue_once=False):
        self.cond = threading.Condition()
        self.rv = 1000
        self.objects = {name: {} for name in RESOURCES}
        self.events = []  # (rv, resource, type, object)
        self.compacted = 0
        self.tokens = set(tokens)
        self.down = False
        self.drop_generation = 0
        self.drop_mode = "close"
        self.bookmark_interval = bookmark_interval
        self.gone_as_status = gone_as_status
        self.snapshots = {}  # continue id -> (rv, items)
        # The next continue token presented is expired (as after a compaction between pages).
        self.expire_continue_once = expire_continue_once
        self.stats = {"list": {name: 0 for name in RESOURCES}, "watch": {name: 0 for name in RESOURCES},
                      "watch_from": [], "active_watches": 0, "unauthorized": 0}

    def apply(self, resource, obj):
        with self.cond:
            meta = obj.setdefault("metadata", {})
            if RESOURCES[resource]["namespaced"]:
                meta.setdefault("namespace", "default")
            key = (meta.get("namespace", ""), meta["name"])
            previous = self.objects[resource].get(key)
            self.rv += 1
            meta["resourceVersion"] = str(self.rv)
            meta.setdefault("uid", previous["metadata"]["uid"] if previous else str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            self.objects[resource][key] = obj
            self.events.append((self.rv, resource, "MODIFIED" if previous else "ADDED", obj))
            self.cond.notify_all()
            return self.rv

    def delete(self, resource, namespace, name):
        with self.cond:
            key = (namespace if RESOURCES[resource]["namespaced"] else "", name)
            obj = self.objects[resource].pop(key, None)
            if obj is None:
                return None
            self.rv += 1
            gone = json.loads(json.dumps(obj))
            gone["metadata"]["resourceVersion"] = str(self.rv)
            self.events.append((self.rv, resource, "DELETED", gone))
            self.cond.notify_all()
            return self.rv

    def compact(self):
        with self.cond:
            self.compacted = self.rv
            self.events = []
            self.snapshots = {}
            self.cond.notify_all()

    def drop_watches(self, mode):
        with self.cond:
            self.drop_mode = mode
            self.drop_generation += 1
            self.cond.notify_all()


def with_kind(resource, obj):
    meta = RESOURCES[resource]
    return {"kind": meta["kind"], "apiVersion": meta["apiVersion"], **obj}


def without_kind(obj):
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


class APIHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cluster = None  # set at start

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, body, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer ") and header[7:] in self.cluster.tokens:
            return True
        try:
            if self.connection.getpeercert():
                return True
        except (AttributeError, ValueError):
            pass
        return False

    def do_GET(self):
        cluster = self.cluster
        if cluster.down:
            self.close_unanswered()
            return
        if not self.authorized():
            with cluster.cond:
                cluster.stats["unauthorized"] += 1
            self.send_json(401, status_body(401, "Unauthorized", "Unauthorized"))
            return
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        path = url.path.rstrip("/")
        if self.discovery(path):
            return
        route = self.route(path)
        if route is None:
            self.send_json(404, status_body(404, "NotFound", "the server could not find the requested resource"))
            return
        resource, namespace, name = route
        if name is not None:
            key = (namespace if RESOURCES[resource]["namespaced"] else "", name)
            with cluster.cond:
                obj = cluster.objects[resource].get(key)
            if obj is None:
                kind = RESOURCES[resource]["kind"].lower()
                self.send_json(404, status_body(404, "NotFound", f'{resource} "{name}" not found'))
                return
            self.send_json(200, with_kind(resource, obj))
            return
        if query.get("watch") in ("1", "true"):
            self.watch(resource, namespace, query)
        else:
            self.list(resource, namespace, query)

    def close_unanswered(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def route(self, path):
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "v1"]:
            rest = parts[2:]
        elif parts[:3] in (["apis", "discovery.k8s.io", "v1"], ["apis", "networking.k8s.io", "v1"]):
            rest = parts[3:]
        else:
            return None
        group = "" if parts[0] == "api" else parts[1]
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] in RESOURCES:
            namespace, rest = rest[1], rest[2:]
        if not rest or rest[0] not in RESOURCES or RESOURCES[rest[0]]["group"] != group or len(rest) > 2:
            return None
        return rest[0], namespace, rest[1] if len(rest) == 2 else None

    def discovery(self, path):
        if path == "/version":
            self.send_json(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0", "platform": "linux/amd64"})
        elif path == "/api":
            self.send_json(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        elif path == "/apis":
            self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [{
                "name": group, "versions": [{"groupVersion": group + "/v1", "version": "v1"}],
                "preferredVersion": {"groupVersion": group + "/v1", "version": "v1"}}
                for group in ("discovery.k8s.io", "networking.k8s.io")]})
        elif path in ("/api/v1", "/apis/discovery.k8s.io/v1", "/apis/networking.k8s.io/v1"):
            group = "" if path == "/api/v1" else path.split("/")[2]
            resources = []
            for name, meta in RESOURCES.items():
                if meta["group"] != group:
                    continue
                resources.append({"name": name, "singularName": meta["kind"].lower(), "namespaced": meta["namespaced"],
                                  "kind": meta["kind"], "verbs": ["get", "list", "watch"],
                                  "shortNames": {"services": ["svc"], "namespaces": ["ns"], "pods": ["po"]}.get(name, [])})
            self.send_json(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                 "groupVersion": "v1" if group == "" else group + "/v1", "resources": resources})
        else:
            return False
        return True

    def list(self, resource, namespace, query):
        cluster = self.cluster
        limit = int(query.get("limit", "0") or "0")
        token = query.get("continue")
        with cluster.cond:
            cluster.stats["list"][resource] += 1
            if token:
                try:
                    snapshot_id, start = json.loads(base64.b64decode(token))
                except (ValueError, TypeError):
                    self.send_json(400, status_body(400, "BadRequest", "invalid continue token"))
                    return
                if cluster.expire_continue_once:
                    cluster.expire_continue_once = False
                    cluster.snapshots.pop(snapshot_id, None)
                if snapshot_id not in cluster.snapshots:
                    self.send_json(410, status_body(
                        410, "Expired",
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."))
                    return
                rv, items = cluster.snapshots[snapshot_id]
            else:
                rv = cluster.rv
                items = [obj for key, obj in sorted(cluster.objects[resource].items())
                         if namespace is None or key[0] == namespace]
                start = 0
                snapshot_id = None
            page = items[start:start + limit] if limit > 0 else items[start:]
            metadata = {"resourceVersion": str(rv)}
            if limit > 0 and start + limit < len(items):
                if snapshot_id is None:
                    snapshot_id = uuid.uuid4().hex
                    cluster.snapshots[snapshot_id] = (rv, items)
                metadata["continue"] = base64.b64encode(json.dumps([snapshot_id, start + limit]).encode()).decode()
                metadata["remainingItemCount"] = len(items) - start - limit
            elif snapshot_id is not None:
                cluster.snapshots.pop(snapshot_id, None)
        meta = RESOURCES[resource]
        self.send_json(200, {"kind": meta["kind"] + "List", "apiVersion": meta["apiVersion"], "metadata": metadata,
                             "items": [without_kind(obj) for obj in page]})

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def watch(self, resource, namespace, query):
        cluster = self.cluster
        bookmarks = query.get("allowWatchBookmarks") in ("1", "true")
        timeout = float(query.get("timeoutSeconds", "1800"))
        requested = query.get("resourceVersion", "")
        with cluster.cond:
            cluster.stats["watch"][resource] += 1
            cluster.stats["watch_from"].append([resource, requested])
            too_old = requested not in ("", "0") and int(requested) < cluster.compacted
            current = cluster.rv
            if too_old and cluster.gone_as_status:
                self.send_json(410, status_body(410, "Expired", f"too old resource version: {requested} ({current})"))
                return
            drop_generation = cluster.drop_generation
            if requested in ("", "0"):
                # "Start at most recent": every object as ADDED, then the changes after it.
                pending = [(current, "ADDED", obj) for key, obj in sorted(cluster.objects[resource].items())
                           if namespace is None or key[0] == namespace]
                position = current
            else:
                pending = []
                position = int(requested)
            cluster.stats["active_watches"] += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        deadline = time.monotonic() + timeout
        next_bookmark = time.monotonic() + cluster.bookmark_interval
        try:
            if too_old:
                frame = {"type": "ERROR", "object": status_body(
                    410, "Expired", f"too old resource version: {requested} ({current})")}
                self.write_chunk(json.dumps(frame).encode() + b"\n")
                self.write_chunk(b"")
                return
            for rv, kind, obj in pending:
                self.write_chunk(json.dumps({"type": kind, "object": with_kind(resource, obj)}).encode() + b"\n")
            while True:
                with cluster.cond:
                    frames = []
                    while True:
                        if cluster.drop_generation != drop_generation or cluster.down:
                            mode = "reset" if cluster.down else cluster.drop_mode
                            break
                        frames = [(rv, kind, obj) for rv, res, kind, obj in cluster.events
                                  if res == resource and rv > position
                                  and (namespace is None or obj["metadata"].get("namespace") == namespace)]
                        now = time.monotonic()
                        if frames or now >= deadline or (bookmarks and now >= next_bookmark):
                            mode = None
                            break
                        cluster.cond.wait(min(deadline, next_bookmark if bookmarks else deadline) - now)
                    rv_now = cluster.rv
                if mode == "reset":
                    self.close_unanswered()
                    return
                if mode == "close":
                    self.write_chunk(b"")
                    return
                for rv, kind, obj in frames:
                    self.write_chunk(json.dumps({"type": kind, "object": with_kind(resource, obj)}).encode() + b"\n")
                    position = rv
                now = time.monotonic()
                if bookmarks and now >= next_bookmark:
                    position = max(position, rv_now)
                    meta = RESOURCES[resource]
                    frame = {"type": "BOOKMARK", "object": {"kind": meta["kind"], "apiVersion": meta["apiVersion"],
                                                             "metadata": {"resourceVersion": str(position)}}}
                    self.write_chunk(json.dumps(frame).encode() + b"\n")
                    next_bookmark = now + cluster.bookmark_interval
                if now >= deadline:
                    self.write_chunk(b"")
                    return
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True
        finally:
            with cluster.cond:
                cluster.stats["active_watches"] -= 1


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cluster = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/stats":
            with self.cluster.cond:
                self.reply(json.loads(json.dumps(self.cluster.stats)))
        else:
            self.send_error(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0") or "0")
        body = json.loads(self.rfile.read(length) or b"{}")
        cluster = self.cluster
        if self.path == "/apply":
            self.reply({"resourceVersion": str(cluster.apply(body["resource"], body["object"]))})
        elif self.path == "/delete":
            self.reply({"resourceVersion": str(cluster.delete(body["resource"], body.get("namespace", ""), body["name"]))})
        elif self.path == "/compact":
            cluster.compact()
            self.reply({"compacted": cluster.compacted})
        elif self.path == "/drop-watches":
            cluster.drop_watches(body.get("mode", "close"))
            self.reply({})
        elif self.path == "/down":
            with cluster.cond:
                cluster.down = True
                cluster.cond.notify_all()
            self.reply({})
        elif self.path == "/up":
            with cluster.cond:
                cluster.down = False
            self.reply({})
        elif self.path == "/tokens":
            with cluster.cond:
                cluster.tokens = set(body["tokens"])
            self.reply({})
        else:
            self.send_error(404)


class TLSServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, context):
        super().__init__(address, handler)
        self.context = context

    def get_request(self):
        sock, address = self.socket.accept()
        # The handshake happens in the handler's thread (on first read), never in the accept loop.
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address):
        pass


class ControlServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certificates(directory):
    """A CA, a server certificate for 127.0.0.1, ::1 and localhost, and a client certificate."""
    def path(name):
        return os.path.join(directory, name)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("ca.key"), "-out", path("ca.crt"), "-days", "2", "-subj", "/CN=fake-kubernetes-ca")
    for name, subject, extension in (
            ("server", "/CN=kube-apiserver",
             "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth"),
            ("client", "/O=system:masters/CN=clusterdns", "extendedKeyUsage=clientAuth")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", subject)
        with open(path(name + ".ext"), "w") as handle:
            handle.write(extension + "\n")
        openssl("x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                "-CAcreateserial", "-days", "2", "-out", path(name + ".crt"), "-extfile", path(name + ".ext"))


def write_kubeconfigs(directory, port, token):
    def b64(name):
        with open(os.path.join(directory, name), "rb") as handle:
            return base64.b64encode(handle.read()).decode()
    server = f"https://127.0.0.1:{port}"
    with open(os.path.join(directory, "token"), "w") as handle:
        handle.write(token + "\n")
    variants = {
        "kubeconfig": ({"certificate-authority-data": b64("ca.crt")}, {"token": token}),
        "kubeconfig-tokenfile": ({"certificate-authority": "ca.crt"}, {"tokenFile": "token"}),
        "kubeconfig-cert": ({"certificate-authority-data": b64("ca.crt")},
                            {"client-certificate-data": b64("client.crt"), "client-key-data": b64("client.key")}),
    }
    for name, (cluster, user) in variants.items():
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": server, **cluster}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "tester"}}],
            "users": [{"name": "tester", "user": user}],
        }
        # JSON is YAML: kubectl and ClusterDNS read it as a kubeconfig.
        with open(os.path.join(directory, name), "w") as handle:
            json.dump(config, handle, indent=2)


def seed(cluster, path):
    """Objects from a file: a <Kind>List, a single object, or {"resource": [objects]}."""
    with open(path) as handle:
        data = json.load(handle)
    kinds = {meta["kind"]: name for name, meta in RESOURCES.items()}
    if isinstance(data, dict) and "kind" in data:
        kind = data["kind"]
        if kind.endswith("List"):
            for item in data.get("items", []):
                cluster.apply(kinds[kind[:-4]], without_kind(item))
        elif kind in kinds:
            cluster.apply(kinds[kind], without_kind(data))
    else:
        for resource, items in data.items():
            for item in items:
                cluster.apply(resource, without_kind(item))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="token-" + uuid.uuid4().hex)
    parser.add_argument("--seed", action="append", default=[])
    parser.add_argument("--bookmark-interval", type=float, default=1.0)
    parser.add_argument("--gone-as-status", action="store_true")
    parser.add_argument("--start-down", action="store_true")
    parser.add_argument("--expire-continue-once", action="store_true",
                        help="answer the first continue token presented with 410 Expired")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    make_certificates(args.dir)
    cluster = Cluster([args.token], args.bookmark_interval, args.gone_as_status, args.expire_continue_once)
    cluster.down = args.start_down
    for path in args.seed:
        seed(cluster, path)

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(args.dir, "server.crt"), os.path.join(args.dir, "server.key"))
    context.load_verify_locations(os.path.join(args.dir, "ca.crt"))
    context.verify_mode = ssl.CERT_OPTIONAL
    APIHandler.cluster = cluster
    ControlHandler.cluster = cluster
    api = TLSServer(("127.0.0.1", args.port), APIHandler, context)
    control = ControlServer(("127.0.0.1", 0), ControlHandler)
    port = api.server_address[1]
    write_kubeconfigs(args.dir, port, args.token)
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print(f"port {port} control {control.server_address[1]}", flush=True)
    api.serve_forever()


if __name__ == "__main__":
    main()
