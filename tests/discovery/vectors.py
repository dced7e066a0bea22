#!/usr/bin/env python3
"""Discovery vectors from an implementation independent of nodenet's C++ code.

Ciphers: python3-cryptography (AES-GCM, AES-ECB). Protobuf: python3-protobuf with the *_pb2 modules
protoc makes from discovery/proto, and, to check the .proto files' field numbers themselves, a
small hand encoder that writes the messages from the numbers in the reference
(talos-network-engine.md §4.3) alone. tests/discovery/vectors_test.cpp runs this script at test
time (nothing is committed, so nothing goes stale):

  vectors.py --pb-dir DIR make        JSON on stdout: plaintexts, sealed data and endpoints, and
                                      service messages, for nodenet to decrypt and decode
  vectors.py --pb-dir DIR open FILE   FILE is JSON {key, id, data, endpoints} (hex) that nodenet
                                      sealed; prints the affiliate as Talos's client would read it

DIR holds affiliate_pb2.py and cluster_pb2.py (protoc --python_out).
"""

import base64
import ipaddress
import json
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY = bytes(range(1, 33))
OTHER_KEY = bytes(range(101, 133))
NONCE = bytes.fromhex("000102030405060708090a0b")

# ---- a protobuf writer from the field numbers alone ---------------------------------------------


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(number, value):
    """Wire type 2 (string, bytes, message); proto3 leaves an empty one out."""
    return varint(number << 3 | 2) + varint(len(value)) + value if value else b""


def field_message(number, value):
    """A set message field is written even when empty (optional / message presence)."""
    return varint(number << 3 | 2) + varint(len(value)) + value


def field_varint(number, value):
    return varint(number << 3 | 0) + varint(value) if value else b""


def ip_bytes(text):
    return ipaddress.ip_address(text).packed


def hand_prefix(text):
    net = ipaddress.ip_interface(text)
    return field_bytes(1, net.ip.packed) + field_varint(2, net.network.prefixlen)


def hand_affiliate(a):
    """Affiliate{node_id=1, addresses=2, hostname=3, nodename=4, machine_type=5,
    operating_system=6, kubespan=7, control_plane=8}; KubeSpan{public_key=1, address=2,
    additional_addresses=3, exclude_advertised_addresses=4}; IPPrefix{ip=1, bits=2};
    ControlPlane{api_server_port=1}."""
    out = field_bytes(1, a["node_id"].encode())
    for ip in a["addresses"]:
        out += field_bytes(2, ip_bytes(ip))
    out += field_bytes(3, a["hostname"].encode())
    out += field_bytes(4, a["nodename"].encode())
    out += field_bytes(5, a["machine_type"].encode())
    out += field_bytes(6, a["operating_system"].encode())
    k = a.get("kubespan")
    if k:
        body = field_bytes(1, k["public_key"].encode()) + field_bytes(2, ip_bytes(k["address"]))
        for p in k["additional_addresses"]:
            body += field_message(3, hand_prefix(p))
        for p in k["exclude_advertised_networks"]:
            body += field_message(4, hand_prefix(p))
        out += field_message(7, body)
    if a.get("api_server_port"):
        out += field_message(8, field_varint(1, a["api_server_port"]))
    return out


def hand_endpoint(text):
    """Endpoint{ip=1, port=2}."""
    host, port = text.rsplit(":", 1)
    return field_bytes(1, ip_bytes(host.strip("[]"))) + field_varint(2, int(port))


# ---- the same through the generated modules -------------------------------------------------------


def pb2_affiliate(affiliate_pb2, a):
    m = affiliate_pb2.Affiliate(
        node_id=a["node_id"].encode(),
        addresses=[ip_bytes(ip) for ip in a["addresses"]],
        hostname=a["hostname"].encode(),
        nodename=a["nodename"].encode(),
        machine_type=a["machine_type"].encode(),
        operating_system=a["operating_system"].encode(),
    )
    k = a.get("kubespan")
    if k:
        m.kubespan.public_key = k["public_key"].encode()
        m.kubespan.address = ip_bytes(k["address"])

        def prefix(text):
            net = ipaddress.ip_interface(text)
            return affiliate_pb2.IPPrefix(ip=net.ip.packed, bits=net.network.prefixlen)

        m.kubespan.additional_addresses.extend(prefix(p) for p in k["additional_addresses"])
        m.kubespan.exclude_advertised_addresses.extend(prefix(p) for p in k["exclude_advertised_networks"])
    if a.get("api_server_port"):
        m.control_plane.api_server_port = a["api_server_port"]
    return m.SerializeToString()


