// Load generator for `nodenet discovery-server` (bench/discovery_bench.sh runs it; see README.md
// "Benchmarks: discovery"). It plays N clusters × M affiliates, each a node publishing through
// AffiliateUpdate at a configured total rate, and W watchers per cluster that measure how long an
// update takes to reach them. The server never decrypts, so by default the data is random bytes of
// realistic size (the first 16 carry the update's sequence number and send time); with --secret the
// affiliates are real ones sealed with the cluster secret, for a nodenet daemon to read, and --probes
// times an update until `nodenet get affiliates` and `nodenet events` show it.
//
// gRPC's callback API throughout: no thread per call, so the generator's own cost stays small; it
// reports that cost (CPU of this process over each window) next to the observed processes'.
// The static discovery libraries are linked in; nodenet-discovery.so is never loaded here (its
// protobuf messages would be registered twice).
//
// Output: human-readable lines, and `RESULT <what> key=value ...` lines for the script.
#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/load_support.h"
#include "bench/synthetic_affiliate.h"
#include "discovery/affiliate_crypto.h"
#include "discovery/affiliate_seal.h"
#include "discovery/proto/cluster.grpc.pb.h"

namespace nodenet::bench {
namespace {

namespace pb = sidero::discovery::server;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
    std::string target = "127.0.0.1:3000";
    int clusters = 1, affiliates = 1000, watchers = 1;
    int connections = 0;  // channels the affiliates share; 0 = one per affiliate, at most 1000
    std::vector<double> rates{1000};  // total updates per second; one measured window each
    double warmup = 2;
    std::vector<double> durations{10};  // seconds measured per rate; the last one for the rest
    int data_min = 300, data_max = 600, endpoints_min = 2, endpoints_max = 4;
    std::string cluster_id;  // the one cluster's ID (with --secret); else bench-cluster-<c>
    std::string secret;      // base64: real affiliates sealed with this cluster secret
    std::vector<std::string> observe;  // NAME=PID: memory and CPU read from /proc
    std::string nodenet, runtime_dir;  // the daemon that --probes asks
    int probes = 0;
    double probe_interval = 0.3;
    unsigned seed = 1;
    bool ramp = false;  // stop at the first rate that is not sustained
};

int64_t now_ns() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

// ---------------------------------------------------------------- the simulated cluster
struct AffiliateSlot {
    int cluster = 0;
    int index = 0;
    std::string id;
    std::string data;                    // raw mode: random bytes, the first 16 rewritten per send
    std::vector<std::string> endpoints;  // raw mode: random 16- or 32-byte blobs, the same every time
    discovery::Affiliate real;           // sealed mode
    uint64_t changes = 0;
    std::atomic<bool> in_flight{false};
    pb::Cluster::Stub* stub = nullptr;
};

struct WatcherSlot {
    int cluster = 0;
    std::unique_ptr<pb::Cluster::Stub> stub;
    std::mutex mu;
    std::vector<std::pair<uint64_t, int64_t>> samples;  // (seq, latency ns) of every update seen
    int64_t snapshot_ns = 0;                            // when the first message arrived
    size_t snapshot_affiliates = 0;
    uint64_t restarts = 0;
};

// A window's marks: the sequence numbers sent in it and the clocks at both ends.
struct Mark {
    uint64_t seq = 0;
    int64_t ns = 0;
    double self_cpu = 0;
    std::map<std::string, ProcSample> procs;
    uint64_t backlog = 0;
};

class Generator {
public:
    explicit Generator(Options options) : o_(std::move(options)), rng_(o_.seed) {}

    int run();

private:
    Status set_up();
    void connect_channels();
    void populate();
    void open_watchers();
    void send_update(AffiliateSlot& slot, std::string hostname = {});
    void pace();
    void drain();
    Mark mark();
    void observe(const std::string& phase);
    struct WindowSummary {
        double achieved = 0, p99_ms = 0;
        uint64_t errors = 0, delivered = 0, expected = 0;
    };
    WindowSummary report_window(double rate, const Mark& begin, const Mark& end);
    void run_probes();
    std::string cluster_id(int c) const {
        return o_.cluster_id.empty() ? "bench-cluster-" + std::to_string(c) : o_.cluster_id;
    }
    std::string random_bytes(size_t n) {
        std::string s(n, '\0');
        for (auto& ch : s) ch = static_cast<char>(rng_() & 0xff);
        return s;
    }

