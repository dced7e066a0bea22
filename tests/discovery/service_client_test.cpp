// The discovery service client (discovery/io/service_client.cpp) against an in-memory service on
// 127.0.0.1 (fake_discovery_service.h). Waits poll the client's eventfd or the service's record
// with a deadline; no test sleeps a fixed time.
#include "discovery/io/service_client.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "discovery/affiliate_seal.h"
#include "tests/discovery/affiliate_fixtures.h"
#include "tests/discovery/fake_discovery_service.h"

namespace nodenet::discovery {
namespace {

using namespace std::chrono_literals;
using fake::FakeDiscoveryServer;
using Kind = ClientEvent::Kind;

constexpr char kSecret[] = "bm9kZW5ldC10ZXN0LWNsdXN0ZXItc2VjcmV0LTAwMDE=";
constexpr char kOtherSecret[] = "YW5vdGhlci1jbHVzdGVyLXNlY3JldC0zMi1ieXRlcyE=";
constexpr char kClusterId[] = "test-cluster";

// A self-signed certificate for IP 127.0.0.1 (P-256, valid until 2126), made for these tests with
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 36500 -nodes
// -subj /CN=nodenet-test-discovery -addext subjectAltName=IP:127.0.0.1`. Test material only.
constexpr char kTestCert[] = R"(-----BEGIN CERTIFICATE-----
MIIBqzCCAVCgAwIBAgIUeK2RBzimPvhngsT5dcRcdnkEWpUwCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWbm9kZW5ldC10ZXN0LWRpc2NvdmVyeTAgFw0yNjEyMDMxNzI1
MjBaGA8yMTI2MTEwOTE3MjUyMFowITEfMB0GA1UEAwwWbm9kZW5ldC10ZXN0LWRp
c2NvdmVyeTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPHgG3ZX/n8w5kSOxuSI
csluWVmLizswlr7pBsoiJd3hTxJUQL9lqILIxrTk7XCjZbkmxIj1CnYuMyhrLFU0
+C+jZDBiMB0GA1UdDgQWBBRupGafDW0YVZt0/uFaUxGjD584PjAfBgNVHSMEGDAW
gBRupGafDW0YVZt0/uFaUxGjD584PjAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQI
MAaHBH8AAAEwCgYIKoZIzj0EAwIDSQAwRgIhAJes2rG7XykmDiBN72g6+1MXzbVA
iufAM+dYym8VbEVGAiEAuETBLoGLwKAIaPVblGObIELfZ198b49zTpa3S9bPrjA=
-----END CERTIFICATE-----
)";
constexpr char kTestKey[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgp7KE2sHlNB44FmPC
Sqr8DbCivSEIOGgzpjKnEGLc3zyhRANCAATx4Bt2V/5/MOZEjsbkiHLJbllZi4s7
MJa+6QbKIiXd4U8SVEC/ZaiCyMa05O1wo2W5JsSI9Qp2LjMoayxVNPgv
-----END PRIVATE KEY-----
)";

std::shared_ptr<grpc::ServerCredentials> test_tls_credentials() {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({kTestKey, kTestCert});
    return grpc::SslServerCredentials(ssl);
}

// The test certificate as a roots file, removed with the object.
class RootsFile {
public:
    RootsFile() {
        const char* base = std::getenv("TMPDIR");
        std::string dir = std::string(base && *base ? base : "/tmp") + "/nodenet-client-test-XXXXXX";
        if (mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + dir);
        dir_ = dir;
        std::ofstream(dir_ / "roots.pem") << kTestCert;
    }
    ~RootsFile() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    std::string path() const { return (dir_ / "roots.pem").string(); }

private:
    std::filesystem::path dir_;
};

ClientOptions options(const std::string& endpoint, const Affiliate& self, const char* secret = kSecret) {
    ClientOptions o;
    o.endpoint = endpoint;
    o.cluster_id = kClusterId;
    o.cluster_secret = secret;
    o.node_id = self.node_id;
    o.client_version = "nodenet test";
    o.backoff_min = 20ms;
    o.backoff_max = 200ms;
    o.hello_timeout = 5s;
    o.update_timeout = 5s;
    return o;
}

std::unique_ptr<ServiceClient> make(const ClientOptions& o) {
    auto client = make_service_client(o);
    EXPECT_TRUE(client.ok()) << client.error();
    return client.ok() ? std::move(*client) : nullptr;
}

const char* kind_name(Kind kind) {
    static const char* names[] = {"Connected", "Disconnected", "Snapshot", "Upsert",
                                  "Removed",   "Skipped",      "Published", "Refused"};
    return names[static_cast<int>(kind)];
}

// Everything a client said, taken from its eventfd; wait() finds the next event of a kind.
class EventLog {
public:
    explicit EventLog(ServiceClient& client) : client_(client) {}

