// `nodenet discovery-server` as a client sees it: the real program started on a free loopback
// port, spoken to with grpc++ stubs of cluster.proto. The program loads nodenet-discovery.so; this
// process never does (the stubs' messages are linked in, and would be registered twice).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "discovery/proto/cluster.grpc.pb.h"

namespace nodenet::discovery {
namespace {

namespace fs = std::filesystem;
namespace pb = sidero::discovery::server;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A loopback TCP port nobody listens on now (the kernel's choice; freed again at once).
int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// One `nodenet discovery-server` child, killed however the test ends; stderr goes to a file that
// failures print.
class ServerProcess {
public:
    ServerProcess(const fs::path& dir, std::vector<std::string> extra) : dir_(dir), port_(free_port()) {
        static int serial = 0;
        ready_file_ = dir / ("ready-" + std::to_string(++serial));
        stderr_file_ = dir / ("stderr-" + std::to_string(serial));
        std::vector<std::string> args{NODENET_BINARY, "discovery-server", "--listen", address(), "--ready-file",
                                      ready_file_.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = fork();
        if (pid_ == 0) {
            int err = open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            dup2(err, 2);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
    }
    ~ServerProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }

    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    std::string log() const { return read_text(stderr_file_); }

    // True once the ready file exists; false when the program exited first or after 20 s.
    bool wait_ready() {
        auto deadline = Clock::now() + 20s;
        while (Clock::now() < deadline) {
            if (fs::exists(ready_file_)) return true;
            if (exited()) return false;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }
    // The exit status after `signal` (or by itself with 0), -1 when it did not end within 20 s.
    int stop(int signal = SIGTERM) {
        if (signal) kill(pid_, signal);
        auto deadline = Clock::now() + 20s;
        while (Clock::now() < deadline) {
            if (exited()) return status_;
            std::this_thread::sleep_for(10ms);
        }
        return -1;
    }

    std::unique_ptr<pb::Cluster::Stub> stub() const {
        return pb::Cluster::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
    }

private:
    bool exited() {
        if (pid_ <= 0) return true;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pid_ = -1;
        return true;
    }

    fs::path dir_, ready_file_, stderr_file_;
    int port_;
    pid_t pid_ = -1;
    int status_ = -1;
};

class DiscoveryServerProcess : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/nodenet-discovery-server-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::unique_ptr<ServerProcess> start(std::vector<std::string> extra = {"--rate-limit", "0"}) {
        auto server = std::make_unique<ServerProcess>(dir_, std::move(extra));
        EXPECT_TRUE(server->wait_ready()) << server->log();
        return server;
    }

    fs::path dir_;
};

std::unique_ptr<grpc::ClientContext> context(std::chrono::milliseconds timeout = 10s) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + timeout);
    return c;
}

grpc::Status update(pb::Cluster::Stub& stub, const std::string& cluster, const std::string& id,
                    std::optional<std::string> data, std::vector<std::string> endpoints = {}, int ttl_s = 1800) {
    pb::AffiliateUpdateRequest request;
    request.set_cluster_id(cluster);
    request.set_affiliate_id(id);
    if (data) request.set_affiliate_data(*data);
    for (auto& e : endpoints) request.add_affiliate_endpoints(e);
    request.mutable_ttl()->set_seconds(ttl_s);
    pb::AffiliateUpdateResponse response;
    return stub.AffiliateUpdate(context().get(), request, &response);
}

pb::ListResponse list(pb::Cluster::Stub& stub, const std::string& cluster) {
    pb::ListRequest request;
    request.set_cluster_id(cluster);
    pb::ListResponse response;
    auto s = stub.List(context().get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
}

TEST_F(DiscoveryServerProcess, HelloReturnsClientIp) {
    auto server = start();
    auto stub = server->stub();
    pb::HelloRequest request;
    request.set_cluster_id("c1");
    request.set_client_version("v1.11.0");
    pb::HelloResponse response;
    auto s = stub->Hello(context().get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.client_ip(), std::string("\x7f\x00\x00\x01", 4));
    EXPECT_FALSE(response.has_redirect());
    request.set_cluster_id("");
    EXPECT_EQ(stub->Hello(context().get(), request, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DiscoveryServerProcess, UpdateThenList) {
    auto server = start();
    auto stub = server->stub();
    ASSERT_TRUE(update(*stub, "c1", "a", "sealed-a", {"ep-1"}).ok());
    ASSERT_TRUE(update(*stub, "c1", "a", std::nullopt, {"ep-2", "ep-1"}).ok());
    auto refused = update(*stub, "c1", "a", "d", {}, 31 * 60);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << refused.error_message();
    auto r = list(*stub, "c1");
    ASSERT_EQ(r.affiliates_size(), 1);
    EXPECT_EQ(r.affiliates(0).id(), "a");
    EXPECT_EQ(r.affiliates(0).data(), "sealed-a");
    ASSERT_EQ(r.affiliates(0).endpoints_size(), 2);
    EXPECT_EQ(r.affiliates(0).endpoints(1), "ep-2");
}

TEST_F(DiscoveryServerProcess, WatchSnapshotThenUpdateThenDelete) {
    auto server = start();
    auto stub = server->stub();
    ASSERT_TRUE(update(*stub, "c1", "first", "d1").ok());
    pb::WatchRequest request;
    request.set_cluster_id("c1");
    auto watch_context = context(20s);
    auto reader = stub->Watch(watch_context.get(), request);
    pb::WatchResponse message;
    ASSERT_TRUE(reader->Read(&message));
    ASSERT_EQ(message.affiliates_size(), 1);  // the snapshot
    EXPECT_EQ(message.affiliates(0).id(), "first");

    ASSERT_TRUE(update(*stub, "c1", "second", "d2", {"e"}).ok());
    ASSERT_TRUE(reader->Read(&message));
    ASSERT_EQ(message.affiliates_size(), 1);
    EXPECT_FALSE(message.deleted());
    EXPECT_EQ(message.affiliates(0).id(), "second");
    EXPECT_EQ(message.affiliates(0).data(), "d2");
    EXPECT_EQ(message.affiliates(0).endpoints_size(), 1);

    pb::AffiliateDeleteRequest del;
    del.set_cluster_id("c1");
    del.set_affiliate_id("first");
    pb::AffiliateDeleteResponse del_response;
    ASSERT_TRUE(stub->AffiliateDelete(context().get(), del, &del_response).ok());
    ASSERT_TRUE(reader->Read(&message));
    EXPECT_TRUE(message.deleted());
    ASSERT_EQ(message.affiliates_size(), 1);
    EXPECT_EQ(message.affiliates(0).id(), "first");
    EXPECT_TRUE(message.affiliates(0).data().empty());

    // An empty cluster's snapshot is one empty message.
    request.set_cluster_id("empty");
    auto empty_context = context();
    auto empty_reader = stub->Watch(empty_context.get(), request);
    ASSERT_TRUE(empty_reader->Read(&message));
    EXPECT_EQ(message.affiliates_size(), 0);
    watch_context->TryCancel();
    empty_context->TryCancel();
}

// A watcher that does not read: once HTTP/2 flow control stops the server's writes, its queue of
// 32 fills, and the stream ends with ABORTED "lost update" (the client re-watches for a snapshot).
TEST_F(DiscoveryServerProcess, WatcherThatDoesNotReadIsLost) {
    auto server = start();
    // Its own connection, so that the updates are not held up, with a fixed 64 KiB window (no
    // BDP probing, which would grow it to megabytes).
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 * 1024);
    auto watcher = pb::Cluster::NewStub(
        grpc::CreateCustomChannel(server->address(), grpc::InsecureChannelCredentials(), args));
    pb::WatchRequest request;
    request.set_cluster_id("c1");
    auto watch_context = context(15s);
    auto reader = watcher->Watch(watch_context.get(), request);
    pb::WatchResponse message;
    ASSERT_TRUE(reader->Read(&message));  // the snapshot: the stream is set up
    auto stub = server->stub();
    // 2 KiB each: far beyond the 64 KiB a stream may have unread plus 32 queued messages.
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(update(*stub, "c1", "a", std::string(2048, 'a' + i % 26)).ok()) << i;
    int messages = 0;
    while (reader->Read(&message)) ++messages;
    auto s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << s.error_message();
    EXPECT_EQ(s.error_message(), "lost update");
    EXPECT_LT(messages, 200);
}

TEST_F(DiscoveryServerProcess, AffiliateLimitIsResourceExhausted) {
    auto server = start();
    auto stub = server->stub();
    for (int i = 0; i < 1024; ++i) ASSERT_TRUE(update(*stub, "big", "n" + std::to_string(i), "d").ok()) << i;
    auto s = update(*stub, "big", "n1024", "d");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_NE(s.error_message().find("1024 affiliates"), std::string::npos) << s.error_message();
}

TEST_F(DiscoveryServerProcess, RateLimitPerClient) {
    auto server = start({});  // Talos's limit: 15/s, burst 60
    auto stub = server->stub();
    pb::HelloRequest request;
    request.set_cluster_id("c1");
    pb::HelloResponse response;
    int refused = 0;
    for (int i = 0; i < 200 && refused == 0; ++i)
        if (stub->Hello(context().get(), request, &response).error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED)
            ++refused;
    EXPECT_EQ(refused, 1);
}

TEST_F(DiscoveryServerProcess, RestartFromSnapshotKeepsCluster) {
    fs::path snapshot = dir_ / "state.binpb";
    {
        auto server = start({"--rate-limit", "0", "--snapshot", snapshot.string()});
        auto stub = server->stub();
        ASSERT_TRUE(update(*stub, "c1", "a", "sealed", {"ep"}).ok());
        ASSERT_EQ(server->stop(SIGTERM), 0) << server->log();
        EXPECT_NE(server->log().find("final snapshot written"), std::string::npos) << server->log();
    }
    ASSERT_TRUE(fs::exists(snapshot));
    auto server = start({"--rate-limit", "0", "--snapshot", snapshot.string()});
    auto stub = server->stub();
    auto r = list(*stub, "c1");
    ASSERT_EQ(r.affiliates_size(), 1);
    EXPECT_EQ(r.affiliates(0).data(), "sealed");
    EXPECT_EQ(r.affiliates(0).endpoints_size(), 1);
}

TEST_F(DiscoveryServerProcess, CorruptSnapshotStopsTheStart) {
    fs::path snapshot = dir_ / "state.binpb";
    std::ofstream(snapshot) << "\xff\xff\xff\xff garbage";
    ServerProcess server(dir_, {"--snapshot", snapshot.string()});
    EXPECT_FALSE(server.wait_ready());
    EXPECT_EQ(server.stop(0), 1);
    EXPECT_NE(server.log().find(snapshot.string()), std::string::npos) << server.log();
    EXPECT_NE(server.log().find("does not parse"), std::string::npos) << server.log();
}

TEST_F(DiscoveryServerProcess, UnwritableSnapshotStopsTheStart) {
    fs::path snapshot = dir_ / "no-such-dir" / "state.binpb";
    ServerProcess server(dir_, {"--snapshot", snapshot.string()});
    EXPECT_FALSE(server.wait_ready());
    EXPECT_EQ(server.stop(0), 1);
    EXPECT_NE(server.log().find(snapshot.string()), std::string::npos) << server.log();
}

TEST_F(DiscoveryServerProcess, RedirectEveryHello) {
    auto server = start({"--redirect-endpoint", "discovery.example.org:443"});
    pb::HelloRequest request;
    request.set_cluster_id("c1");
    pb::HelloResponse response;
    ASSERT_TRUE(server->stub()->Hello(context().get(), request, &response).ok());
    ASSERT_TRUE(response.has_redirect());
    EXPECT_EQ(response.redirect().endpoint(), "discovery.example.org:443");
}

TEST_F(DiscoveryServerProcess, InspectJson) {
    int inspect_port = free_port();
    auto server = start({"--rate-limit", "0", "--inspect", "127.0.0.1:" + std::to_string(inspect_port)});
    auto stub = server->stub();
    ASSERT_TRUE(update(*stub, "c1", "a", std::string(100, 'x'), {"e1", "e2"}, 600).ok());
    httplib::Client http("127.0.0.1", inspect_port);
    http.set_connection_timeout(5s);
    http.set_read_timeout(5s);
    auto got = http.Get("/inspect?clusterID=c1");
    ASSERT_TRUE(got) << httplib::to_string(got.error());
    EXPECT_EQ(got->status, 200);
    auto json = nlohmann::json::parse(got->body);
    EXPECT_EQ(json["cluster_id"], "c1");
    ASSERT_EQ(json["affiliates"].size(), 1u);
    EXPECT_EQ(json["affiliates"][0]["id"], "a");
    EXPECT_EQ(json["affiliates"][0]["data_bytes"], 100);
    EXPECT_EQ(json["affiliates"][0]["endpoints"], 2);
    EXPECT_GT(json["affiliates"][0]["expires_in_s"].get<int>(), 590);
    EXPECT_EQ(http.Get("/inspect")->status, 400);
    EXPECT_EQ(http.Get("/other")->status, 404);
}

// The timers of the real program: GC removes an affiliate whose 1 s TTL ran out, and the snapshot
// is written every --snapshot-interval. Waits about 2 s of real time (polled, with a deadline).
class DiscoveryServerProcessSlow : public DiscoveryServerProcess {};

TEST_F(DiscoveryServerProcessSlow, GcAndPeriodicSnapshot) {
    fs::path snapshot = dir_ / "state.binpb";
    auto server = start({"--rate-limit", "0", "--gc-interval", "1s", "--snapshot-interval", "1s", "--snapshot",
                         snapshot.string()});
    auto stub = server->stub();
    ASSERT_TRUE(update(*stub, "c1", "short", "d", {}, 1).ok());
    ASSERT_TRUE(update(*stub, "c1", "long", "d", {}, 600).ok());
    auto deadline = Clock::now() + 15s;
    while (Clock::now() < deadline && list(*stub, "c1").affiliates_size() != 1) std::this_thread::sleep_for(50ms);
    auto r = list(*stub, "c1");
    ASSERT_EQ(r.affiliates_size(), 1);
    EXPECT_EQ(r.affiliates(0).id(), "long");
    while (Clock::now() < deadline && (!fs::exists(snapshot) || fs::file_size(snapshot) == 0))
        std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(fs::exists(snapshot));
    EXPECT_NE(read_text(snapshot).find("long"), std::string::npos);
}

// TLS with a self-signed certificate made by the openssl program (skipped where it is missing).
TEST_F(DiscoveryServerProcess, TlsWithCertificateAndKey) {
    fs::path cert = dir_ / "cert.pem", key = dir_ / "key.pem";
    std::string make = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
                       "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
                       key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
    if (std::system(make.c_str()) != 0) GTEST_SKIP() << "no openssl program to make a certificate";
    auto server = start({"--tls-cert", cert.string(), "--tls-key", key.string()});
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = read_text(cert);
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto stub = pb::Cluster::NewStub(grpc::CreateCustomChannel(server->address(), grpc::SslCredentials(ssl), args));
    pb::HelloRequest request;
    request.set_cluster_id("c1");
    pb::HelloResponse response;
    auto s = stub->Hello(context().get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.client_ip(), std::string("\x7f\x00\x00\x01", 4));
    // A plaintext client gets nowhere.
    auto plain = server->stub()->Hello(context(3s).get(), request, &response);
    EXPECT_FALSE(plain.ok());
}

}  // namespace
}  // namespace nodenet::discovery
