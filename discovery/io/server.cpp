// The discovery service over grpc++'s callback API: no thread per call, so a thousand idle Watch
// streams cost memory, not threads, and cannot starve Hello or AffiliateUpdate. The state is
// discovery/server_state.h under one mutex; this file turns requests into its calls and its events
// into stream messages, and runs the timers (GC, snapshots) and the signal wait.
#include "discovery/io/server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <signal.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "discovery/io/inspect_http.h"
#include "discovery/peer_address.h"
#include "discovery/proto/cluster.grpc.pb.h"
#include "discovery/server_inspect.h"
#include "discovery/server_snapshot.h"
#include "discovery/server_state.h"
#include "store/atomic_file.h"

namespace nodenet::discovery {

namespace {

namespace pb = sidero::discovery::server;

void log(const std::string& line) { std::fprintf(stderr, "nodenet discovery-server: %s\n", line.c_str()); }

grpc::Status status_of(const RequestStatus& s) {
    if (s.ok()) return grpc::Status::OK;
    return {static_cast<grpc::StatusCode>(s.code), s.message};
}

void fill(pb::Affiliate* out, const WatchEvent& event) {
    out->set_id(event.id);
    if (event.deleted) return;
    out->set_data(event.data);
    for (const auto& e : event.endpoints) out->add_endpoints(e);
}

class WatchReactor;

// The state, its lock, and the Watch streams to wake when it changes.
class ServerCore {
public:
    ServerCore(ServerState state, double rate_limit)
        : state_(std::move(state)), limit_rate_(rate_limit > 0), limiter_({rate_limit, rate_limit * 4}) {}

    // Runs `op` on the state under the lock, then wakes the watchers it queued events for.
    template <class Op>
    auto mutate(Op op) {
        std::vector<WatcherId> notified;
        auto result = [&] {
            std::lock_guard lock(mu_);
            return op(state_, notified);
        }();
        wake(notified);
        return result;
    }
    template <class Op>
    auto read(Op op) {
        std::lock_guard lock(mu_);
        return op(state_);
    }

    // False when the client has used up its requests (15/s, burst 60 per IP).
    bool admit(grpc::CallbackServerContext* context) {
        if (!limit_rate_) return true;
        std::string ip = peer_ip_bytes(context->peer());
        std::lock_guard lock(mu_);
        return limiter_.allow(ip, ServerClock::now());
    }
    void gc_limiter(ServerTime now) {
        std::lock_guard lock(mu_);
        limiter_.gc(now);
    }

    void attach(WatcherId id, WatchReactor* reactor) {
        std::lock_guard lock(watch_mu_);
        reactors_[id] = reactor;
    }
    void detach(WatcherId id) {
        {
            std::lock_guard lock(watch_mu_);
            reactors_.erase(id);
        }
        std::lock_guard lock(mu_);
        state_.unsubscribe(id);
    }
    WatchBatch take_events(WatcherId id) {
        std::lock_guard lock(mu_);
        return state_.take_events(id);
    }
    void wake(const std::vector<WatcherId>& ids);

private:
    // Lock order: watch_mu_, then a reactor's own mutex, then mu_.
    std::mutex mu_;
    ServerState state_;
    const bool limit_rate_;
    RateLimiter limiter_;
    std::mutex watch_mu_;
    std::map<WatcherId, WatchReactor*> reactors_;
};

// One Watch stream: the snapshot, then the watcher's events one message at a time; at most one
// write in flight, the rest waits in the state's bounded queue (overflow: ABORTED "lost update").
class WatchReactor : public grpc::ServerWriteReactor<pb::WatchResponse> {
public:
    WatchReactor(ServerCore& core, const Subscription& subscription) : core_(core), id_(subscription.watcher) {
        for (const auto& event : subscription.snapshot) fill(message_.add_affiliates(), event);
        {
            std::lock_guard lock(mu_);
            writing_ = true;
            StartWrite(&message_);
        }
        // No reaction runs before Watch() returns this reactor, so none can delete it before it is
        // attached; events queued meanwhile are sent after the snapshot (OnWriteDone).
        core_.attach(id_, this);
    }