    const ClientEvent& wait(Kind kind, std::function<bool(const ClientEvent&)> match = {},
                            std::chrono::milliseconds timeout = 10s) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (; cursor_ < events_.size(); ++cursor_) {
                const ClientEvent& e = events_[cursor_];
                if (e.kind == kind && (!match || match(e))) return events_[cursor_++];
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left <= 0ms) break;
            pollfd p{client_.notify_fd(), POLLIN, 0};
            poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
            for (auto& e : client_.take_events()) events_.push_back(std::move(e));
        }
        ADD_FAILURE() << "no " << kind_name(kind) << " event within " << timeout.count() << " ms; got:\n" << history();
        static const ClientEvent none{};
        return none;
    }

    // What arrived so far without waiting.
    const std::vector<ClientEvent>& all() {
        for (auto& e : client_.take_events()) events_.push_back(std::move(e));
        return events_;
    }

    std::string history() const {
        std::string out;
        for (const auto& e : events_) out += std::string("  ") + kind_name(e.kind) + " " + e.node_id + " " + e.message + "\n";
        return out;
    }

private:
    ServiceClient& client_;
    std::vector<ClientEvent> events_;
    size_t cursor_ = 0;
};

// Polls `condition` until it holds or 10 s pass.
bool eventually(const std::function<bool()>& condition) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

TEST(ServiceClient, HelloWatchThenPublishesSealedAffiliate) {
    FakeDiscoveryServer server;
    Affiliate self = fixtures::control_plane();
    auto client = make(options(server.endpoint(), self));
    ASSERT_TRUE(client);
    EventLog log(*client);
    client->set_local(self, {{"peer-node", {Endpoint{fixtures::ip("192.0.2.50"), 51820}}}});
    const ClientEvent& connected = log.wait(Kind::Connected);
    ASSERT_TRUE(connected.client_ip.has_value());
    EXPECT_EQ(connected.client_ip->str(), "127.0.0.1");
    EXPECT_TRUE(log.wait(Kind::Snapshot).affiliates.empty());
    log.wait(Kind::Published);

    // The client publishes once the watch's snapshot has come.
    auto record = server.service().record();
    EXPECT_EQ(record.calls, (std::vector<std::string>{"Hello", "Watch", "AffiliateUpdate", "AffiliateUpdate"}));
    const auto& own = record.updates.at(0);
    EXPECT_EQ(own.cluster_id(), kClusterId);
    EXPECT_EQ(own.affiliate_id(), self.node_id);
    EXPECT_EQ(own.ttl().seconds(), 30 * 60);
    ClusterKey key = *parse_cluster_secret(kSecret);
    std::vector<std::string> endpoints(own.affiliate_endpoints().begin(), own.affiliate_endpoints().end());
    auto opened = open_affiliate(key, own.affiliate_id(), own.affiliate_data(), endpoints);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(opened->affiliate, self);
    // The harvested endpoint: under the other node's ID, endpoints only.
    const auto& other = record.updates.at(1);
    EXPECT_EQ(other.affiliate_id(), "peer-node");
    EXPECT_FALSE(other.has_affiliate_data());
    ASSERT_EQ(other.affiliate_endpoints_size(), 1);
    EXPECT_EQ(other.affiliate_endpoints(0), seal_endpoints(key, std::vector{Endpoint{fixtures::ip("192.0.2.50"), 51820}})->at(0));
}

