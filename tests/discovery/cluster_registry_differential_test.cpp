// The registry against a reference: the first ClusterRegistry, which rebuilt every merged affiliate
// and every member on each change, kept here as it was. Random sequences of every operation over a
// few services and node IDs (nodenames that collide and move, the node's own ID echoed by a service,
// the node changing its ID) must give the same merged affiliates, members, raw entries, versions and
// changes, step by step. The generator is seeded: a failure names its seed and step.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "discovery/cluster_registry.h"
#include "tests/discovery/affiliate_fixtures.h"

namespace nodenet::discovery {
namespace {

// The full rebuild, as ClusterRegistry did it before it updated only the node that changed.
class ReferenceRegistry {
public:
    std::vector<AffiliateChange> set_local(const Affiliate& local) {
        local_ = local;
        return rebuild();
    }
    std::vector<AffiliateChange> replace(const std::string& service, const std::vector<Affiliate>& affiliates) {
        auto& reported = raw_[service];
        std::map<std::string, Versioned<Affiliate>> next;
        for (const Affiliate& a : affiliates) {
            auto it = reported.find(a.node_id);
            if (it != reported.end()) next.emplace(a.node_id, it->second);
            put(next, a.node_id, a);
        }
        reported = std::move(next);
        return rebuild();
    }
    std::vector<AffiliateChange> upsert(const std::string& service, const Affiliate& affiliate) {
        put(raw_[service], affiliate.node_id, affiliate);
        return rebuild();
    }
    std::vector<AffiliateChange> remove(const std::string& service, const std::string& node_id) {
        auto it = raw_.find(service);
        if (it == raw_.end() || !it->second.erase(node_id)) return {};
        return rebuild();
    }
    std::vector<AffiliateChange> forget(const std::string& service) {
        if (!raw_.erase(service)) return {};
        return rebuild();
    }
    std::vector<AffiliateChange> clear() {
        raw_.clear();
        local_.reset();
        return rebuild();
    }

    std::vector<ClusterRegistry::RawEntry> raw() const {
        std::vector<ClusterRegistry::RawEntry> out;
        for (const auto& [service, reported] : raw_)
            for (const auto& [node_id, affiliate] : reported) out.push_back({service, raw_service_id(node_id), affiliate});
        return out;
    }
    const std::map<std::string, Versioned<Affiliate>>& merged() const { return merged_; }
    const std::map<std::string, Versioned<Member>>& members() const { return members_; }
    const std::optional<Affiliate>& local() const { return local_; }

private:
    template <class Spec>
    static void put(std::map<std::string, Versioned<Spec>>& into, const std::string& id, Spec spec) {
        auto it = into.find(id);
        if (it == into.end()) {
            into.emplace(id, Versioned<Spec>{std::move(spec), 1});
        } else if (!(it->second.spec == spec)) {
            it->second.spec = std::move(spec);
            ++it->second.version;
        }
    }

    std::vector<AffiliateChange> rebuild() {
        std::vector<RawAffiliate> all;
        for (const auto& [service, reported] : raw_)
            for (const auto& [node_id, affiliate] : reported)
                if (!local_ || node_id != local_->node_id) all.push_back({raw_service_id(node_id), affiliate.spec});
        std::vector<Affiliate> merged = merge_affiliates(all);
        if (local_) merged.push_back(*local_);

        std::vector<AffiliateChange> changes;
        std::map<std::string, Versioned<Affiliate>> next;
        for (Affiliate& a : merged) {
            auto old = merged_.find(a.node_id);
            if (old == merged_.end()) {
                changes.push_back({AffiliateChange::Kind::Appeared, a.node_id, a});
            } else {
                next.emplace(a.node_id, old->second);
                if (!(old->second.spec == a)) changes.push_back({AffiliateChange::Kind::Changed, a.node_id, a});
            }
            std::string id = a.node_id;
            put(next, id, std::move(a));
        }
        for (const auto& [id, old] : merged_)
            if (!next.count(id)) changes.push_back({AffiliateChange::Kind::Left, id, std::nullopt});
        merged_ = std::move(next);

        std::vector<Affiliate> plain;
        for (const auto& [id, v] : merged_) plain.push_back(v.spec);
        std::map<std::string, Versioned<Member>> members;
        for (Member& m : members_of(plain)) {
            auto old = members_.find(m.id);
            if (old != members_.end()) members.emplace(m.id, old->second);
            std::string id = m.id;
            put(members, id, std::move(m));
        }
        members_ = std::move(members);
        return changes;
    }