    // Called with the core's watch_mu_ held: the reactor cannot be deleted meanwhile.
    void pump() {
        std::lock_guard lock(mu_);
        pump_locked();
    }

private:
    void OnWriteDone(bool ok) override {
        std::lock_guard lock(mu_);
        writing_ = false;
        if (!ok) return finish_locked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
        pump_locked();
    }
    void OnCancel() override {
        std::lock_guard lock(mu_);
        finish_locked(grpc::Status::CANCELLED);
    }
    void OnDone() override {
        core_.detach(id_);
        delete this;
    }

    void pump_locked() {
        if (writing_ || finished_) return;
        if (pending_.empty()) {
            WatchBatch batch = core_.take_events(id_);
            if (batch.lost) return finish_locked(grpc::Status(grpc::StatusCode::ABORTED, "lost update"));
            pending_ = std::move(batch.events);
            next_ = 0;
        }
        if (next_ >= pending_.size()) return;
        const WatchEvent& event = pending_[next_++];
        message_.Clear();
        fill(message_.add_affiliates(), event);
        message_.set_deleted(event.deleted);
        if (next_ == pending_.size()) {
            pending_.clear();
            next_ = 0;
        }
        writing_ = true;
        StartWrite(&message_);
    }
    void finish_locked(const grpc::Status& status) {
        if (finished_) return;
        finished_ = true;
        Finish(status);
    }