TEST(ServiceClient, AnotherNodeSeesTheFirstDecryptedAndOwnEchoIsIgnored) {
    FakeDiscoveryServer server;
    Affiliate a = fixtures::control_plane(), b = fixtures::worker();
    auto client_a = make(options(server.endpoint(), a));
    EventLog log_a(*client_a);
    client_a->set_local(a, {});
    log_a.wait(Kind::Published);

    auto client_b = make(options(server.endpoint(), b));
    EventLog log_b(*client_b);
    const ClientEvent& snapshot = log_b.wait(Kind::Snapshot);
    ASSERT_EQ(snapshot.affiliates.size(), 1u);
    EXPECT_EQ(snapshot.affiliates[0], a);

    client_b->set_local(b, {});
    const ClientEvent& upsert = log_a.wait(Kind::Upsert);
    ASSERT_EQ(upsert.affiliates.size(), 1u);
    EXPECT_EQ(upsert.affiliates[0], b);
    for (const auto& e : log_a.all())
        for (const auto& affiliate : e.affiliates) EXPECT_NE(affiliate.node_id, a.node_id) << "own affiliate reported";
}

TEST(ServiceClient, IdenticalLocalDataSendsNothingChangedDataOneUpdate) {
    FakeDiscoveryServer server;
    Affiliate self = fixtures::worker();
    auto client = make(options(server.endpoint(), self));
    EventLog log(*client);
    client->set_local(self, {});
    log.wait(Kind::Published);
    ASSERT_TRUE(eventually([&] { return server.service().count("AffiliateUpdate") == 1; }));

    client->set_local(self, {});  // what the daemon does when the watch echoes its own update
    Affiliate changed = self;
    changed.hostname = "worker-7-renamed";
    client->set_local(changed, {});
    log.wait(Kind::Published);
    auto record = server.service().record();
    ASSERT_EQ(record.updates.size(), 2u) << "the identical set_local must not publish";
    auto opened = open_affiliate(*parse_cluster_secret(kSecret), self.node_id, record.updates[1].affiliate_data(), {});
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(opened->affiliate.hostname, "worker-7-renamed");
}

TEST(ServiceClient, OtherClustersAffiliateIsSkippedWithReason) {
    FakeDiscoveryServer server;
    Affiliate a = fixtures::control_plane(), b = fixtures::worker();
    auto client_a = make(options(server.endpoint(), a));
    EventLog log_a(*client_a);
    client_a->set_local(a, {});
    log_a.wait(Kind::Published);

    auto client_b = make(options(server.endpoint(), b, kOtherSecret));
    EventLog log_b(*client_b);
    EXPECT_TRUE(log_b.wait(Kind::Snapshot).affiliates.empty());
    const ClientEvent& skipped = log_b.wait(Kind::Skipped);
    EXPECT_EQ(skipped.node_id, a.node_id);
    EXPECT_NE(skipped.message.find("authentication failed"), std::string::npos) << skipped.message;
}

TEST(ServiceClient, ServiceRestartGivesDisconnectedThenFreshSnapshotAndRepublish) {
    auto server = std::make_unique<FakeDiscoveryServer>();
    int port = server->port();
    Affiliate self = fixtures::worker();
    auto client = make(options(server->endpoint(), self));
    EventLog log(*client);
    client->set_local(self, {});
    log.wait(Kind::Published);

    server->stop();
    const ClientEvent& down = log.wait(Kind::Disconnected);
    EXPECT_NE(down.message.find("discovery service 127.0.0.1:" + std::to_string(port)), std::string::npos) << down.message;
    EXPECT_NE(down.message.find("reconnecting in"), std::string::npos) << down.message;

    server = std::make_unique<FakeDiscoveryServer>(port);
    ASSERT_TRUE(server->running());
    log.wait(Kind::Connected);
    log.wait(Kind::Snapshot);
    log.wait(Kind::Published);
    // The Hello may have reached the old instance while it shut down, the Watch then retried by
    // gRPC on the new one: what matters is a watch, then the publish, at the new one.
    auto calls = server->service().record().calls;
    if (!calls.empty() && calls.front() == "Hello") calls.erase(calls.begin());
    EXPECT_EQ(calls, (std::vector<std::string>{"Watch", "AffiliateUpdate"}));
}

