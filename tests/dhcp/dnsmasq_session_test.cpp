// DHCPv4 sessions as the daemon will host them: two links, one event loop, one dnsmasq serving
// both. The client namespace has veth-c and veth-d, joined to veth-s (10.77.0.1/24) and veth-t
// (10.78.0.1/24) in the server namespace. The sessions run in a child process inside the client
// namespace and report what happened as JSON; the host's network is never touched.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dhcp/io/lease_file.h"
#include "dhcp/io/session.h"
#include "tests/dhcp/dnsmasq_fixture.h"

namespace nodenet::dhcp_test {
namespace {

using Json = nlohmann::json;
using dhcp::io::Session;

constexpr char kSecondClientLink[] = "veth-d";
constexpr char kSecondServerLink[] = "veth-t";

// What a session handed to its handler, logged and reported as failed.
struct Hosted : dhcp::io::LeaseHandler {
    Status apply(const dhcp::Lease& lease) override {
        applied.push_back(lease.address.str());
        return success();
    }
    Status remove(const dhcp::Lease& lease) override {
        removed.push_back(lease.address.str());
        return success();
    }
    Json report(const std::filesystem::path& state_dir, const std::string& link) const {
        dhcp::io::SessionView view = session->view();
        Json j{{"applied", applied},
               {"removed", removed},
               {"log", log},
               {"failure", failure},
               {"state", view.state},
               {"lease", view.lease ? view.lease->address.str() : ""},
               {"lease_file", std::filesystem::exists(dhcp::io::lease_file(state_dir, link))}};
        if (view.next_timer)
            j["next_timer_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     *view.next_timer - std::chrono::steady_clock::now())
                                     .count();
        return j;
    }

    std::vector<std::string> applied, removed;
    std::string log, failure;
    std::unique_ptr<Session> session;
};

class DhcpSessions : public ::testing::Test {
protected:
    void SetUp() override {
        NODENET_DNSMASQ_OR_SKIP();
        link_.emplace();
        link_->client.must(std::string("link add ") + kSecondClientLink + " type veth peer name " + kSecondServerLink);
        link_->client.must(std::string("link set ") + kSecondServerLink + " netns " + link_->server.path());
        link_->server.must(std::string("addr add 10.78.0.1/24 dev ") + kSecondServerLink);
        link_->server.must(std::string("link set ") + kSecondServerLink + " up");
        link_->client.must(std::string("link set ") + kSecondClientLink + " up");
        server_.emplace(link_->server, dir_.path(), "dnsmasq", "node-a",
                        std::vector<std::string>{std::string("--interface=") + kSecondServerLink,
                                                 "--dhcp-range=10.78.0.50,10.78.0.99,255.255.255.0,2m"},
                        "10.77.0.50,10.77.0.99", "DHCP, IP range 10.77.0.50");
    }

    std::filesystem::path state_dir() const { return dir_.path() / "state"; }

    // In the client namespace: one loop, a session on each link (the second with send_release),
    // both started; the loop runs until both hold a lease (10 s at most), then `then` runs. The
    // sessions' reports, as JSON {"a": ..., "b": ...}.
    Json run_two(const std::function<void(loop::EventLoop&, Hosted&, Hosted&)>& then) const {
        std::string text = link_->client.in_child([&] {
            auto loop = loop::EventLoop::open();
            if (!loop.ok()) throw std::runtime_error(loop.error());
            Hosted a, b;
            // The second one sends a RELEASE on stop. (No structured bindings: clang 14 cannot
            // capture them in a lambda.)
            for (Hosted* hosted : {&a, &b}) {
                const char* link = hosted == &a ? kClientLink : kSecondClientLink;
                dhcp::io::RunnerOptions options;
                options.iface = link;
                options.client.send_release = hosted == &b;
                options.lease_file = dhcp::io::lease_file(state_dir(), link);
                options.handler = hosted;
                options.log = [hosted](const std::string& line) { hosted->log += line + "\n"; };
                auto session = dhcp::io::open_session4(*loop, std::move(options),
                                                       [hosted](const std::string& e) { hosted->failure = e; });
                if (!session.ok()) throw std::runtime_error(session.error());
                hosted->session = std::move(*session);
            }
            for (Hosted* hosted : {&a, &b})
                if (auto s = hosted->session->start(true); !s.ok()) throw std::runtime_error(s.error());
            auto deadline = SteadyClock::now() + 10s;
            while ((a.applied.empty() || b.applied.empty()) && SteadyClock::now() < deadline)
                if (auto s = loop->run_once(std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now()));
                    !s.ok())
                    throw std::runtime_error(s.error());
            then(*loop, a, b);
            return Json{{"a", a.report(state_dir(), kClientLink)}, {"b", b.report(state_dir(), kSecondClientLink)}}
                .dump();
        });
        return Json::parse(text);
    }