    friend class WatchReader;
    Options o_;
    std::mt19937_64 rng_;
    std::mutex rng_mu_;  // the pacer and the probe loop both seal
    std::vector<std::shared_ptr<grpc::Channel>> channels_;
    std::vector<std::unique_ptr<pb::Cluster::Stub>> stubs_;
    std::vector<std::unique_ptr<AffiliateSlot>> slots_;
    std::vector<std::unique_ptr<WatcherSlot>> watchers_;
    std::optional<discovery::ClusterKey> key_;

    std::atomic<uint64_t> next_seq_{0};
    std::atomic<int64_t> in_flight_{0};
    std::array<std::atomic<uint64_t>, 17> update_codes_{};
    std::array<std::atomic<uint64_t>, 17> watch_end_codes_{};
    std::atomic<uint64_t> backlog_{0};  // slots skipped: that affiliate's previous update still in flight
    struct RpcRecord {
        uint64_t seq;
        int64_t ns;  // until the response
        int code;    // gRPC's status code
    };
    std::mutex rpc_mu_;
    std::vector<RpcRecord> rpcs_;

    std::atomic<double> rate_{0};
    std::atomic<bool> stop_pacer_{false}, stopping_{false};
    std::atomic<int> live_readers_{0};
    std::mutex readers_mu_;
    std::map<WatcherSlot*, grpc::ClientContext*> readers_;
    std::atomic<int> probe_slot_{-1};  // an affiliate the pacer leaves alone (probes change it)
};

// One Watch stream of one watcher; re-opened when the server ends it (ABORTED "lost update"), as a
// node's client does.
class WatchReader : public grpc::ClientReadReactor<pb::WatchResponse> {
public:
    WatchReader(Generator& g, WatcherSlot& w) : g_(g), w_(w) {
        ++g_.live_readers_;
        request_.set_cluster_id(g_.cluster_id(w_.cluster));
        {
            std::lock_guard lock(g_.readers_mu_);
            g_.readers_[&w_] = &context_;
        }
        w_.stub->async()->Watch(&context_, &request_, this);
        StartRead(&response_);
        StartCall();
    }

private:
    void OnReadDone(bool ok) override {
        if (!ok) return;  // OnDone follows
        int64_t now = now_ns();
        {
            std::lock_guard lock(w_.mu);
            if (!snapshot_seen_) {
                snapshot_seen_ = true;
                if (w_.snapshot_ns == 0) {
                    w_.snapshot_ns = now;
                    w_.snapshot_affiliates = response_.affiliates_size();
                }
            } else {
                for (const auto& a : response_.affiliates()) {
                    if (a.data().size() < 16 || g_.key_) continue;  // sealed data carries no stamp
                    uint64_t seq;
                    int64_t sent;
                    std::memcpy(&seq, a.data().data(), 8);
                    std::memcpy(&sent, a.data().data() + 8, 8);
                    w_.samples.emplace_back(seq, now - sent);
                }
            }
        }
        StartRead(&response_);
    }
    void OnDone(const grpc::Status& status) override {
        ++g_.watch_end_codes_[std::min<int>(status.error_code(), 16)];
        {
            std::lock_guard lock(g_.readers_mu_);
            g_.readers_.erase(&w_);
            if (!g_.stopping_) {
                std::lock_guard wl(w_.mu);
                ++w_.restarts;
            }
        }
        if (!g_.stopping_) new WatchReader(g_, w_);
        --g_.live_readers_;
        delete this;
    }

