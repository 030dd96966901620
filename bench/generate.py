#!/usr/bin/env python3
"""Writes a synthetic cluster as Kubernetes YAML, deterministic from a seed.

    generate.py --services 10000 --seed 1 --out DIR [--pods covered|scattered] [--api-seed FILE]

70% ClusterIP services, 20% headless services with 5 ready endpoints each (an EndpointSlice;
half of them with StatefulSet-style hostnames), 10% ExternalName; named ports. One file per
namespace of 100 services, so that a one-file change is a realistic reload.

Endpoint addresses: `covered` packs 250 per /24 inside 10.244.0.0/14 (served with --pod-cidr
10.244.0.0/14); `scattered` spreads them over 172.16.0.0/12, outside every default range, as a
VPC CNI's addresses are (served with default flags: each /24 holding one is a zone of its own).

With --api-seed, the same objects also go to FILE as the test API server's seed (JSON, by
resource), with cluster IPs assigned in order from 10.96.0.0/12 as an API server would have.
"""
import json
import argparse
import os
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    parser.add_argument("--per-namespace", type=int, default=100)
    parser.add_argument("--pods", choices=["covered", "scattered"], default="covered")
    parser.add_argument("--api-seed")
    args = parser.parse_args()
    seed = {"namespaces": [], "services": [], "endpointslices": []} if args.api_seed else None
    assigned = 0

    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    pod_counter = 0
    namespaces = (args.services + args.per_namespace - 1) // args.per_namespace
    index = 0
    for n in range(namespaces):
        namespace = f"ns-{n:04d}"
        documents = [f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n"]
        if seed is not None:
            seed["namespaces"].append({"metadata": {"name": namespace}})
        for _ in range(min(args.per_namespace, args.services - index)):
            name = f"svc-{index:06d}"
            roll = rng.random()
            if roll < 0.7:
                ports = "    - name: http\n      port: 80\n      targetPort: 8080\n"
                if rng.random() < 0.3:
                    ports += "    - name: grpc\n      port: 9090\n"
                documents.append(
                    f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
                    f"spec:\n  type: ClusterIP\n  ports:\n{ports}")
                if seed is not None:
                    assigned += 1
                    value = (10 << 24) | (96 << 16) | (256 + assigned)
                    ip = ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))
                    port_list = [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]
                    if "grpc" in ports:
                        port_list.append({"name": "grpc", "port": 9090, "targetPort": 9090, "protocol": "TCP"})
                    seed["services"].append({
                        "metadata": {"name": name, "namespace": namespace},
                        "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip], "ipFamilies": ["IPv4"],
                                 "ipFamilyPolicy": "SingleStack", "ports": port_list}})
            elif roll < 0.9:
                documents.append(
                    f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
                    f"spec:\n  clusterIP: None\n  ports:\n    - name: tcp\n      port: 5432\n")
                named = rng.random() < 0.5
                endpoints = ""
                slice_endpoints = []
                for e in range(5):
                    pod_counter += 1
                    if args.pods == "covered":
                        # 250 pods per /24 inside 10.244.0.0/14 (served with --pod-cidr 10.244.0.0/14).
                        value = (10 << 24) | (244 << 16) | (pod_counter // 250) << 8 | (pod_counter % 250 + 1)
                    else:
                        # A bijection of the counter onto 172.16.0.0/12 (an odd multiplier modulo 2^20).
                        value = (172 << 24) | (16 << 16) | (pod_counter * 2654435761) % (1 << 20)
                    address = ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))
                    endpoints += f"  - addresses: [\"{address}\"]\n    conditions:\n      ready: true\n"
                    if named:
                        endpoints += f"    hostname: {name}-{e}\n"
                    slice_endpoints.append({"addresses": [address], "conditions": {"ready": True},
                                            **({"hostname": f"{name}-{e}"} if named else {})})
                documents.append(
                    f"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: {name}-abcde\n"
                    f"  namespace: {namespace}\n  labels:\n    kubernetes.io/service-name: {name}\n"
                    f"addressType: IPv4\nendpoints:\n{endpoints}ports:\n  - name: tcp\n    port: 5432\n    protocol: TCP\n")
                if seed is not None:
                    seed["services"].append({
                        "metadata": {"name": name, "namespace": namespace},
                        "spec": {"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"],
                                 "ports": [{"name": "tcp", "port": 5432, "protocol": "TCP"}]}})
                    seed["endpointslices"].append({
                        "metadata": {"name": f"{name}-abcde", "namespace": namespace,
                                     "labels": {"kubernetes.io/service-name": name}},
                        "addressType": "IPv4", "endpoints": slice_endpoints,
                        "ports": [{"name": "tcp", "port": 5432, "protocol": "TCP"}]})
            else:
                documents.append(
                    f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
                    f"spec:\n  type: ExternalName\n  externalName: ext-{index}.example.com\n")
                if seed is not None:
                    seed["services"].append({
                        "metadata": {"name": name, "namespace": namespace},
                        "spec": {"type": "ExternalName", "externalName": f"ext-{index}.example.com"}})
            index += 1
        with open(os.path.join(args.out, f"{namespace}.yaml"), "w") as handle:
            handle.write("---\n".join(documents))
    if seed is not None:
        with open(args.api_seed, "w") as handle:
            json.dump(seed, handle)


if __name__ == "__main__":
    main()