    TempDir dir_;
    std::optional<DhcpLink> link_;
    std::optional<Dnsmasq> server_;
};

// Every line of `log` names `link`.
bool all_lines_name(const std::string& log, const std::string& link) {
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
        if (!line.starts_with(link + ": ")) return false;
    return !log.empty();
}

TEST_F(DhcpSessions, TwoLinksInOneLoopEachGetTheirLease) {
    Json r = run_two([](loop::EventLoop&, Hosted&, Hosted&) {});
    const Json& a = r["a"];
    const Json& b = r["b"];
    ASSERT_EQ(a["applied"].size(), 1u) << r.dump(2);
    ASSERT_EQ(b["applied"].size(), 1u) << r.dump(2);
    std::string address_a = a["applied"][0], address_b = b["applied"][0];
    EXPECT_TRUE(address_a.starts_with("10.77.0.") && address_a.ends_with("/24")) << address_a;
    EXPECT_TRUE(address_b.starts_with("10.78.0.") && address_b.ends_with("/24")) << address_b;
    for (const Json* s : {&a, &b}) {
        EXPECT_EQ((*s)["failure"], "") << r.dump(2);
        EXPECT_EQ((*s)["state"], "bound");
        EXPECT_EQ((*s)["lease"], (*s)["applied"][0]);  // the view holds the lease handed out
        EXPECT_TRUE((*s)["lease_file"].get<bool>());
        // The next timer is T1, 6 s after the REQUEST, on the steady clock.
        ASSERT_TRUE(s->contains("next_timer_ms")) << r.dump(2);
        EXPECT_GT((*s)["next_timer_ms"].get<int64_t>(), 0);
        EXPECT_LE((*s)["next_timer_ms"].get<int64_t>(), 6000);
    }
    EXPECT_TRUE(all_lines_name(a["log"], kClientLink)) << a["log"];
    EXPECT_TRUE(all_lines_name(b["log"], kSecondClientLink)) << b["log"];
    EXPECT_EQ(server_->count("DHCPACK(veth-s) " + address_a.substr(0, address_a.find('/'))), 1) << server_->log();
    EXPECT_EQ(server_->count("DHCPACK(veth-t) " + address_b.substr(0, address_b.find('/'))), 1) << server_->log();
}

TEST_F(DhcpSessions, StopKeepsTheLeaseOrReleasesItWithSendRelease) {
    Json r = run_two([](loop::EventLoop&, Hosted& a, Hosted& b) {
        a.session->stop();
        b.session->stop();
    });
    const Json& a = r["a"];
    const Json& b = r["b"];
    ASSERT_EQ(a["applied"].size(), 1u) << r.dump(2);
    ASSERT_EQ(b["applied"].size(), 1u) << r.dump(2);
    std::string address_b = b["applied"][0];
    address_b = address_b.substr(0, address_b.find('/'));

    // Without send_release: kept (lease file and, were it applied, the address), nothing sent.
    EXPECT_EQ(a["state"], "stopped");
    EXPECT_TRUE(a["lease_file"].get<bool>());
    EXPECT_TRUE(a["removed"].empty()) << r.dump(2);
    EXPECT_NE(a["log"].get<std::string>().find("stays configured (no release)"), std::string::npos) << a["log"];
    // With it: DHCPRELEASE to the server, the lease removed and its file deleted.
    EXPECT_EQ(b["state"], "stopped");
    EXPECT_FALSE(b["lease_file"].get<bool>());
    EXPECT_EQ(b["removed"], Json(b["applied"])) << r.dump(2);
    EXPECT_EQ(b["lease"], "");
    ASSERT_TRUE(server_->wait_for("DHCPRELEASE(veth-t) " + address_b, 1, 5s)) << server_->log() << b["log"];
    EXPECT_EQ(server_->count("DHCPRELEASE(veth-s)"), 0) << server_->log();
}

}  // namespace
}  // namespace nodenet::dhcp_test