    Generator& g_;
    WatcherSlot& w_;
    grpc::ClientContext context_;
    pb::WatchRequest request_;
    pb::WatchResponse response_;
    bool snapshot_seen_ = false;
};

// Affiliate i as a Talos node with KubeSpan publishes it (bench/synthetic_affiliate.h), with a
// random WireGuard key (`raw_key`, 32 bytes).
discovery::Affiliate sealed_mode_affiliate(int i, const std::string& id, const std::string& raw_key) {
    unsigned char b64[64];
    int n = EVP_EncodeBlock(b64, reinterpret_cast<const unsigned char*>(raw_key.data()), static_cast<int>(raw_key.size()));
    return synthetic_affiliate(i, id, std::string(reinterpret_cast<char*>(b64), n));
}

Status Generator::set_up() {
    if (!o_.secret.empty()) {
        auto key = discovery::parse_cluster_secret(o_.secret);
        if (!key) return Error{"--secret: " + key.error()};
        key_ = *key;
    }
    connect_channels();
    for (int c = 0; c < o_.clusters; ++c)
        for (int i = 0; i < o_.affiliates; ++i) {
            auto s = std::make_unique<AffiliateSlot>();
            s->cluster = c;
            s->index = i;
            // 44 characters, as a Talos node ID (base62 of 32 bytes).
            char head[32];
            std::snprintf(head, sizeof head, "bench%04dn%05d", c, i);
            s->id = head;
            while (s->id.size() < 44) s->id += "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"[rng_() % 57];
            s->stub = stubs_[slots_.size() % stubs_.size()].get();
            int endpoints = o_.endpoints_min + static_cast<int>(rng_() % (o_.endpoints_max - o_.endpoints_min + 1));
            if (!key_) {
                s->data = random_bytes(o_.data_min + rng_() % (o_.data_max - o_.data_min + 1));
                for (int e = 0; e < endpoints; ++e) s->endpoints.push_back(random_bytes(e % 2 ? 32 : 16));
            } else {
                s->real = sealed_mode_affiliate(i, s->id, random_bytes(32));
                if (auto st = discovery::check_affiliate(s->real); !st.ok()) return Error{"affiliate " + s->id + ": " + st.error()};
            }
            slots_.push_back(std::move(s));
        }
    return success();
}

void Generator::connect_channels() {
    int total = o_.clusters * o_.affiliates;
    int n = o_.connections > 0 ? o_.connections : std::min(total, 1000);
    auto make = [&] {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a TCP connection of its own, as a node has
        args.SetMaxReceiveMessageSize(16 << 20);
        return grpc::CreateCustomChannel(o_.target, grpc::InsecureChannelCredentials(), args);
    };
    for (int i = 0; i < n; ++i) channels_.push_back(make());
    for (int c = 0; c < o_.clusters; ++c)
        for (int w = 0; w < o_.watchers; ++w) {
            auto slot = std::make_unique<WatcherSlot>();
            slot->cluster = c;
            channels_.push_back(make());
            slot->stub = pb::Cluster::NewStub(channels_.back());
            watchers_.push_back(std::move(slot));
        }
    for (auto& ch : channels_) ch->GetState(true);
    int connected = 0;
    for (auto& ch : channels_) connected += ch->WaitForConnected(std::chrono::system_clock::now() + 20s) ? 1 : 0;
    for (int i = 0; i < n; ++i) stubs_.push_back(pb::Cluster::NewStub(channels_[i]));
    std::printf("connections: %d of %zu connected (%d for %d affiliates, %zu watchers)\n", connected, channels_.size(),
                n, total, watchers_.size());
}

void Generator::send_update(AffiliateSlot& slot, std::string hostname) {
    struct Call {
        grpc::ClientContext context;
        pb::AffiliateUpdateRequest request;
        pb::AffiliateUpdateResponse response;
    };
    auto* call = new Call;
    call->context.set_deadline(std::chrono::system_clock::now() + 10s);
    auto& r = call->request;
    r.set_cluster_id(cluster_id(slot.cluster));
    r.set_affiliate_id(slot.id);
    r.mutable_ttl()->set_seconds(30 * 60);
    uint64_t seq = next_seq_++;
    if (!key_) {
        std::string* data = r.mutable_affiliate_data();
        *data = slot.data;
        int64_t sent = now_ns();
        std::memcpy(data->data(), &seq, 8);
        std::memcpy(data->data() + 8, &sent, 8);
        for (const auto& e : slot.endpoints) r.add_affiliate_endpoints(e);
    } else {
        // A real change each time (the host name), so that the daemon has work to do.
        slot.real.hostname = !hostname.empty() ? hostname
                                               : slot.real.nodename + "-u" + std::to_string(++slot.changes) + ".bench.example";
        discovery::Nonce nonce;
        {
            std::lock_guard lock(rng_mu_);
            for (auto& b : nonce) b = static_cast<uint8_t>(rng_());
        }
        auto sealed = discovery::seal_affiliate(*key_, slot.real, nonce);
        if (!sealed) {
            std::fprintf(stderr, "discovery_load: affiliate %s: %s\n", slot.id.c_str(), sealed.error().c_str());
            std::exit(1);
        }
        r.set_affiliate_data(sealed->data);
        for (const auto& e : sealed->endpoints) r.add_affiliate_endpoints(e);
    }
    slot.in_flight = true;
    ++in_flight_;
    int64_t sent = now_ns();
    slot.stub->async()->AffiliateUpdate(&call->context, &r, &call->response, [this, call, &slot, seq, sent](grpc::Status s) {
        int64_t done = now_ns();
        ++update_codes_[std::min<int>(s.error_code(), 16)];
        {
            std::lock_guard lock(rpc_mu_);
            rpcs_.push_back({seq, done - sent, static_cast<int>(s.error_code())});
        }
        delete call;
        slot.in_flight = false;
        --in_flight_;
    });
}

// Every affiliate once, at most 256 in flight: the cluster exists before anyone watches.
void Generator::populate() {
    for (auto& s : slots_) {
        while (in_flight_ >= 256) std::this_thread::sleep_for(200us);
        send_update(*s);
    }
    while (in_flight_ > 0) std::this_thread::sleep_for(1ms);
}

void Generator::open_watchers() {
    int64_t t0 = now_ns();
    for (auto& w : watchers_) new WatchReader(*this, *w);
    auto deadline = Clock::now() + 30s;
    auto all_in = [&] {
        for (auto& w : watchers_) {
            std::lock_guard lock(w->mu);
            if (w->snapshot_ns == 0) return false;
        }
        return true;
    };
    while (!all_in() && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    std::vector<double> ms;
    size_t affiliates = 0;
    for (auto& w : watchers_) {
        std::lock_guard lock(w->mu);
        if (w->snapshot_ns) ms.push_back((w->snapshot_ns - t0) / 1e6);
        affiliates = std::max(affiliates, w->snapshot_affiliates);
    }
    if (watchers_.empty()) return;
    std::printf("watch snapshots: %zu of %zu watchers, up to %zu affiliates each, all within %.1f ms of opening\n",
                ms.size(), watchers_.size(), affiliates, percentile(ms, 100));
    std::printf("RESULT snapshot watchers=%zu received=%zu affiliates=%zu p50_ms=%s max_ms=%s\n", watchers_.size(),
                ms.size(), affiliates, fmt(percentile(ms, 50)).c_str(), fmt(percentile(ms, 100)).c_str());
}

// Sends at rate_ (total updates per second) round-robin over the affiliates until stopped; an
// affiliate whose previous update is still in flight is skipped and counted (backlog).
void Generator::pace() {
    size_t cursor = 0;
    double rate = 0;
    Clock::time_point start;
    uint64_t slots = 0;
    while (!stop_pacer_) {
        double r = rate_;
        if (r != rate) {
            rate = r;
            start = Clock::now();
            slots = 0;
        }
        if (rate <= 0) {
            std::this_thread::sleep_for(1ms);
            continue;
        }
        auto due = static_cast<uint64_t>(std::chrono::duration<double>(Clock::now() - start).count() * rate);
        for (; slots < due; ++slots) {
            AffiliateSlot& s = *slots_[cursor++ % slots_.size()];
            if (s.index == probe_slot_ && s.cluster == 0) continue;
            if (s.in_flight) {
                ++backlog_;
                continue;
            }
            send_update(s);
        }
        std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                  std::chrono::duration<double>((slots + 1) / rate)));
    }
}

