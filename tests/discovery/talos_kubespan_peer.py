#!/usr/bin/env python3
"""A Talos node's KubeSpan side, written apart from nodenet's C++ (python3-cryptography for the
X25519 key and Talos's ciphers, hashlib for the address, python3-grpcio for the discovery calls,
protobuf by hand from the field numbers of talos-network-engine.md §3-§4), so that a WireGuard
tunnel between a nodenet node and a machine configured only from this script's output proves
that the two agree on identity, address, PSK, allowed IPs and endpoints.

  talos_kubespan_peer.py --endpoint HOST:PORT --cluster-id ID --secret BASE64 --node-id ID
                         --hostname NAME --address IP --mac MAC [--peer-mac MAC]
                         [--private-key BASE64] [--wg-config FILE] [--timeout S]

As Talos's KubeSpan identity, LocalAffiliateController and discovery client do:
- the key: an X25519 key pair (or --private-key);
- its own address: the cluster's KubeSpan ULA /64 (SHA-256 of the cluster ID, last 16 bytes,
  byte 0 = 0xfd, byte 7 = 0x02) with the EUI-64 of --mac as host part; with --peer-mac, the
  address it expects the peer to have, computed the same way;
- Hello (the service reports the public IP), then AffiliateUpdate: the affiliate with its KubeSpan
  part (public key, address, no additional addresses) and, sealed apart, the endpoints: the node
  addresses and the public IP, each with port 51820;
- Watch until another affiliate has a KubeSpan public key and an endpoint, and read it as a
  PeerSpec: allowed IPs = additional addresses + node addresses - excluded networks + its /128.

Prints one JSON object: {"address", "public_key", "expected_peer_address", "published_endpoints",
"peer": {...}, "wg_config"} and, with --wg-config, writes the `wg setconf` file: private key,
listen port 51820, fwmark 0x20, the peer with the cluster secret as preshared key, its first
endpoint, allowed IPs and keepalive 25 s. Exit 1 if no such peer appeared before the timeout.
"""

import argparse
import base64
import hashlib
import ipaddress
import json
import os
import sys
import time

import grpc
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from talos_peer import SERVICE, call, fields, read_affiliate as read_client_affiliate  # noqa: E402
from vectors import (field_bytes, field_message, field_varint, hand_affiliate, hand_endpoint,  # noqa: E402
                     open_data, open_endpoint, seal_data, seal_endpoint)

PORT = 51820  # Talos's KubeSpan listen port
KEEPALIVE = 25
FWMARK = 0x20


def kubespan_prefix(cluster_id):
    """The cluster's KubeSpan ULA: SHA-256(cluster ID)'s last 16 bytes, fd.., purpose byte 0x02."""
    raw = bytearray(hashlib.sha256(cluster_id.encode()).digest()[-16:])
    raw[0] = 0xFD
    raw[7] = 0x02
    return ipaddress.ip_network((bytes(raw[:8]) + bytes(8), 64))


def eui64_address(prefix, mac):
    """RFC 4291 appendix A: the MAC split by ff:fe, the universal/local bit flipped."""
    m = bytes.fromhex(mac.replace(":", "").replace("-", ""))
    if len(m) != 6:
        raise SystemExit("not a 48-bit MAC: " + mac)
    host = bytes([m[0] ^ 0x02]) + m[1:3] + b"\xff\xfe" + m[3:6]
    return str(ipaddress.IPv6Address(prefix.network_address.packed[:8] + host))


def read_prefix(buf):
    f = dict(fields(buf))
    return "%s/%d" % (ipaddress.ip_address(f.get(1, b"")), f.get(2, 0))


def read_affiliate(data):
    """The client Affiliate as talos_peer.py reads it, with kubespan=7{public_key=1, address=2,
    additional_addresses=3, exclude_advertised_addresses=4}."""
    a = read_client_affiliate(data)
    a["kubespan"] = None
    for number, value in fields(data):
        if number != 7:
            continue
        k = {"public_key": "", "address": "", "additional_addresses": [], "exclude_advertised_networks": []}
        for n, v in fields(value):
            if n == 1:
                k["public_key"] = v.decode()
            elif n == 2:
                k["address"] = str(ipaddress.ip_address(v))
            elif n == 3:
                k["additional_addresses"].append(read_prefix(v))
            elif n == 4:
                k["exclude_advertised_networks"].append(read_prefix(v))
        a["kubespan"] = k
    return a


def read_endpoint(plain):
    """Endpoint{ip=1, port=2} as "ip:port" / "[ip]:port"."""
    f = dict(fields(plain))
    ip = ipaddress.ip_address(f.get(1, b""))
    return ("[%s]" % ip if ip.version == 6 else str(ip)) + ":%d" % f.get(2, 0)


def allowed_ips(peer):
    """PeerSpecController: additional addresses + node addresses as single IPs - excluded + /128."""
    k = peer["kubespan"]
    nets = [ipaddress.ip_network(p, strict=False) for p in k["additional_addresses"]]
    nets += [ipaddress.ip_network(a) for a in peer["addresses"]]
    for ex in k["exclude_advertised_networks"]:
        ex = ipaddress.ip_network(ex, strict=False)
        kept = []
        for n in nets:
            if n.version != ex.version or not n.overlaps(ex):
                kept.append(n)
            elif not n.subnet_of(ex):
                kept.extend(n.address_exclude(ex))
        nets = kept
    nets.append(ipaddress.ip_network(k["address"] + "/128"))
    out = []
    for n in nets:
        if str(n) not in out:
            out.append(str(n))
    return out


