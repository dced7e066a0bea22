// The test publisher of bench/kubespan_bench.sh: N synthetic Talos nodes with KubeSpan in one
// cluster of `nodenet discovery-server`, published as real affiliates (sealed with the cluster
// secret by nodenet's own codec and AES-GCM, as a node's local affiliate is) for a nodenet daemon
// to turn into KubeSpan peers. Each node has a real X25519 key pair (only the public key is
// published; nothing answers on the other end), a ULA KubeSpan address, a pod CIDR, two node
// addresses and ENDPOINTS endpoints.
//
//   kubespan_publish --target 127.0.0.1:3001 --cluster-id ID --secret BASE64 [--affiliates 500]
//
// It publishes every affiliate, prints `published n=500 first=… last=…` (wall clock, seconds with
// microseconds, as bash's $EPOCHREALTIME, which the script compares them with), then reads
// commands on stdin, one a line:
//   endpoint I    moves affiliate I's first endpoint to another port (51820 ↔ 51821)
//   address I     moves affiliate I's pod CIDR (10.244.x.0/24 ↔ 10.245.x.0/24)
//   key I         prints affiliate I's public key
// and answers each with one line: `done key=<base64> endpoint=<ip:port> cidr=<prefix> sent=…
// acked=…` (before the AffiliateUpdate call and after its answer). Affiliates are published with a TTL of 30 minutes: no refresh is needed while it
// runs. EOF on stdin ends it.
#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/synthetic_affiliate.h"
#include "discovery/affiliate_crypto.h"
#include "discovery/affiliate_seal.h"
#include "discovery/proto/cluster.grpc.pb.h"
#include "wireguard/key.h"

namespace pb = sidero::discovery::server;
using namespace nodenet;

namespace {

// Wall clock as $EPOCHREALTIME prints it.
std::string now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%06ld", static_cast<long long>(ts.tv_sec), ts.tv_nsec / 1000);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    std::string target = "127.0.0.1:3000", cluster_id, secret;
    int affiliates = 500, endpoints = 1;
    unsigned seed = 1;
    CLI::App app{"KubeSpan affiliates for bench/kubespan_bench.sh"};
    app.add_option("--target", target)->capture_default_str();
    app.add_option("--cluster-id", cluster_id)->required();
    app.add_option("--secret", secret, "Cluster secret (base64)")->required();
    app.add_option("--affiliates", affiliates)->check(CLI::Range(1, 1024))->capture_default_str();
    app.add_option("--endpoints", endpoints, "Per affiliate (1: IPv4; 2: and IPv6)")->check(CLI::Range(1, 2))->capture_default_str();
    app.add_option("--seed", seed)->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    auto key = discovery::parse_cluster_secret(secret);
    if (!key) {
        std::fprintf(stderr, "kubespan_publish: --secret: %s\n", key.error().c_str());
        return 2;
    }
    std::mt19937_64 rng(seed);
    std::vector<discovery::Affiliate> nodes;
    for (int i = 0; i < affiliates; ++i) {
        wireguard::Key priv;
        for (auto& b : priv.bytes) b = static_cast<uint8_t>(rng());
        auto pub = wireguard::public_key(priv);
        if (!pub) {
            std::fprintf(stderr, "kubespan_publish: %s\n", pub.error().c_str());
            return 1;
        }
        char head[32];
        std::snprintf(head, sizeof head, "ksbench%05d", i);
        std::string id = head;
        while (id.size() < 44) id += "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"[rng() % 57];
        nodes.push_back(bench::synthetic_affiliate(i, id, wireguard::to_base64(*pub), endpoints));
        if (auto st = discovery::check_affiliate(nodes.back()); !st.ok()) {
            std::fprintf(stderr, "kubespan_publish: affiliate %d: %s\n", i, st.error().c_str());
            return 1;
        }
    }

    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(16 << 20);
    auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20))) {
        std::fprintf(stderr, "kubespan_publish: cannot connect to %s\n", target.c_str());
        return 1;
    }
    auto stub = pb::Cluster::NewStub(channel);
    auto publish = [&](const discovery::Affiliate& a) -> bool {
        discovery::Nonce nonce;
        for (auto& b : nonce) b = static_cast<uint8_t>(rng());
        auto sealed = discovery::seal_affiliate(*key, a, nonce);
        if (!sealed) {
            std::fprintf(stderr, "kubespan_publish: %s\n", sealed.error().c_str());
            return false;
        }
        pb::AffiliateUpdateRequest r;
        r.set_cluster_id(cluster_id);
        r.set_affiliate_id(a.node_id);
        r.mutable_ttl()->set_seconds(30 * 60);
        r.set_affiliate_data(sealed->data);
        for (const auto& e : sealed->endpoints) r.add_affiliate_endpoints(e);
        pb::AffiliateUpdateResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        grpc::Status s = stub->AffiliateUpdate(&context, r, &response);
        if (!s.ok()) std::fprintf(stderr, "kubespan_publish: AffiliateUpdate: %s\n", s.error_message().c_str());
        return s.ok();
    };

    std::string first = now();
    for (const auto& a : nodes)
        if (!publish(a)) return 1;
    std::printf("published n=%d first=%s last=%s\n", affiliates, first.c_str(), now().c_str());
    std::fflush(stdout);

    for (std::string line; std::getline(std::cin, line);) {
        std::istringstream in(line);
        std::string cmd;
        int i = -1;
        in >> cmd >> i;
        if (i < 0 || i >= affiliates) {
            std::printf("error index\n");
            std::fflush(stdout);
            continue;
        }
        auto& a = nodes[static_cast<size_t>(i)];
        if (cmd == "endpoint") {
            auto& e = a.kubespan.endpoints.front();
            e.port = e.port == 51820 ? 51821 : 51820;
        } else if (cmd == "address") {
            auto& p = a.kubespan.additional_addresses.front();
            std::string text = p.str();
            text = text.starts_with("10.244.") ? "10.245." + text.substr(7) : "10.244." + text.substr(7);
            p = *state::parse_ip_prefix(text);
        } else if (cmd != "key") {
            std::printf("error command\n");
            std::fflush(stdout);
            continue;
        }
        std::string sent = now();
        if (cmd != "key" && !publish(a)) return 1;
        std::string acked = now();
        std::printf("done key=%s endpoint=%s cidr=%s sent=%s acked=%s\n", a.kubespan.public_key.c_str(),
                    a.kubespan.endpoints.front().str().c_str(), a.kubespan.additional_addresses.front().str().c_str(),
                    sent.c_str(), acked.c_str());
        std::fflush(stdout);
    }
    return 0;
}