    ServerCore& core_;
    const WatcherId id_;
    std::mutex mu_;
    bool writing_ = false, finished_ = false;
    pb::WatchResponse message_;
    std::vector<WatchEvent> pending_;  // at most kWatchQueueLength, taken from the state at once
    size_t next_ = 0;
};

void ServerCore::wake(const std::vector<WatcherId>& ids) {
    if (ids.empty()) return;
    std::lock_guard lock(watch_mu_);
    for (WatcherId id : ids)
        if (auto r = reactors_.find(id); r != reactors_.end()) r->second->pump();
}

const grpc::Status kRateLimited(grpc::StatusCode::RESOURCE_EXHAUSTED, "rate limit exceeded, slow down");

class ClusterService final : public pb::Cluster::CallbackService {
public:
    ClusterService(ServerCore& core, std::string redirect) : core_(core), redirect_(std::move(redirect)) {}

private:
    grpc::ServerUnaryReactor* Hello(grpc::CallbackServerContext* context, const pb::HelloRequest* request,
                                    pb::HelloResponse* response) override {
        return finish(context, [&] {
            auto s = core_.read([&](const ServerState& state) { return state.hello(request->cluster_id()); });
            if (!s.ok()) return status_of(s);
            response->set_client_ip(peer_ip_bytes(context->peer()));
            if (!redirect_.empty()) response->mutable_redirect()->set_endpoint(redirect_);
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* AffiliateUpdate(grpc::CallbackServerContext* context,
                                              const pb::AffiliateUpdateRequest* request,
                                              pb::AffiliateUpdateResponse*) override {
        return finish(context, [&] {
            // Seconds and nanos as protobuf's Duration; out-of-range values become a refused TTL.
            const auto& d = request->ttl();
            if (d.seconds() < 0 || d.seconds() > kMaxTtl.count() * 60 * 2)
                return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "TTL out of range");
            std::chrono::milliseconds ttl{d.seconds() * 1000 + d.nanos() / 1'000'000};
            std::optional<std::string_view> data;
            if (request->has_affiliate_data()) data = request->affiliate_data();
            std::vector<std::string> endpoints(request->affiliate_endpoints().begin(),
                                               request->affiliate_endpoints().end());
            return status_of(core_.mutate([&](ServerState& state, std::vector<WatcherId>& notified) {
                return state.update(request->cluster_id(), request->affiliate_id(), data, endpoints, ttl,
                                    ServerClock::now(), &notified);
            }));
        });
    }

    grpc::ServerUnaryReactor* AffiliateDelete(grpc::CallbackServerContext* context,
                                              const pb::AffiliateDeleteRequest* request,
                                              pb::AffiliateDeleteResponse*) override {
        return finish(context, [&] {
            return status_of(core_.mutate([&](ServerState& state, std::vector<WatcherId>& notified) {
                return state.remove(request->cluster_id(), request->affiliate_id(), &notified);
            }));
        });
    }

    grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* context, const pb::ListRequest* request,
                                   pb::ListResponse* response) override {
        return finish(context, [&] {
            std::vector<WatchEvent> affiliates;
            auto s = core_.read([&](const ServerState& state) { return state.list(request->cluster_id(), affiliates); });
            for (const auto& a : affiliates) fill(response->add_affiliates(), a);
            return status_of(s);
        });
    }

    grpc::ServerWriteReactor<pb::WatchResponse>* Watch(grpc::CallbackServerContext* context,
                                                       const pb::WatchRequest* request) override {
        Subscription subscription;
        RequestStatus s;
        if (!core_.admit(context)) {
            s = {RequestCode::ResourceExhausted, kRateLimited.error_message()};
        } else {
            s = core_.mutate([&](ServerState& state, std::vector<WatcherId>&) {
                return state.subscribe(request->cluster_id(), subscription);
            });
        }
        if (!s.ok()) {
            // A reactor that only finishes: the stream ends at once with the status.
            struct Refusal : grpc::ServerWriteReactor<pb::WatchResponse> {
                explicit Refusal(const grpc::Status& status) { Finish(status); }
                void OnDone() override { delete this; }
            };
            return new Refusal(status_of(s));
        }
        return new WatchReactor(core_, subscription);
    }

    template <class Handle>
    grpc::ServerUnaryReactor* finish(grpc::CallbackServerContext* context, Handle handle) {
        auto* reactor = context->DefaultReactor();
        reactor->Finish(core_.admit(context) ? handle() : kRateLimited);
        return reactor;
    }

    ServerCore& core_;
    const std::string redirect_;
};

Result<ServerState> load_snapshot(const std::string& path) {
    if (path.empty()) return ServerState{};
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        if (ec) return Error{"snapshot " + path + ": " + ec.message()};
        log("snapshot " + path + " does not exist yet: starting empty");
        return ServerState{};
    }
    auto bytes = store::read_file(path);
    if (!bytes) return Error{"snapshot " + path + ": " + bytes.error()};
    auto state = decode_server_snapshot(*bytes, ServerClock::now());
    // Refused rather than started empty: the next write would replace the file and lose what it
    // held. The operator moves the file away to start empty on purpose.
    if (!state) return Error{"snapshot " + path + ": " + state.error() + " (move it away to start empty)"};
    return state;
}

bool write_snapshot(ServerCore& core, const std::string& path) {
    if (path.empty()) return true;
    std::string bytes = core.read([](const ServerState& s) { return encode_server_snapshot(s, ServerClock::now()); });
    if (auto s = store::write_file_atomic(path, bytes, 0600); !s.ok()) {
        log("snapshot " + path + ": " + s.error());
        return false;
    }
    return true;
}

Result<std::shared_ptr<grpc::ServerCredentials>> credentials(const ServerOptions& options) {
    if (options.tls_cert_file.empty() && options.tls_key_file.empty()) return grpc::InsecureServerCredentials();
    if (options.tls_cert_file.empty() || options.tls_key_file.empty())
        return Error{"--tls-cert and --tls-key go together"};
    auto cert = store::read_file(options.tls_cert_file);
    if (!cert) return Error{"--tls-cert " + options.tls_cert_file + ": " + cert.error()};
    auto key = store::read_file(options.tls_key_file);
    if (!key) return Error{"--tls-key " + options.tls_key_file + ": " + key.error()};
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    return grpc::SslServerCredentials(ssl);
}

// The periodic work: GC every gc_interval, a snapshot every snapshot_interval, until stopped.
class Timers {
public:
    Timers(ServerCore& core, const ServerOptions& options) : core_(core), options_(options) {
        thread_ = std::thread([this] { run(); });
    }
    ~Timers() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }

private:
    void run() {
        auto next_gc = ServerClock::now() + options_.gc_interval;
        auto next_snapshot = ServerClock::now() + options_.snapshot_interval;
        std::unique_lock lock(mu_);
        while (!stop_) {
            cv_.wait_until(lock, std::min(next_gc, next_snapshot), [&] { return stop_; });
            if (stop_) break;
            lock.unlock();
            auto now = ServerClock::now();
            if (now >= next_gc) {
                core_.mutate([&](ServerState& state, std::vector<WatcherId>& notified) {
                    state.gc(now, &notified);
                    return 0;
                });
                core_.gc_limiter(now);
                next_gc = now + options_.gc_interval;
            }
            if (now >= next_snapshot) {
                if (!write_snapshot(core_, options_.snapshot_path)) log("trying again at the next interval");
                next_snapshot = now + options_.snapshot_interval;
            }
            lock.lock();
        }
    }

