#!/usr/bin/env python3
"""A Talos node's discovery client, written apart from nodenet's C++: python3-grpcio for the calls,
python3-cryptography for Talos's ciphers, and protobuf written and read by hand from the field
numbers of the reference (talos-network-engine.md §4.3), so that a nodenet node and this peer
seeing each other through a service proves the wire format, not nodenet agreeing with itself.

  talos_peer.py --endpoint HOST:PORT --cluster-id ID --secret BASE64 --node-id ID --hostname NAME
                --address IP [--expect N] [--timeout S] [--leave]

Publishes an affiliate as a Talos worker does (Hello, AffiliateUpdate with TTL), watches the
cluster, and prints one JSON object: {"client_ip": ..., "affiliates": {node_id: {...}}, "skipped":
[ids]} once N other affiliates were read (or at the timeout, exit 1). With --leave it deletes its
affiliate before it exits.
"""

import argparse
import base64
import ipaddress
import json
import os
import sys
import time

import grpc
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vectors import field_bytes, field_message, field_varint, hand_affiliate, seal_data  # noqa: E402

SERVICE = "/sidero.discovery.server.Cluster/"


def read_varint(buf, pos):
    shift = value = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def fields(buf):
    """(number, value) of every field: ints for varints, bytes for length-delimited ones."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(buf, pos)
        elif wire == 2:
            length, pos = read_varint(buf, pos)
            value, pos = bytes(buf[pos:pos + length]), pos + length
        else:
            raise ValueError("wire type %d" % wire)
        yield number, value


def read_affiliate(data):
    """The client Affiliate (node_id=1, addresses=2, hostname=3, nodename=4, machine_type=5,
    operating_system=6, control_plane=8{api_server_port=1})."""
    a = {"addresses": []}
    for number, value in fields(data):
        if number == 1:
            a["node_id"] = value.decode()
        elif number == 2:
            a["addresses"].append(str(ipaddress.ip_address(value)))
        elif number in (3, 4, 5, 6):
            a[{3: "hostname", 4: "nodename", 5: "machine_type", 6: "operating_system"}[number]] = value.decode()
        elif number == 8:
            a["api_server_port"] = dict(fields(value)).get(1)
    return a


def call(channel, method, request):
    rpc = channel.unary_unary(SERVICE + method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    return rpc(request, timeout=10)


def main():
    p = argparse.ArgumentParser()
    for name in ("endpoint", "cluster-id", "secret", "node-id", "hostname", "address"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--expect", type=int, default=0)
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--leave", action="store_true")
    args = p.parse_args()

    key = base64.b64decode(args.secret)
    cluster = args.cluster_id.encode()
    channel = grpc.insecure_channel(args.endpoint)

    # Hello{cluster_id=1, client_version=2} -> {redirect=1, client_ip=2}
    hello = dict(fields(call(channel, "Hello", field_bytes(1, cluster) + field_bytes(2, b"v1.11.0"))))
    client_ip = str(ipaddress.ip_address(hello[2])) if 2 in hello else None

    affiliate = {
        "node_id": args.node_id, "addresses": [args.address], "hostname": args.hostname,
        "nodename": args.hostname.split(".")[0], "machine_type": "worker", "operating_system": "Talos (v1.11.0)",
    }
    data = seal_data(key, hand_affiliate(affiliate), os.urandom(12))
    # AffiliateUpdate{cluster_id=1, affiliate_id=2, affiliate_data=3, affiliate_endpoints=4, ttl=5{seconds=1}}
    ttl = field_message(5, field_varint(1, 1800))
    call(channel, "AffiliateUpdate", field_bytes(1, cluster) + field_bytes(2, args.node_id.encode()) + field_bytes(3, data) + ttl)

    seen, skipped = {}, set()
    watch = channel.unary_stream(SERVICE + "Watch", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    deadline = time.monotonic() + args.timeout
    stream = watch(field_bytes(1, cluster), timeout=args.timeout)
    done = False
    try:
        for message in stream:
            # WatchResponse{affiliates=1 (Affiliate{id=1, data=2, endpoints=3}), deleted=2}
            items = list(fields(message))
            deleted = any(n == 2 and v for n, v in items)
            for number, value in items:
                if number != 1:
                    continue
                server_affiliate = dict(fields(value))
                node_id = server_affiliate.get(1, b"").decode()
                if node_id == args.node_id:
                    continue
                if deleted:
                    seen.pop(node_id, None)
                    continue
                sealed = server_affiliate.get(2, b"")
                if len(sealed) < 28:
                    continue
                try:
                    seen[node_id] = read_affiliate(AESGCM(key).decrypt(sealed[:12], sealed[12:], None))
                except Exception:  # another cluster's secret: skipped, as Talos does
                    skipped.add(node_id)
            if args.expect and len(seen) >= args.expect:
                done = True
                break
            if time.monotonic() > deadline:
                break
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    stream.cancel()
    if args.leave:
        call(channel, "AffiliateDelete", field_bytes(1, cluster) + field_bytes(2, args.node_id.encode()))
    print(json.dumps({"client_ip": client_ip, "affiliates": seen, "skipped": sorted(skipped)}))
    return 0 if done or not args.expect else 1


if __name__ == "__main__":
    sys.exit(main())