TEST(ServiceClient, FollowsHelloRedirect) {
    FakeDiscoveryServer first, second;
    first.service().redirect_to = "127.0.0.1:" + std::to_string(second.port());  // bare: stays plaintext
    Affiliate self = fixtures::worker();
    auto client = make(options(first.endpoint(), self));
    EventLog log(*client);
    client->set_local(self, {});
    const ClientEvent& connected = log.wait(Kind::Connected);
    EXPECT_EQ(connected.redirected_to, first.service().redirect_to);
    log.wait(Kind::Published);
    EXPECT_EQ(first.service().record().calls, std::vector<std::string>{"Hello"});
    EXPECT_EQ(second.service().count("AffiliateUpdate"), 1u);
}

TEST(ServiceClient, RefusedUpdateIsReportedAndRetried) {
    FakeDiscoveryServer server;
    server.service().set_refuse_updates(true);
    Affiliate self = fixtures::worker();
    auto client = make(options(server.endpoint(), self));
    EventLog log(*client);
    client->set_local(self, {});
    const ClientEvent& refused = log.wait(Kind::Refused);
    EXPECT_NE(refused.message.find("AffiliateUpdate: RESOURCE_EXHAUSTED: too many affiliates"), std::string::npos)
        << refused.message;
    server.service().set_refuse_updates(false);
    log.wait(Kind::Published);
    EXPECT_EQ(server.service().count("Hello"), 1u) << "a refusal keeps the connection";
}

TEST(ServiceClient, InvalidLocalAffiliateIsRefusedWithTheField) {
    FakeDiscoveryServer server;
    Affiliate self = fixtures::worker();
    Affiliate bad = self;
    bad.hostname = "bad\nname";
    auto client = make(options(server.endpoint(), self));
    EventLog log(*client);
    client->set_local(bad, {});
    const ClientEvent& refused = log.wait(Kind::Refused);
    EXPECT_NE(refused.message.find("not published: local affiliate: hostname"), std::string::npos) << refused.message;
    client->set_local(self, {});
    log.wait(Kind::Published);
    EXPECT_EQ(server.service().count("AffiliateUpdate"), 1u);
}

TEST(ServiceClient, LeaveDeletesAndStopsPublishing) {
    FakeDiscoveryServer server;
    Affiliate self = fixtures::worker();
    auto client = make(options(server.endpoint(), self));
    EventLog log(*client);
    client->set_local(self, {});
    log.wait(Kind::Published);
    auto left = client->leave(5s);
    ASSERT_TRUE(left.ok()) << left.error();
    auto record = server.service().record();
    ASSERT_EQ(record.deletes.size(), 1u);
    EXPECT_EQ(record.deletes[0].affiliate_id(), self.node_id);
    EXPECT_EQ(record.deletes[0].cluster_id(), kClusterId);
    Affiliate changed = self;
    changed.hostname = "after-leave";
    client->set_local(changed, {});
    client.reset();  // joins the control thread: anything it would have sent is sent
    EXPECT_EQ(server.service().count("AffiliateUpdate"), 1u);
}