    std::optional<Affiliate> local_;
    std::map<std::string, std::map<std::string, Versioned<Affiliate>>> raw_;
    std::map<std::string, Versioned<Affiliate>> merged_;
    std::map<std::string, Versioned<Member>> members_;
};

// Few choices for each field, so that specs repeat (a version must then stay), merges union and
// replace, and nodenames collide.
class AffiliateGenerator {
public:
    explicit AffiliateGenerator(uint32_t seed) : rng_(seed) {}

    size_t below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }

    template <class T>
    const T& pick(const std::vector<T>& from) { return from[below(from.size())]; }

    std::string node_id() { return pick(node_ids_); }
    std::string service() { return pick(services_); }

    Affiliate affiliate(const std::string& node_id) {
        Affiliate a;
        a.node_id = node_id;
        for (const char* ip : {"10.0.0.1", "10.0.0.2", "2001:db8::1"})
            if (chance(40)) a.addresses.push_back(fixtures::ip(ip));
        a.hostname = pick(std::vector<std::string>{"", "h1.example.net", "h2.example.net"});
        a.nodename = pick(std::vector<std::string>{"", "alpha", "beta", "gamma"});
        a.machine_type = pick(std::vector<MachineType>{MachineType::Unknown, MachineType::ControlPlane, MachineType::Worker});
        a.operating_system = pick(std::vector<std::string>{"", "Talos (v1.11.0)"});
        if (chance(30)) a.api_server_port = 6443;
        if (chance(50)) {
            a.kubespan.public_key = pick(std::vector<std::string>{"key-one=", "key-two="});
            if (chance(50)) a.kubespan.address = fixtures::ip("fd00::1");
            if (chance(50)) a.kubespan.additional_addresses.push_back(fixtures::prefix("10.244.0.0/24"));
            if (chance(50)) a.kubespan.endpoints.push_back(Endpoint{fixtures::ip("10.0.0.1"), 51820});
        }
        return a;
    }

private:
    std::mt19937 rng_;
    std::vector<std::string> node_ids_{"node-a", "node-b", "node-c", "node-d", "node-e", "self-1", "self-2"};
    std::vector<std::string> services_{"one", "two", "three"};
};

std::string describe(const Affiliate& a) {
    std::ostringstream out;
    out << a.node_id << " nodename=" << a.nodename << " hostname=" << a.hostname << " addresses=" << a.addresses.size()
        << " key=" << a.kubespan.public_key;
    return out.str();
}

std::string describe(const AffiliateChange& c) {
    const char* kind = c.kind == AffiliateChange::Kind::Appeared ? "appeared" : c.kind == AffiliateChange::Kind::Changed ? "changed" : "left";
    return std::string(kind) + " " + c.node_id + (c.now ? " (" + describe(*c.now) + ")" : "");
}

void expect_same_changes(const std::vector<AffiliateChange>& want, const std::vector<AffiliateChange>& got) {
    ASSERT_EQ(want.size(), got.size());
    for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(describe(want[i]), describe(got[i])) << "change " << i;
        EXPECT_TRUE(want[i].kind == got[i].kind && want[i].node_id == got[i].node_id && want[i].now == got[i].now)
            << "change " << i << ": " << describe(want[i]) << " vs " << describe(got[i]);
    }
}

template <class Spec>
void expect_same_versioned(const std::map<std::string, Versioned<Spec>>& want, const std::map<std::string, Versioned<Spec>>& got,
                           const char* what) {
    ASSERT_EQ(want.size(), got.size()) << what;
    for (auto w = want.begin(), g = got.begin(); w != want.end(); ++w, ++g) {
        EXPECT_EQ(w->first, g->first) << what;
        EXPECT_EQ(w->second.version, g->second.version) << what << " " << w->first;
        EXPECT_TRUE(w->second.spec == g->second.spec) << what << " " << w->first;
    }
}

void expect_same_state(const ReferenceRegistry& want, const ClusterRegistry& got) {
    expect_same_versioned(want.merged(), got.merged(), "merged");
    expect_same_versioned(want.members(), got.members(), "members");
    auto want_raw = want.raw();
    auto got_raw = got.raw();
    ASSERT_EQ(want_raw.size(), got_raw.size());
    for (size_t i = 0; i < want_raw.size(); ++i) {
        EXPECT_EQ(want_raw[i].service, got_raw[i].service);
        EXPECT_EQ(want_raw[i].id, got_raw[i].id);
        EXPECT_EQ(want_raw[i].affiliate.version, got_raw[i].affiliate.version) << want_raw[i].id;
        EXPECT_TRUE(want_raw[i].affiliate.spec == got_raw[i].affiliate.spec) << want_raw[i].id;
    }
    EXPECT_TRUE(want.local() == got.local());
}