// Waits for the updates in flight and for the watchers to go quiet (no new sample for 300 ms).
void Generator::drain() {
    auto deadline = Clock::now() + 10s;
    while (in_flight_ > 0 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    auto count = [&] {
        size_t n = 0;
        for (auto& w : watchers_) {
            std::lock_guard lock(w->mu);
            n += w->samples.size();
        }
        return n;
    };
    size_t last = count();
    auto quiet_since = Clock::now();
    while (Clock::now() < deadline && Clock::now() - quiet_since < 300ms) {
        std::this_thread::sleep_for(20ms);
        if (size_t n = count(); n != last) {
            last = n;
            quiet_since = Clock::now();
        }
    }
}

Mark Generator::mark() {
    Mark m;
    m.seq = next_seq_;
    m.ns = now_ns();
    m.self_cpu = self_cpu_s();
    for (const auto& spec : o_.observe) {
        auto eq = spec.find('=');
        m.procs[spec.substr(0, eq)] = read_proc(std::stoi(spec.substr(eq + 1)));
    }
    m.backlog = backlog_;
    return m;
}

void Generator::observe(const std::string& phase) {
    Mark m = mark();
    for (const auto& [name, p] : m.procs) {
        std::printf("%s %s: VmRSS %.1f MB, RssAnon %.1f MB, %ld threads, CPU %.2f s so far\n", name.c_str(),
                    phase.c_str(), p.rss_kb / 1024.0, p.anon_kb / 1024.0, p.threads, p.cpu_s);
        std::printf("RESULT observe name=%s phase=%s rss_kb=%ld anon_kb=%ld threads=%ld cpu_s=%s\n", name.c_str(),
                    phase.c_str(), p.rss_kb, p.anon_kb, p.threads, fmt(p.cpu_s, 3).c_str());
    }
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    std::printf("RESULT observe name=generator phase=%s rss_kb=%ld cpu_s=%s\n", phase.c_str(), u.ru_maxrss,
                fmt(self_cpu_s(), 3).c_str());
    std::fflush(stdout);
}

Generator::WindowSummary Generator::report_window(double rate, const Mark& begin, const Mark& end) {
    double seconds = (end.ns - begin.ns) / 1e9;
    uint64_t sent = end.seq - begin.seq;
    // Counted by the updates sent in the window, whenever their answer came.
    std::map<std::string, uint64_t> refused;
    uint64_t ok = 0, errors = 0;
    std::vector<double> rpc;
    {
        std::lock_guard lock(rpc_mu_);
        for (const RpcRecord& r : rpcs_) {
            if (r.seq < begin.seq || r.seq >= end.seq) continue;
            rpc.push_back(r.ns / 1e6);
            if (r.code == 0) ++ok;
            else ++errors, ++refused[status_name(r.code)];
        }
    }
    std::string codes;
    for (const auto& [name, n] : refused) codes += (codes.empty() ? "" : ",") + name + ":" + std::to_string(n);
    // Per delivery, and per update: the time until the last watcher of its cluster had it.
    std::vector<double> each;
    std::vector<int64_t> last(sent, -1);
    std::vector<uint16_t> seen(sent, 0);
    for (auto& w : watchers_) {
        std::lock_guard lock(w->mu);
        for (auto [seq, ns] : w->samples) {
            if (seq < begin.seq || seq >= end.seq) continue;
            each.push_back(ns / 1e6);
            last[seq - begin.seq] = std::max(last[seq - begin.seq], ns);
            ++seen[seq - begin.seq];
        }
    }
    std::vector<double> all;
    uint64_t complete = 0;
    size_t per_cluster = static_cast<size_t>(o_.watchers);
    for (uint64_t i = 0; i < sent; ++i)
        if (per_cluster && seen[i] >= per_cluster) {
            ++complete;
            all.push_back(last[i] / 1e6);
        }
    uint64_t expected = ok * per_cluster;
    double self = (end.self_cpu - begin.self_cpu) / seconds * 100;
    std::string procs;
    for (const auto& [name, p] : end.procs) {
        const ProcSample& b = begin.procs.at(name);
        procs += " " + name + "_cpu_pct=" + fmt((p.cpu_s - b.cpu_s) / seconds * 100, 1) + " " + name +
                 "_rss_kb=" + std::to_string(p.rss_kb);
    }
    std::printf("window at %.0f/s for %.1f s: %.0f updates/s sent, %lu ok, %lu errors%s%s, %lu skipped (previous still in flight)\n",
                rate, seconds, sent / seconds, ok, errors, codes.empty() ? "" : " ", codes.c_str(), end.backlog - begin.backlog);
    std::printf("  update RPC: p50 %.2f ms, p99 %.2f ms; watch: %zu of %lu deliveries, per delivery p50 %.2f ms p99 %.2f ms max %.2f ms; "
                "every watcher: p50 %.2f p99 %.2f max %.2f ms (%lu of %lu updates)\n",
                percentile(rpc, 50), percentile(rpc, 99), each.size(), expected, percentile(each, 50), percentile(each, 99),
                percentile(each, 100), percentile(all, 50), percentile(all, 99), percentile(all, 100), complete, ok);
    std::printf("  CPU: generator %.1f %% of a core%s\n", self, procs.c_str());
    std::printf("RESULT window rate=%.0f seconds=%s achieved=%s ok=%lu errors=%lu codes=%s skipped=%lu rpc_p50_ms=%s "
                "rpc_p99_ms=%s delivered=%zu expected=%lu p50_ms=%s p99_ms=%s max_ms=%s all_p50_ms=%s all_p99_ms=%s "
                "all_max_ms=%s complete=%lu gen_cpu_pct=%s%s\n",
                rate, fmt(seconds).c_str(), fmt(sent / seconds, 1).c_str(), ok, errors, codes.empty() ? "-" : codes.c_str(),
                end.backlog - begin.backlog, fmt(percentile(rpc, 50)).c_str(), fmt(percentile(rpc, 99)).c_str(), each.size(),
                expected, fmt(percentile(each, 50)).c_str(), fmt(percentile(each, 99)).c_str(),
                fmt(percentile(each, 100)).c_str(), fmt(percentile(all, 50)).c_str(), fmt(percentile(all, 99)).c_str(),
                fmt(percentile(all, 100)).c_str(), complete, fmt(self, 1).c_str(), procs.c_str());
    std::fflush(stdout);
    return {sent / seconds, percentile(all, 99), errors, each.size(), expected};
}

// ---------------------------------------------------------------- probes of a nodenet daemon
// Each probe renames affiliate 0 (probe-<n>.bench.example) while the pacer goes on with the others,
// then asks `nodenet get affiliates -o json` back to back until the name shows; `nodenet events`
// runs all along and stamps the line that names it.
void Generator::run_probes() {
    probe_slot_ = 0;
    std::this_thread::sleep_for(100ms);  // an update of it the pacer started is done by now
    std::mutex mu;
    std::map<int, int64_t> event_at;
    Child events = spawn({o_.nodenet, "events", "--runtime-dir", o_.runtime_dir});
    std::thread follower([&] {
        char line[4096];
        while (events.out && std::fgets(line, sizeof line, events.out)) {
            int64_t now = now_ns();
            const char* p = std::strstr(line, ": changed: probe-");
            if (!p) continue;
            std::lock_guard lock(mu);
            event_at.emplace(std::atoi(p + std::strlen(": changed: probe-")), now);
        }
    });
    std::vector<double> get_ms, event_ms, poll_ms, baseline_ms;
    int missed = 0;
    std::vector<std::string> get{o_.nodenet, "get", "affiliates", "-o", "json", "--runtime-dir", o_.runtime_dir};
    // The cost of asking at all: a `get` of one small resource (process start, control socket).
    for (int i = 0; i < 5; ++i) {
        int64_t p0 = now_ns();
        run_capture({o_.nodenet, "get", "identities", "-o", "json", "--runtime-dir", o_.runtime_dir});
        baseline_ms.push_back((now_ns() - p0) / 1e6);
    }
    // Probe 0, untimed: once `nodenet events` prints it, the follower is subscribed.
    send_update(*slots_[0], "probe-0.bench.example");
    for (auto deadline = Clock::now() + 10s; Clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
        std::lock_guard lock(mu);
        if (event_at.count(0)) break;
    }
    for (int n = 1; n <= o_.probes; ++n) {
        std::string name = "probe-" + std::to_string(n) + ".bench.example";
        int64_t t0 = now_ns();
        send_update(*slots_[0], name);
        bool found = false;
        while (now_ns() - t0 < 10'000'000'000) {
            int64_t p0 = now_ns();
            bool hit = run_capture(get).find("\"" + name + "\"") != std::string::npos;
            poll_ms.push_back((now_ns() - p0) / 1e6);
            if (hit) {
                get_ms.push_back((now_ns() - t0) / 1e6);
                found = true;
                break;
            }
        }
        missed += found ? 0 : 1;
        std::this_thread::sleep_for(std::chrono::duration<double>(o_.probe_interval));
        std::lock_guard lock(mu);
        if (auto e = event_at.find(n); e != event_at.end()) event_ms.push_back((e->second - t0) / 1e6);
    }
    kill(events.pid, SIGTERM);
    follower.join();
    fclose(events.out);
    waitpid(events.pid, nullptr, 0);
    probe_slot_ = -1;
    std::printf("probes: %d updates of one affiliate; `nodenet get affiliates` showed it after p50 %.1f ms, max %.1f ms "
                "(one get of every affiliate takes p50 %.1f ms, of the identity %.1f ms); `nodenet events` printed it after "
                "p50 %.1f ms, max %.1f ms; %d never seen\n",
                o_.probes, percentile(get_ms, 50), percentile(get_ms, 100), percentile(poll_ms, 50),
                percentile(baseline_ms, 50), percentile(event_ms, 50), percentile(event_ms, 100), missed);
    std::printf("RESULT probe probes=%d missed=%d get_p50_ms=%s get_p99_ms=%s get_max_ms=%s poll_p50_ms=%s "
                "baseline_get_ms=%s events=%zu event_p50_ms=%s event_p99_ms=%s event_max_ms=%s\n",
                o_.probes, missed, fmt(percentile(get_ms, 50)).c_str(), fmt(percentile(get_ms, 99)).c_str(),
                fmt(percentile(get_ms, 100)).c_str(), fmt(percentile(poll_ms, 50)).c_str(),
                fmt(percentile(baseline_ms, 50)).c_str(), event_ms.size(),
                fmt(percentile(event_ms, 50)).c_str(), fmt(percentile(event_ms, 99)).c_str(),
                fmt(percentile(event_ms, 100)).c_str());
    std::fflush(stdout);
}

int Generator::run() {
    observe("idle");
    if (auto s = set_up(); !s.ok()) {
        std::fprintf(stderr, "discovery_load: %s\n", s.error().c_str());
        return 2;
    }
    observe("connected");
    int64_t t0 = now_ns();
    populate();
    uint64_t failed = 0;
    for (size_t i = 1; i < 17; ++i) failed += update_codes_[i];
    std::printf("populated %zu affiliates in %.1f ms (%lu refused)\n", slots_.size(), (now_ns() - t0) / 1e6, failed);
    std::printf("RESULT populate affiliates=%zu ms=%s refused=%lu\n", slots_.size(), fmt((now_ns() - t0) / 1e6, 1).c_str(), failed);
    observe("populated");
    open_watchers();
    observe("watching");

    std::thread pacer([this] { pace(); });
    std::optional<double> first_p99;
    double sustained = 0;
    std::string stopped_by = "last rate";
    for (size_t i = 0; i < o_.rates.size(); ++i) {
        double rate = o_.rates[i];
        rate_ = rate;
        std::this_thread::sleep_for(std::chrono::duration<double>(o_.warmup));
        Mark begin = mark();
        std::this_thread::sleep_for(std::chrono::duration<double>(o_.durations[std::min(i, o_.durations.size() - 1)]));
        Mark end = mark();
        if (o_.probes == 0 || rate != o_.rates.back()) rate_ = 0;
        drain();
        WindowSummary w = report_window(rate, begin, end);
        if (!o_.ramp) continue;
        // A rate is sustained when every update is accepted and delivered, the pacer kept up, and
        // the latency to every watcher has not climbed (4× the first window's p99, at least 20 ms).
        if (!first_p99) first_p99 = w.p99_ms;
        double limit = std::max(4 * *first_p99, 20.0);
        if (w.errors > 0) stopped_by = "errors";
        else if (w.achieved < 0.95 * rate) stopped_by = "the sender fell behind";
        else if (w.delivered < w.expected) stopped_by = "lost deliveries";
        else if (w.p99_ms > limit) stopped_by = "p99 above " + fmt(limit, 1) + " ms";
        else {
            sustained = rate;
            continue;
        }
        break;
    }
    if (o_.ramp) {
        std::printf("ramp: %.0f updates/s sustained; stopped by %s\n", sustained, stopped_by.c_str());
        std::string token = stopped_by;
        std::replace(token.begin(), token.end(), ' ', '_');
        std::printf("RESULT ramp sustained=%.0f stopped_by=%s\n", sustained, token.c_str());
    }
    if (o_.probes > 0) run_probes();
    rate_ = 0;
    stop_pacer_ = true;
    pacer.join();
    drain();
    observe("end");

    std::string ends;
    for (size_t i = 0; i < 17; ++i)
        if (watch_end_codes_[i]) ends += "," + status_name(static_cast<int>(i)) + ":" + std::to_string(watch_end_codes_[i].load());
    uint64_t restarts = 0;
    for (auto& w : watchers_) restarts += w->restarts;
    std::printf("RESULT watch restarts=%lu ends=%s\n", restarts, ends.empty() ? "-" : ends.c_str() + 1);
    stopping_ = true;
    {
        std::lock_guard lock(readers_mu_);
        for (auto& [w, context] : readers_) context->TryCancel();
    }
    auto deadline = Clock::now() + 5s;
    while (live_readers_ > 0 && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    return 0;
}

}  // namespace
}  // namespace nodenet::bench

