// "Compatible" proven against another implementation: tests/discovery/vectors.py seals and encodes
// with python3-cryptography and python3-protobuf (and a hand protobuf writer that knows only the
// reference's field numbers), nodenet opens and decodes; nodenet seals, Python opens as Talos's
// client does. The _pb2 modules are made at test time by protoc from discovery/proto.
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "discovery/affiliate_seal.h"
#include "discovery/proto/cluster.pb.h"
#include "tests/child_output.h"
#include "tests/discovery/affiliate_fixtures.h"

extern char** environ;

namespace nodenet::discovery {
namespace {

using namespace fixtures;
namespace fs = std::filesystem;
using json = nlohmann::json;

struct ChildRun {
    int status = -1;  // exit code, -1 when it did not exit normally
    std::string out, err;
};

ChildRun run(const std::vector<std::string>& argv) {
    ChildRun r;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        r.err = "pipe failed";
        return r;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (spawned == 0) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        testing_support::drain_child_output(pid, out_pipe[0], err_pipe[0], deadline, r.out, r.err);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    } else {
        r.err = argv[0] + ": cannot run: " + std::strerror(spawned);
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    return r;
}

std::string from_hex(const std::string& hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

std::string to_hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (char c : bytes) {
        auto b = static_cast<unsigned char>(c);
        out += kHex[b >> 4];
        out += kHex[b & 0xF];
    }
    return out;
}

// Debian's python3 carries python3-cryptography and python3-protobuf; a python3 earlier on PATH
// (pyenv, a virtualenv) may not.
class DiscoveryVectors : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        for (const char* candidate : {"/usr/bin/python3", "python3"}) {
            ChildRun probe = run({candidate, "-c", "import cryptography, google.protobuf"});
            if (probe.status == 0) {
                python_ = candidate;
                break;
            }
        }
        if (python_.empty()) return;
        char pattern[] = "/tmp/nodenet-discovery-vectors-XXXXXX";
        if (mkdtemp(pattern) == nullptr) return;
        pb_dir_ = pattern;
        fs::path proto_dir = fs::path(NODENET_SOURCE_DIR) / "discovery" / "proto";
        protoc_ = run({NODENET_PROTOC, "-I", proto_dir.string(), "--python_out=" + pb_dir_, "affiliate.proto",
                       "cluster.proto"});
    }

    static void TearDownTestSuite() {
        if (!pb_dir_.empty()) fs::remove_all(pb_dir_);
    }

    void SetUp() override {
        if (python_.empty())
            GTEST_SKIP() << "no python3 with the cryptography and protobuf modules (Debian: python3-cryptography, "
                            "python3-protobuf; scripts/setup installs them)";
        ASSERT_EQ(protoc_.status, 0) << "protoc --python_out failed: " << protoc_.err;
    }

    static ChildRun vectors(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {python_, (fs::path(NODENET_SOURCE_DIR) / "tests/discovery/vectors.py").string(),
                                         "--pb-dir", pb_dir_};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    }

    static json make() {
        ChildRun r = vectors({"make"});
        EXPECT_EQ(r.status, 0) << r.err;
        return r.status == 0 ? json::parse(r.out) : json::object();
    }

    static inline std::string python_;
    static inline std::string pb_dir_;
    static inline ChildRun protoc_;
};

void expect_reads_python_affiliate(const json& v, const ClusterKey& key, const Affiliate& expected) {
    SCOPED_TRACE(expected.node_id);
    Affiliate data_only = expected;
    data_only.kubespan.endpoints.clear();
    std::string plain = from_hex(v["plain"]);
    // Byte for byte the same protobuf as Python's (and so as Go's: fields in number order).
    EXPECT_EQ(to_hex(encode_affiliate_data(data_only)), v["plain"].get<std::string>());
    auto decoded = decode_affiliate_data(plain);
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    EXPECT_EQ(*decoded, data_only);

    // AES-GCM with the same nonce: the same bytes as python3-cryptography's.
    Nonce nonce;
    std::string nonce_bytes = from_hex(v["nonce"]);
    std::copy(nonce_bytes.begin(), nonce_bytes.end(), nonce.begin());
    EXPECT_EQ(to_hex(*seal_affiliate_data(key, plain, nonce)), v["sealed"].get<std::string>());

    std::vector<std::string> endpoints;
    for (size_t i = 0; i < v["endpoints"].size(); ++i) {
        const json& e = v["endpoints"][i];
        endpoints.push_back(from_hex(e["sealed"]));
        EXPECT_EQ(to_hex(encode_endpoint(expected.kubespan.endpoints[i])), e["plain"].get<std::string>()) << e["text"];
        // ECB is deterministic: nodenet's blob is Python's blob, so a service merges them.
        EXPECT_EQ(to_hex(*seal_endpoint(key, from_hex(e["plain"]))), e["sealed"].get<std::string>()) << e["text"];
    }
    auto opened = open_affiliate(key, v["id"].get<std::string>(), from_hex(v["sealed"]), endpoints);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(opened->affiliate, expected);
    EXPECT_TRUE(opened->warnings.empty());

    auto other = open_affiliate(key, v["id"].get<std::string>(), from_hex(v["sealed_other_key"]), endpoints);
    ASSERT_FALSE(other.ok());
    EXPECT_NE(other.error().find("authentication failed"), std::string::npos) << other.error();
}

