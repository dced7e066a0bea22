// The discovery server's state (discovery/server_state.h) driven by arbitrary request sequences,
// as hostile clients could send them: IDs, data and endpoints of any bytes and sizes around the
// limits, TTLs of any sign, watchers that never read, time that jumps. Nothing may crash, leak or
// hang, and after every step the limits hold; the snapshot codec must give back the same state.
//
// Input: a list of operations, each one byte (op % 8) followed by its arguments; a string
// argument is a length byte, scaled so that 2048 and 2049 are reachable, then that many bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/server_snapshot.h"
#include "discovery/server_state.h"
#include "fuzz/fuzz_check.h"

namespace {

using nodenet::fuzz::check;
using namespace nodenet::discovery;
using namespace std::chrono_literals;

class Input {
public:
    Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    // Short IDs mostly (from a small set, so that operations meet), sometimes arbitrary bytes.
    std::string id() {
        uint8_t b = byte();
        if (b < 200) return std::string(1, static_cast<char>('a' + b % 8));
        return bytes(b == 255 ? 257 : b - 200);
    }
    std::string blob() {
        uint8_t b = byte();
        size_t length = b < 128 ? b % 40 : b < 250 ? (b - 128) * 17 : 2040 + (b - 250) * 2;  // up to 2050
        return bytes(length);
    }
    std::string bytes(size_t length) {
        std::string out;
        for (size_t i = 0; i < length; ++i) out += static_cast<char>(i < 4 ? byte() : i);
        return out;
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

void check_invariants(const ServerState& state) {
    for (const auto& [cluster_id, cluster] : state.clusters()) {
        check(!cluster_id.empty() && cluster_id.size() <= kMaxClusterIdBytes);
        check(cluster.affiliates.size() <= kMaxAffiliatesPerCluster);
        for (const auto& [id, affiliate] : cluster.affiliates) {
            check(id == affiliate.id && !id.empty() && id.size() <= kMaxAffiliateIdBytes);
            check(affiliate.data.size() <= kMaxAffiliateDataBytes);
            check(affiliate.endpoints.size() <= kMaxEndpointsPerAffiliate);
            for (size_t i = 0; i < affiliate.endpoints.size(); ++i) {
                check(affiliate.endpoints[i].data.size() <= kMaxEndpointBytes);
                check(affiliate.endpoints[i].expiration <= affiliate.expiration);
                for (size_t k = 0; k < i; ++k) check(affiliate.endpoints[k].data != affiliate.endpoints[i].data);
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    ServerState state;
    RateLimiter limiter;
    ServerTime now{};
    std::vector<WatcherId> watchers;
    for (int steps = 0; !in.done() && steps < 4096; ++steps) {
        std::vector<WatcherId> notified;
        switch (in.byte() % 8) {
            case 0: case 1: {
                std::string cluster = in.id(), id = in.id();
                std::optional<std::string> blob;
                if (in.byte() & 1) blob = in.blob();
                std::vector<std::string> endpoints(in.byte() % 4);
                for (auto& e : endpoints) e = in.blob();
                // TTLs around 0 and the 30 min limit, negative ones included.
                auto ttl = std::chrono::milliseconds((static_cast<int8_t>(in.byte())) * 15'000);
                std::optional<std::string_view> view;
                if (blob) view = *blob;
                auto s = state.update(cluster, id, view, endpoints, ttl, now, &notified);
                check(s.ok() || !s.message.empty());
                break;
            }
            case 2: state.remove(in.id(), in.id(), &notified); break;
            case 3: {
                Subscription sub;
                if (state.subscribe(in.id(), sub).ok()) watchers.push_back(sub.watcher);
                break;
            }
            case 4:
                if (!watchers.empty()) {
                    WatcherId w = watchers[in.byte() % watchers.size()];
                    auto batch = state.take_events(w);
                    check(batch.events.size() <= kWatchQueueLength);
                    if (in.byte() & 1) state.unsubscribe(w);
                }
                break;
            case 5:
                now += std::chrono::seconds(in.byte() * 10);
                state.gc(now, &notified);
                limiter.gc(now);
                break;
            case 6: limiter.allow(in.bytes(in.byte() % 17), now); break;
            case 7: {
                std::vector<WatchEvent> out;
                state.list(in.id(), out);
                break;
            }
        }
        check_invariants(state);
    }
    // The snapshot gives back every live affiliate, data and endpoints alike.
    auto back = decode_server_snapshot(encode_server_snapshot(state, now), now);
    check(back.ok());
    for (const auto& entry : state.clusters()) {
        std::vector<WatchEvent> before, after;
        state.list(entry.first, before);
        back->list(entry.first, after);
        const auto& affiliates = entry.second.affiliates;
        std::erase_if(before, [&](const WatchEvent& e) { return affiliates.at(e.id).expiration <= now; });
        check(before.size() == after.size());
        for (size_t i = 0; i < before.size(); ++i) check(before[i].id == after[i].id && before[i].data == after[i].data);
    }
    // Arbitrary bytes as a snapshot: refused or accepted, never a crash.
    auto arbitrary = decode_server_snapshot(std::string_view(reinterpret_cast<const char*>(data), size), now);
    if (arbitrary.ok()) check_invariants(*arbitrary);
    return 0;
}