def pb2_endpoint(affiliate_pb2, text):
    host, port = text.rsplit(":", 1)
    return affiliate_pb2.Endpoint(ip=ip_bytes(host.strip("[]")), port=int(port)).SerializeToString()


# ---- Talos's ciphers -----------------------------------------------------------------------------


def seal_data(key, plaintext, nonce):
    return nonce + AESGCM(key).encrypt(nonce, plaintext, None)


def open_data(key, sealed):
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], None)


def seal_endpoint(key, plaintext):
    block = bytes([len(plaintext)]) + plaintext
    block += b"\0" * (-len(block) % 16)
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def open_endpoint(key, sealed):
    """As discovery-client's parseReply: whole blocks, the length byte, the bytes it counts."""
    assert len(sealed) % 16 == 0, "endpoint is not whole AES blocks"
    dec = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    plain = dec.update(sealed) + dec.finalize()
    return plain[1 : 1 + plain[0]]


# ---- the affiliates ------------------------------------------------------------------------------

# A control plane with KubeSpan, as a Talos node publishes it (the node ID is the one in Talos's own
# identity test). Mirrored in vectors_test.cpp.
CONTROL_PLANE = {
    "node_id": "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L",
    "addresses": ["10.5.0.2", "2001:db8::2"],
    "hostname": "cp-1.example.net",
    "nodename": "cp-1",
    "machine_type": "controlplane",
    "operating_system": "Talos (v1.11.0)",
    "kubespan": {
        "public_key": "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY=",
        "address": "fd50:8d60:4238:6302:f857:23ff:fe21:d1e0",
        "additional_addresses": ["10.244.3.0/24"],
        "exclude_advertised_networks": ["192.168.0.0/16"],
    },
    "api_server_port": 6443,
    "endpoints": ["10.5.0.2:51820", "[2001:db8::2]:51820"],
}

# A worker without KubeSpan: no KubeSpan part, no control plane part.
WORKER = {
    "node_id": "Utoh3O0ZvnMx3ZBRqgmUgY3TbXDnPh27uqIgmjEjoPT",
    "addresses": ["192.0.2.7"],
    "hostname": "worker-7",
    "nodename": "worker-7",
    "machine_type": "worker",
    "operating_system": "Debian GNU/Linux 12 (bookworm)",
    "endpoints": [],
}


def load_pb2(pb_dir):
    sys.path.insert(0, pb_dir)
    import affiliate_pb2  # noqa: E402
    import cluster_pb2  # noqa: E402

    return affiliate_pb2, cluster_pb2