int main(int argc, char** argv) {
    nodenet::bench::Options o;
    CLI::App app{"Load generator for nodenet discovery-server (bench/discovery_bench.sh)"};
    app.add_option("--target", o.target, "host:port of the server")->capture_default_str();
    app.add_option("--clusters", o.clusters)->check(CLI::Range(1, 10000))->capture_default_str();
    app.add_option("--affiliates", o.affiliates, "Per cluster")->check(CLI::Range(1, 1024))->capture_default_str();
    app.add_option("--watchers", o.watchers, "Per cluster")->check(CLI::Range(0, 2048))->capture_default_str();
    app.add_option("--connections", o.connections, "Channels the affiliates share (0: one each, at most 1000)")
        ->check(CLI::Range(0, 20000));
    app.add_option("--rate", o.rates, "Total updates/s; several: one measured window each, in order")->delimiter(',');
    app.add_option("--warmup", o.warmup, "Seconds at each rate before measuring")->capture_default_str();
    app.add_option("--duration", o.durations, "Seconds measured at each rate (a list: one per rate, the last for the rest)")
        ->delimiter(',');
    app.add_option("--data-min", o.data_min)->capture_default_str();
    app.add_option("--data-max", o.data_max)->capture_default_str();
    app.add_option("--endpoints-min", o.endpoints_min)->capture_default_str();
    app.add_option("--endpoints-max", o.endpoints_max)->capture_default_str();
    app.add_option("--cluster-id", o.cluster_id, "The cluster's ID (one cluster)");
    app.add_option("--secret", o.secret, "Cluster secret (base64): publish real sealed affiliates");
    app.add_option("--observe", o.observe, "NAME=PID: memory and CPU of that process per phase and window");
    app.add_option("--nodenet", o.nodenet, "nodenet binary, for --probes");
    app.add_option("--runtime-dir", o.runtime_dir, "The daemon's runtime directory, for --probes");
    app.add_option("--probes", o.probes, "Updates timed until `nodenet get affiliates` shows them (needs --secret)");
    app.add_option("--probe-interval", o.probe_interval, "Seconds between probes")->capture_default_str();
    app.add_option("--seed", o.seed)->capture_default_str();
    app.add_flag("--ramp", o.ramp, "Stop at the first --rate that is not sustained (errors, lost deliveries, sender behind, p99 climbing)");
    CLI11_PARSE(app, argc, argv);
    if (o.durations.empty() || o.rates.empty()) {
        std::fprintf(stderr, "discovery_load: --rate and --duration need a value\n");
        return 2;
    }
    if (o.data_min < 16 || o.data_max < o.data_min || o.data_max > 2048 || o.endpoints_min < 0 ||
        o.endpoints_max < o.endpoints_min || o.endpoints_max > 64) {
        std::fprintf(stderr, "discovery_load: data sizes 16..2048 and endpoint counts 0..64, min <= max\n");
        return 2;
    }
    if (o.probes > 0 && (o.secret.empty() || o.nodenet.empty() || o.runtime_dir.empty())) {
        std::fprintf(stderr, "discovery_load: --probes needs --secret, --nodenet and --runtime-dir\n");
        return 2;
    }
    if (!o.secret.empty() && (o.clusters != 1 || o.cluster_id.empty())) {
        std::fprintf(stderr, "discovery_load: --secret publishes one cluster: --clusters 1 --cluster-id ID\n");
        return 2;
    }
    nodenet::bench::Generator generator(std::move(o));
    return generator.run();
}