TEST_F(DiscoveryVectors, PythonSealsNodenetOpens) {
    json v = make();
    ASSERT_TRUE(v.contains("affiliates"));
    auto key = parse_cluster_secret(v["secret"].get<std::string>());
    ASSERT_TRUE(key.ok()) << key.error();
    EXPECT_EQ(to_hex(std::string_view(reinterpret_cast<const char*>(key->bytes.data()), key->bytes.size())),
              v["key"].get<std::string>());
    expect_reads_python_affiliate(v["affiliates"]["controlplane"], *key, control_plane());
    expect_reads_python_affiliate(v["affiliates"]["worker"], *key, worker());
}

// The service's messages, written by hand in Python from the API's field numbers.
TEST_F(DiscoveryVectors, ServiceMessagesFromTheFieldNumbers) {
    namespace server = sidero::discovery::server;
    json v = make();
    ASSERT_TRUE(v.contains("service"));
    auto key = *parse_cluster_secret(v["secret"].get<std::string>());

    server::WatchResponse watch;
    ASSERT_TRUE(watch.ParseFromString(from_hex(v["service"]["watch"])));
    EXPECT_EQ(to_hex(watch.SerializeAsString()), v["service"]["watch"].get<std::string>());
    ASSERT_EQ(watch.affiliates_size(), 1);
    EXPECT_FALSE(watch.deleted());
    const server::Affiliate& a = watch.affiliates(0);
    std::vector<std::string> endpoints(a.endpoints().begin(), a.endpoints().end());
    auto opened = open_affiliate(key, a.id(), a.data(), endpoints);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(opened->affiliate, control_plane());

    server::HelloResponse hello;
    ASSERT_TRUE(hello.ParseFromString(from_hex(v["service"]["hello"])));
    EXPECT_EQ(to_hex(hello.SerializeAsString()), v["service"]["hello"].get<std::string>());
    ASSERT_TRUE(hello.has_redirect());
    EXPECT_EQ(hello.redirect().endpoint(), "discovery.example.net:443");
    EXPECT_EQ(to_hex(hello.client_ip()), "cb007109");  // 203.0.113.9

    server::AffiliateUpdateRequest update;
    ASSERT_TRUE(update.ParseFromString(from_hex(v["service"]["update"])));
    EXPECT_EQ(to_hex(update.SerializeAsString()), v["service"]["update"].get<std::string>());
    EXPECT_EQ(update.cluster_id(), v["service"]["cluster_id"].get<std::string>());
    EXPECT_EQ(update.affiliate_id(), control_plane().node_id);
    EXPECT_TRUE(update.has_affiliate_data());
    EXPECT_EQ(update.affiliate_endpoints_size(), 2);
    EXPECT_EQ(update.ttl().seconds(), 1800);
}

// Python opens what nodenet sealed, as discovery-client's parseReply does.
TEST_F(DiscoveryVectors, NodenetSealsPythonOpens) {
    ClusterKey key;
    for (size_t i = 0; i < key.bytes.size(); ++i) key.bytes[i] = static_cast<uint8_t>(0xA0 + i);
    Nonce nonce;
    for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(0x33 * i);
    for (const Affiliate& a : {control_plane(), worker()}) {
        SCOPED_TRACE(a.node_id);
        auto sealed = seal_affiliate(key, a, nonce);
        ASSERT_TRUE(sealed.ok()) << sealed.error();
        json given = {{"key", to_hex(std::string_view(reinterpret_cast<const char*>(key.bytes.data()), 32))},
                      {"id", a.node_id},
                      {"data", to_hex(sealed->data)},
                      {"endpoints", json::array()}};
        for (const auto& e : sealed->endpoints) given["endpoints"].push_back(to_hex(e));
        fs::path file = fs::path(pb_dir_) / "sealed.json";
        std::ofstream(file) << given.dump();
        ChildRun r = vectors({"open", file.string()});
        ASSERT_EQ(r.status, 0) << r.err;
        json got = json::parse(r.out);
        EXPECT_EQ(got["node_id"], a.node_id);
        std::vector<std::string> addresses;
        for (const auto& ip : a.addresses) addresses.push_back(ip.str());
        EXPECT_EQ(got["addresses"], addresses);
        EXPECT_EQ(got["hostname"], a.hostname);
        EXPECT_EQ(got["nodename"], a.nodename);
        EXPECT_EQ(got["machine_type"], std::string(machine_type_name(a.machine_type)));
        EXPECT_EQ(got["operating_system"], a.operating_system);
        EXPECT_EQ(got["has_kubespan"], a.has_kubespan());
        EXPECT_EQ(got["has_control_plane"], a.api_server_port.has_value());
        EXPECT_EQ(got["api_server_port"], a.api_server_port.value_or(0));
        EXPECT_EQ(got["public_key"], a.kubespan.public_key);
        EXPECT_EQ(got["kubespan_address"], a.kubespan.address ? a.kubespan.address->str() : "");
        std::vector<std::string> extra, excluded, endpoints;
        for (const auto& p : a.kubespan.additional_addresses) extra.push_back(p.str());
        for (const auto& p : a.kubespan.exclude_advertised_networks) excluded.push_back(p.str());
        for (const auto& e : a.kubespan.endpoints) endpoints.push_back(e.str());
        EXPECT_EQ(got["additional_addresses"], extra);
        EXPECT_EQ(got["exclude_advertised_networks"], excluded);
        if (a.has_kubespan()) {
            EXPECT_EQ(got["endpoints"], endpoints);
            EXPECT_EQ(got["endpoint_sizes"], (std::vector<int>{16, 32}));  // IPv4, IPv6
        } else {
            EXPECT_TRUE(got["endpoints"].empty());
        }
    }
}

}  // namespace
}  // namespace nodenet::discovery