    ServerCore& core_;
    const ServerOptions& options_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace

int run_discovery_server(const ServerOptions& options) {
    // SIGINT and SIGTERM are blocked before any thread starts (gRPC starts some as soon as the
    // credentials are made) and taken by sigwait() below: a clean shutdown, whichever thread the
    // signal was sent to. The command ends with this function, so they stay blocked.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    if (options.gc_interval.count() <= 0 || options.snapshot_interval.count() <= 0) {
        log("--gc-interval and --snapshot-interval must be positive");
        return 2;
    }
    auto creds = credentials(options);
    if (!creds) {
        log(creds.error());
        return 2;
    }
    auto state = load_snapshot(options.snapshot_path);
    if (!state) {
        log(state.error());
        return 1;
    }

    ServerCore core(std::move(*state), options.rate_limit);
    // Written once at start: a snapshot path that cannot be written (no such directory, read-only)
    // stops the start now rather than at the first interval, ten minutes later.
    if (!write_snapshot(core, options.snapshot_path)) return 1;
    ClusterService service(core, options.redirect_endpoint);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(options.listen, *creds, &port);
    builder.RegisterService(&service);
    // Talos's client pings every 3 min; pings closer than 10 s are refused (too_many_pings), and
    // pings without a call are allowed, as Talos's server does.
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    // Bounds on one client: the largest genuine request is a few KiB (limits in server_state.h).
    builder.SetMaxReceiveMessageSize(64 * 1024);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 64);
    grpc::ResourceQuota quota("nodenet-discovery-server");
    quota.Resize(512 * 1024 * 1024);
    builder.SetResourceQuota(quota);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || port == 0) {
        log("cannot listen on " + options.listen);
        return 1;
    }
    log("listening on " + options.listen + (options.tls_cert_file.empty() ? " (plaintext)" : " (TLS)") +
        (options.snapshot_path.empty() ? ", no snapshots" : ", snapshot " + options.snapshot_path));

    std::unique_ptr<InspectServer> inspect;
    if (!options.inspect_listen.empty()) {
        auto started = start_inspect_server(options.inspect_listen, [&core](std::string_view cluster_id) {
            return core.read([&](const ServerState& s) { return inspect_cluster_json(s, cluster_id, ServerClock::now()); });
        });
        if (!started) {
            log(started.error());
            server->Shutdown();
            return 1;
        }
        inspect = std::move(*started);
        log("inspect view on http://" + options.inspect_listen + "/inspect?clusterID=…");
    }
    if (!options.ready_file.empty()) {
        if (auto s = store::write_file_atomic(options.ready_file, std::to_string(port) + "\n", 0644,
                                              store::Durability::Cache);
            !s.ok()) {
            log("--ready-file " + options.ready_file + ": " + s.error());
            server->Shutdown();
            return 1;
        }
    }

    {
        Timers timers(core, options);
        int signal = 0;
        sigwait(&signals, &signal);
        log(std::string("signal ") + strsignal(signal) + ": stopping");
    }
    inspect.reset();
    // Watch streams never end by themselves, and gRPC waits for connected clients to go away:
    // both are cut after a short grace (measured: 2 s with one idle client, 0.03 s with none).
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server->Wait();
    if (options.snapshot_path.empty()) return 0;
    if (!write_snapshot(core, options.snapshot_path)) return 1;
    log("final snapshot written to " + options.snapshot_path);
    return 0;
}

}  // namespace nodenet::discovery