// One random operation on both registries; returns what it did, for the trace.
std::string step(AffiliateGenerator& gen, ReferenceRegistry& want, ClusterRegistry& got) {
    std::vector<AffiliateChange> w, g;
    std::string did;
    size_t op = gen.below(100);
    if (op < 45) {
        std::string service = gen.service();
        Affiliate a = gen.affiliate(gen.node_id());
        did = "upsert " + service + " " + describe(a);
        w = want.upsert(service, a);
        g = got.upsert(service, a);
    } else if (op < 65) {
        std::string service = gen.service(), node_id = gen.node_id();
        did = "remove " + service + " " + node_id;
        w = want.remove(service, node_id);
        g = got.remove(service, node_id);
    } else if (op < 77) {
        std::string service = gen.service();
        std::vector<Affiliate> snapshot;
        size_t n = gen.below(5);
        for (size_t i = 0; i < n; ++i) snapshot.push_back(gen.affiliate(gen.node_id()));  // IDs may repeat
        did = "replace " + service + " with " + std::to_string(n);
        w = want.replace(service, snapshot);
        g = got.replace(service, snapshot);
    } else if (op < 82) {
        std::string service = gen.service();
        did = "forget " + service;
        w = want.forget(service);
        g = got.forget(service);
    } else if (op < 98) {
        // Mostly the node's usual ID (a restart, a new address), sometimes another (a new identity).
        Affiliate local = gen.affiliate(gen.chance(70) ? "self-1" : gen.node_id());
        did = "set_local " + describe(local);
        w = want.set_local(local);
        g = got.set_local(local);
    } else {
        did = "clear";
        w = want.clear();
        g = got.clear();
    }
    expect_same_changes(w, g);
    return did;
}

TEST(ClusterRegistryDifferential, MatchesTheFullRebuildOnRandomSequences) {
    for (uint32_t seed = 1; seed <= 200; ++seed) {
        AffiliateGenerator gen(seed);
        ReferenceRegistry want;
        ClusterRegistry got;
        for (int i = 0; i < 300; ++i) {
            std::string did = step(gen, want, got);
            SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(i) + ": " + did);
            expect_same_state(want, got);
            if (::testing::Test::HasFailure()) return;
        }
    }
}

// Two nodes claim one nodename, one of them leaves or renames itself: the member goes back to the
// other (the later in node ID order wins while both claim it), its version counting each change.
TEST(ClusterRegistryDifferential, NodenameClaimedByTwoNodesFollowsTheFullRebuild) {
    ReferenceRegistry want;
    ClusterRegistry got;
    Affiliate a = fixtures::worker();
    a.node_id = "node-a";
    a.nodename = "shared";
    Affiliate b = a;
    b.node_id = "node-b";
    b.hostname = "b.example.net";
    Affiliate b_renamed = b;
    b_renamed.nodename = "other";
    auto both = [&](auto op) {
        expect_same_changes(op(want), op(got));
        expect_same_state(want, got);
    };
    both([&](auto& r) { return r.upsert("one", a); });
    both([&](auto& r) { return r.upsert("two", b); });
    EXPECT_EQ(got.members().at("shared").spec.node_id, "node-b");
    both([&](auto& r) { return r.upsert("two", b_renamed); });
    EXPECT_EQ(got.members().at("shared").spec.node_id, "node-a");
    EXPECT_EQ(got.members().at("shared").version, 3u);
    both([&](auto& r) { return r.upsert("two", b); });
    both([&](auto& r) { return r.remove("two", "node-b"); });
    both([&](auto& r) { return r.set_local(b); });  // the node itself claims it
    EXPECT_EQ(got.members().at("shared").spec.node_id, "node-b");
    both([&](auto& r) { return r.set_local(b_renamed); });
    both([&](auto& r) { return r.forget("one"); });
    EXPECT_FALSE(got.members().count("shared"));
    both([&](auto& r) { return r.clear(); });
}

}  // namespace
}  // namespace nodenet::discovery