def make(pb_dir):
    affiliate_pb2, cluster_pb2 = load_pb2(pb_dir)
    out = {"key": KEY.hex(), "secret": base64.b64encode(KEY).decode(), "affiliates": {}}
    for name, a in (("controlplane", CONTROL_PLANE), ("worker", WORKER)):
        plain = pb2_affiliate(affiliate_pb2, a)
        hand = hand_affiliate(a)
        if plain != hand:
            raise SystemExit(f"{name}: the .proto's encoding differs from the reference's field numbers:\n"
                             f"  pb2  {plain.hex()}\n  hand {hand.hex()}")
        endpoints = []
        for e in a["endpoints"]:
            e_plain = pb2_endpoint(affiliate_pb2, e)
            if e_plain != hand_endpoint(e):
                raise SystemExit(f"endpoint {e}: the .proto's encoding differs from the reference's")
            endpoints.append({"text": e, "plain": e_plain.hex(), "sealed": seal_endpoint(KEY, e_plain).hex()})
        out["affiliates"][name] = {
            "id": a["node_id"],
            "plain": plain.hex(),
            "nonce": NONCE.hex(),
            "sealed": seal_data(KEY, plain, NONCE).hex(),
            "sealed_other_key": seal_data(OTHER_KEY, plain, NONCE).hex(),
            "endpoints": endpoints,
        }

    # What a service sends and receives, written by hand from the API's field numbers and checked
    # against the generated module. WatchResponse{affiliates=1 [Affiliate{id=1, data=2,
    # endpoints=3}], deleted=2}; HelloResponse{redirect=1 {endpoint=1}, client_ip=2};
    # AffiliateUpdateRequest{cluster_id=1, affiliate_id=2, affiliate_data=3, affiliate_endpoints=4,
    # ttl=5 {seconds=1}}.
    cp = out["affiliates"]["controlplane"]
    server_affiliate = (field_bytes(1, cp["id"].encode()) + field_bytes(2, bytes.fromhex(cp["sealed"])) +
                        b"".join(field_bytes(3, bytes.fromhex(e["sealed"])) for e in cp["endpoints"]))
    watch = field_message(1, server_affiliate)
    watch_pb2 = cluster_pb2.WatchResponse()
    watch_pb2.affiliates.add(id=cp["id"].encode(), data=bytes.fromhex(cp["sealed"]),
                             endpoints=[bytes.fromhex(e["sealed"]) for e in cp["endpoints"]])
    hello = field_message(1, field_bytes(1, b"discovery.example.net:443")) + field_bytes(2, ip_bytes("203.0.113.9"))
    hello_pb2 = cluster_pb2.HelloResponse(client_ip=ip_bytes("203.0.113.9"))
    hello_pb2.redirect.endpoint = b"discovery.example.net:443"
    cluster_id = base64.b64encode(bytes(range(200, 232))).decode()
    update = (field_bytes(1, cluster_id.encode()) + field_bytes(2, cp["id"].encode()) +
              field_message(3, bytes.fromhex(cp["sealed"])) +
              b"".join(field_bytes(4, bytes.fromhex(e["sealed"])) for e in cp["endpoints"]) +
              field_message(5, field_varint(1, 1800)))
    update_pb2 = cluster_pb2.AffiliateUpdateRequest(
        cluster_id=cluster_id.encode(), affiliate_id=cp["id"].encode(), affiliate_data=bytes.fromhex(cp["sealed"]),
        affiliate_endpoints=[bytes.fromhex(e["sealed"]) for e in cp["endpoints"]])
    update_pb2.ttl.seconds = 1800
    for name, hand, generated in (("watch", watch, watch_pb2), ("hello", hello, hello_pb2),
                                  ("update", update, update_pb2)):
        if generated.SerializeToString() != hand:
            raise SystemExit(f"{name}: cluster.proto's encoding differs from the reference's field numbers")
    out["service"] = {"watch": watch.hex(), "hello": hello.hex(), "update": update.hex(), "cluster_id": cluster_id}
    json.dump(out, sys.stdout, indent=1)


def open_sealed(pb_dir, path):
    affiliate_pb2, _ = load_pb2(pb_dir)
    with open(path) as f:
        given = json.load(f)
    key = bytes.fromhex(given["key"])
    m = affiliate_pb2.Affiliate()
    m.ParseFromString(open_data(key, bytes.fromhex(given["data"])))

    def ip(b):
        return str(ipaddress.ip_address(b)) if b else ""

    def prefixes(items):
        return [f"{ip(p.ip)}/{p.bits}" for p in items]

    out = {
        "node_id": m.node_id.decode(),
        "addresses": [ip(a) for a in m.addresses],
        "hostname": m.hostname.decode(),
        "nodename": m.nodename.decode(),
        "machine_type": m.machine_type.decode(),
        "operating_system": m.operating_system.decode(),
        "has_kubespan": m.HasField("kubespan"),
        "has_control_plane": m.HasField("control_plane"),
        "api_server_port": m.control_plane.api_server_port,
        "public_key": m.kubespan.public_key.decode(),
        "kubespan_address": ip(m.kubespan.address),
        "additional_addresses": prefixes(m.kubespan.additional_addresses),
        "exclude_advertised_networks": prefixes(m.kubespan.exclude_advertised_addresses),
        "endpoints": [],
        "endpoint_sizes": [],
    }
    for blob in given["endpoints"]:
        raw = bytes.fromhex(blob)
        e = affiliate_pb2.Endpoint()
        e.ParseFromString(open_endpoint(key, raw))
        addr = ipaddress.ip_address(e.ip)
        host = f"[{addr}]" if addr.version == 6 else str(addr)
        out["endpoints"].append(f"{host}:{e.port}")
        out["endpoint_sizes"].append(len(raw))
    json.dump(out, sys.stdout, indent=1)


def main(argv):
    if len(argv) >= 3 and argv[0] == "--pb-dir" and argv[2] == "make":
        make(argv[1])
    elif len(argv) >= 4 and argv[0] == "--pb-dir" and argv[2] == "open":
        open_sealed(argv[1], argv[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