TEST(ServiceClient, DestructorIsQuickWithUnreachableService) {
    int closed_port;
    {
        FakeDiscoveryServer gone;
        closed_port = gone.port();
    }
    Affiliate self = fixtures::worker();
    auto client = make(options("http://127.0.0.1:" + std::to_string(closed_port), self));
    EventLog log(*client);
    client->set_local(self, {});
    const ClientEvent& down = log.wait(Kind::Disconnected);
    EXPECT_NE(down.message.find("Hello: UNAVAILABLE"), std::string::npos) << down.message;
    auto start = std::chrono::steady_clock::now();
    client.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(ServiceClient, DestructorCancelsAHangingHello) {
    FakeDiscoveryServer server;
    server.service().hang_hello = true;
    Affiliate self = fixtures::worker();
    auto client = make(options(server.endpoint(), self));
    ASSERT_TRUE(eventually([&] { return server.service().count("Hello") == 1; }));
    auto start = std::chrono::steady_clock::now();
    client.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(ServiceClient, SpeaksTlsWithTheGivenRoots) {
    FakeDiscoveryServer server(0, test_tls_credentials());
    RootsFile roots;
    Affiliate self = fixtures::worker();
    // A bare host:port means TLS, as an https:// URL does.
    ClientOptions o = options("127.0.0.1:" + std::to_string(server.port()), self);
    o.tls_roots_file = roots.path();
    auto client = make(o);
    EventLog log(*client);
    client->set_local(self, {});
    log.wait(Kind::Published);
    EXPECT_EQ(server.service().count("AffiliateUpdate"), 1u);
}

TEST(ServiceClient, RefusesAServiceTheSystemRootsDoNotTrust) {
    FakeDiscoveryServer server(0, test_tls_credentials());
    Affiliate self = fixtures::worker();
    auto client = make(options("https://127.0.0.1:" + std::to_string(server.port()) + "/", self));
    EventLog log(*client);
    const ClientEvent& down = log.wait(Kind::Disconnected);
    EXPECT_NE(down.message.find("Hello: UNAVAILABLE"), std::string::npos) << down.message;
    EXPECT_EQ(server.service().count("Hello"), 0u);
}

TEST(ServiceClient, BadOptionsAreErrorValues) {
    Affiliate self = fixtures::worker();
    auto bad_secret = make_service_client(options("http://127.0.0.1:1", self, "c2hvcnQ="));
    ASSERT_FALSE(bad_secret.ok());
    EXPECT_NE(bad_secret.error().find("discovery service 127.0.0.1:1: cluster secret"), std::string::npos)
        << bad_secret.error();
    auto bad_endpoint = make_service_client(options("ftp://127.0.0.1:1", self));
    ASSERT_FALSE(bad_endpoint.ok());
    EXPECT_NE(bad_endpoint.error().find("scheme ftp"), std::string::npos) << bad_endpoint.error();
    ClientOptions missing_roots = options("https://127.0.0.1:1", self);
    missing_roots.tls_roots_file = "/nonexistent/roots.pem";
    auto no_roots = make_service_client(missing_roots);
    ASSERT_FALSE(no_roots.ok());
    EXPECT_NE(no_roots.error().find("/nonexistent/roots.pem"), std::string::npos) << no_roots.error();
}

TEST(ServiceClient, FloodingServiceCannotGrowTheQueueWithoutBound) {
    FakeDiscoveryServer server;
    server.service().flood = 12000;
    Affiliate self = fixtures::worker();
    auto client = make(options(server.endpoint(), self));
    // Nobody takes the events while the service floods: the client drops them and watches again.
    ASSERT_TRUE(eventually([&] { return server.service().count("Watch") >= 2; }));
    auto first_take = client->take_events();
    EXPECT_LE(first_take.size(), 10001u);
    // What was taken at once, then what follows: the drop is told, then a fresh snapshot.
    std::vector<ClientEvent> events = std::move(first_take);
    ASSERT_TRUE(eventually([&] {
        for (auto& e : client->take_events()) events.push_back(std::move(e));
        auto told = std::find_if(events.begin(), events.end(), [](const ClientEvent& e) {
            return e.kind == Kind::Disconnected && e.message.find("events waiting") != std::string::npos;
        });
        return told != events.end() &&
               std::any_of(told, events.end(), [](const ClientEvent& e) { return e.kind == Kind::Snapshot; });
    })) << "the daemon must learn that events were dropped, then get a fresh snapshot";
}

TEST(ServiceClient, MessageWithMoreAffiliatesThanAServiceKeepsEndsTheWatch) {
    FakeDiscoveryServer server;
    server.service().flood = 3000;
    server.service().flood_in_one_message = true;
    Affiliate self = fixtures::worker();
    auto client = make(options(server.endpoint(), self));
    EventLog log(*client);
    const ClientEvent& down = log.wait(Kind::Disconnected);
    EXPECT_NE(down.message.find("a message of 3000 affiliates"), std::string::npos) << down.message;
    for (const auto& e : log.all()) EXPECT_NE(e.kind, Kind::Skipped) << "nothing of that message is reported";
    log.wait(Kind::Snapshot);  // the second watch is an ordinary one
}

}  // namespace
}  // namespace nodenet::discovery