def main():
    p = argparse.ArgumentParser()
    for name in ("endpoint", "cluster-id", "secret", "node-id", "hostname", "address", "mac"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--peer-mac")
    p.add_argument("--private-key")
    p.add_argument("--wg-config")
    p.add_argument("--timeout", type=float, default=30)
    args = p.parse_args()

    secret = base64.b64decode(args.secret, validate=True)
    if len(secret) != 32:
        raise SystemExit("the cluster secret is not 32 bytes: it is the AES-256 key and the WireGuard PSK")
    cluster = args.cluster_id.encode()

    if args.private_key:
        private = X25519PrivateKey.from_private_bytes(base64.b64decode(args.private_key))
    else:
        private = X25519PrivateKey.generate()
    raw = serialization.Encoding.Raw
    private_b64 = base64.b64encode(private.private_bytes(raw, serialization.PrivateFormat.Raw,
                                                         serialization.NoEncryption())).decode()
    public_b64 = base64.b64encode(private.public_key().public_bytes(raw, serialization.PublicFormat.Raw)).decode()
    prefix = kubespan_prefix(args.cluster_id)
    address = eui64_address(prefix, args.mac)

    channel = grpc.insecure_channel(args.endpoint)
    # Hello{cluster_id=1, client_version=2} -> {redirect=1, client_ip=2}
    hello = dict(fields(call(channel, "Hello", field_bytes(1, cluster) + field_bytes(2, b"v1.11.0"))))
    public_ip = str(ipaddress.ip_address(hello[2])) if 2 in hello else None

    # Endpoints: the node addresses (not the KubeSpan one), then the public IP if new, port 51820.
    endpoint_ips = [args.address]
    if public_ip and public_ip not in endpoint_ips:
        endpoint_ips.append(public_ip)
    endpoints = [("[%s]" % ip if ":" in ip else ip) + ":%d" % PORT for ip in endpoint_ips]

    affiliate = {
        "node_id": args.node_id, "addresses": [args.address], "hostname": args.hostname,
        "nodename": args.hostname.split(".")[0], "machine_type": "worker", "operating_system": "Talos (v1.11.0)",
        "kubespan": {"public_key": public_b64, "address": address, "additional_addresses": [],
                     "exclude_advertised_networks": []},
    }
    data = seal_data(secret, hand_affiliate(affiliate), os.urandom(12))
    # AffiliateUpdate{cluster_id=1, affiliate_id=2, affiliate_data=3, affiliate_endpoints=4, ttl=5{seconds=1}}
    update = field_bytes(1, cluster) + field_bytes(2, args.node_id.encode()) + field_bytes(3, data)
    for e in endpoints:
        update += field_bytes(4, seal_endpoint(secret, hand_endpoint(e)))
    call(channel, "AffiliateUpdate", update + field_message(5, field_varint(1, 1800)))

    peer = None
    watch = channel.unary_stream(SERVICE + "Watch", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    deadline = time.monotonic() + args.timeout
    stream = watch(field_bytes(1, cluster), timeout=args.timeout)
    try:
        for message in stream:
            # WatchResponse{affiliates=1 (Affiliate{id=1, data=2, endpoints=3}), deleted=2}
            items = list(fields(message))
            if any(n == 2 and v for n, v in items):
                continue
            for number, value in items:
                if number != 1:
                    continue
                server_affiliate = list(fields(value))
                node_id = next((v.decode() for n, v in server_affiliate if n == 1), "")
                sealed = next((v for n, v in server_affiliate if n == 2), b"")
                if node_id == args.node_id or len(sealed) < 28:
                    continue
                try:
                    a = read_affiliate(open_data(secret, sealed))
                except Exception:  # another cluster's secret: skipped, as Talos does
                    continue
                a["endpoints"] = [read_endpoint(open_endpoint(secret, v))
                                  for n, v in server_affiliate if n == 3 and len(v) % 16 == 0]
                if a["kubespan"] and a["kubespan"]["public_key"] and a["endpoints"]:
                    peer = a
            if peer or time.monotonic() > deadline:
                break
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
            raise
    stream.cancel()

    out = {"address": address, "prefix": str(prefix), "public_key": public_b64, "published_endpoints": endpoints,
           "client_ip": public_ip,
           "expected_peer_address": eui64_address(prefix, args.peer_mac) if args.peer_mac else None,
           "peer": peer, "wg_config": None}
    if peer:
        peer["allowed_ips"] = allowed_ips(peer)
        # The PSK is the cluster secret itself (Talos: wgtypes.ParseKey(SharedSecret)), the first
        # endpoint is the one Talos tries first.
        out["wg_config"] = (
            "[Interface]\nPrivateKey = %s\nListenPort = %d\nFwMark = 0x%x\n\n"
            "[Peer]\nPublicKey = %s\nPresharedKey = %s\nEndpoint = %s\nAllowedIPs = %s\nPersistentKeepalive = %d\n"
            % (private_b64, PORT, FWMARK, peer["kubespan"]["public_key"], base64.b64encode(secret).decode(),
               peer["endpoints"][0], ", ".join(peer["allowed_ips"]), KEEPALIVE))
        if args.wg_config:
            with open(args.wg_config, "w") as f:
                f.write(out["wg_config"])
    print(json.dumps(out))
    return 0 if peer else 1


if __name__ == "__main__":
    sys.exit(main())
