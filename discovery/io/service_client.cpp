// The discovery service client over grpc++ (discovery/service_client.h, reference §4.5).
//
// Threads: one control thread per client runs the schedule (discovery/client_schedule.h) with the
// synchronous API: Hello, open Watch, wait for its snapshot, publish, wait. While connected, a second thread reads the
// Watch stream (ClientReader::Read blocks). The synchronous API was chosen over the callback
// reactors because the sequence Hello → Watch → publish → refresh is then straight-line code, its
// order needs no state machine of callbacks, and every blocking call is cancelled the same way:
// the destructor calls TryCancel on the ClientContext of each call in flight (registered under the
// mutex) and joins two threads it owns, with no gRPC callback left that could touch a freed client.
// Two threads per service is cheap: a daemon talks to one or two services.
//
// A fresh channel is made for each connection attempt, so that the schedule's backoff, not
// gRPC's own reconnect backoff (up to 2 minutes), decides when the service is tried again.
#include "discovery/io/service_client.h"

#include <openssl/rand.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "common/printable.h"
#include "common/unique_fd.h"
#include "discovery/affiliate_seal.h"
#include "discovery/client_schedule.h"
#include "discovery/proto/cluster.grpc.pb.h"
#include "discovery/service_endpoint.h"
#include "discovery/watch_events.h"

namespace nodenet::discovery {
namespace {

namespace pb = sidero::discovery::server;
using Clock = ClientSchedule::Clock;
using Kind = ClientEvent::Kind;

// Past this many events waiting for take_events(), the queue is dropped and the watch reopened for
// a fresh snapshot: a hostile service streaming updates cannot exhaust the daemon's memory.
constexpr size_t kMaxQueuedEvents = 10000;
// A service redirecting to a service redirecting ... is a loop after this many.
constexpr int kMaxRedirects = 5;
// A snapshot of a full cluster (1024 affiliates of 2 KiB data and 64 endpoints of 32 bytes) is
// about 4.2 MB, above gRPC's default limit of 4 MiB.
constexpr int kMaxReceiveBytes = 16 << 20;
// A service keeps at most 1024 affiliates per cluster; a message naming more is not a service's,
// and its affiliates, tiny, would each become an event (a 16 MB message holds a million).
constexpr int kMaxAffiliatesPerMessage = 2048;
constexpr char kSystemRootsFile[] = "/etc/ssl/certs/ca-certificates.crt";

const char* status_code_name(grpc::StatusCode code) {
    switch (code) {
        case grpc::StatusCode::OK: return "OK";
        case grpc::StatusCode::CANCELLED: return "CANCELLED";
        case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
        case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
        case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
        case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
        case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
        case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
        case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
        case grpc::StatusCode::ABORTED: return "ABORTED";
        case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
        case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
        case grpc::StatusCode::INTERNAL: return "INTERNAL";
        case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
        case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
        case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
        default: return "UNKNOWN";
    }
}

// "UNAVAILABLE: failed to connect": the service's message is text from the network.
std::string describe(const grpc::Status& status) {
    std::string text = status_code_name(status.error_code());
    if (!status.error_message().empty()) text += ": " + printable_ascii(status.error_message(), 200);
    return text;
}

std::string describe(const char* call, const grpc::Status& status) { return std::string(call) + ": " + describe(status); }

// The service understood the request and said no (limits, a bad ID): the connection is fine, the
// request is retried later. Anything else means the service or the way to it is broken.
bool is_refusal(grpc::StatusCode code) {
    return code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::INVALID_ARGUMENT ||
           code == grpc::StatusCode::FAILED_PRECONDITION || code == grpc::StatusCode::PERMISSION_DENIED ||
           code == grpc::StatusCode::OUT_OF_RANGE || code == grpc::StatusCode::UNAUTHENTICATED;
}

std::string seconds_text(std::chrono::milliseconds delay) {
    std::ostringstream out;
    out.precision(3);
    out << static_cast<double>(delay.count()) / 1000 << "s";
    return out.str();
}

std::optional<IpAddress> ip_from_bytes(const std::string& bytes) {
    if (bytes.size() != 4 && bytes.size() != 16) return std::nullopt;
    IpAddress ip;
    ip.family = bytes.size() == 4 ? state::Family::V4 : state::Family::V6;
    std::memcpy(ip.bytes.data(), bytes.data(), bytes.size());
    return ip;
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path + ": " + std::strerror(errno)};
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return Error{path + ": read error"};
    return text.str();
}

// The local data as it goes out: sealed once per set_local (a fresh nonce), then sent unchanged
// at every refresh, as Talos does.
struct SealedLocal {
    LocalData plain;
    SealedAffiliate own;
    std::vector<std::pair<std::string, std::vector<std::string>>> others;  // node ID, sealed endpoints
};

Result<SealedLocal> seal_local(const ClusterKey& key, LocalData data) {
    Nonce nonce;
    if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) return Error{"no random bytes for a nonce"};
    auto own = seal_affiliate(key, data.affiliate, nonce);
    if (!own.ok()) return Error{own.error()};
    SealedLocal out{std::move(data), std::move(*own), {}};
    for (const OtherEndpoints& other : out.plain.others) {
        if (other.node_id.empty() || other.node_id.size() > kMaxNodeIdBytes)
            return Error{"endpoints for node " + printable_ascii(other.node_id, 80) + ": not a node ID"};
        auto sealed = seal_endpoints(key, other.endpoints);
        if (!sealed.ok()) return Error{"endpoints for node " + printable_ascii(other.node_id, 80) + ": " + sealed.error()};
        out.others.emplace_back(other.node_id, std::move(*sealed));
    }
    return out;
}

class GrpcServiceClient final : public ServiceClient {
public:
    GrpcServiceClient(ClientOptions options, ServiceEndpoint endpoint, ClusterKey key, std::string tls_roots,
                      UniqueFd event_fd)
        : options_(std::move(options)),
          key_(key),
          tls_roots_(std::move(tls_roots)),
          event_fd_(std::move(event_fd)),
          endpoint_(std::move(endpoint)),
          schedule_(ScheduleOptions{options_.refresh, options_.backoff_min, options_.backoff_max, 0.2}),
          random_(std::random_device{}()) {
        control_ = std::thread([this] { run(); });
    }

    ~GrpcServiceClient() override {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
            for (grpc::ClientContext* call : calls_) call->TryCancel();
            if (watch_) watch_->context.TryCancel();
        }
        wake_.notify_all();
        control_.join();
    }

    int notify_fd() const override { return event_fd_.get(); }

    std::vector<ClientEvent> take_events() override {
        std::lock_guard lock(mu_);
        uint64_t count;
        while (::read(event_fd_.get(), &count, sizeof count) < 0 && errno == EINTR) {
        }
        std::vector<ClientEvent> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
        events_.clear();
        return out;
    }

    void set_local(const Affiliate& local, const std::vector<OtherEndpoints>& others) override {
        LocalData data{local, others};
        {
            std::lock_guard lock(mu_);
            if (schedule_.local() == data) return;  // the watch echo of our own update, or a repeat
        }
        auto sealed = seal_local(key_, data);
        std::lock_guard lock(mu_);
        if (!sealed.ok()) {
            // Not retried: the same data would fail the same way; the next set_local may pass.
            push(event(Kind::Refused, name() + ": not published: " + sealed.error()));
            return;
        }
        schedule_.set_local(std::move(data));
        sealed_ = std::move(*sealed);
        wake_.notify_all();
    }

    Status leave(std::chrono::milliseconds timeout) override {
        auto deadline = Clock::now() + timeout;
        std::shared_ptr<pb::Cluster::Stub> stub;
        std::string target;
        {
            std::unique_lock lock(mu_);
            schedule_.leave();
            wake_.notify_all();
            // An update still in flight would bring the affiliate back after the delete.
            if (!wake_.wait_until(lock, deadline, [&] { return !publishing_; }))
                return Error{name() + ": AffiliateDelete: an update still in flight after " + seconds_text(timeout)};
            stub = stub_ ? stub_ : make_stub(endpoint_);
            target = endpoint_.target;
        }
        pb::AffiliateDeleteRequest request;
        request.set_cluster_id(options_.cluster_id);
        request.set_affiliate_id(options_.node_id);
        pb::AffiliateDeleteResponse response;
        grpc::Status status = call(deadline, [&](grpc::ClientContext* context) {
            return stub->AffiliateDelete(context, request, &response);
        });
        std::lock_guard lock(mu_);
        if (!status.ok()) return Error{"discovery service " + target + ": " + describe("AffiliateDelete", status)};
        push(event(Kind::Published, "AffiliateDelete"));
        return success();
    }

private:
    struct Watch {
        grpc::ClientContext context;
        std::unique_ptr<grpc::ClientReader<pb::WatchResponse>> reader;
        std::thread thread;
        ClientEvent connected;  // pushed by the watch thread with the snapshot
        // Set by the watch thread.
        bool snapshot_received = false;
        bool ended = false;
        std::string reason;
    };

    std::string name() const { return "discovery service " + endpoint_.target; }

    ClientEvent event(Kind kind, std::string message = {}) const {
        ClientEvent e{};
        e.kind = kind;
        e.endpoint = endpoint_.target;
        e.message = std::move(message);
        return e;
    }

    // With mu_ held. False when the queue overflowed and was dropped.
    bool push(ClientEvent e) {
        if (events_.size() >= kMaxQueuedEvents) {
            events_.clear();
            return false;
        }
        events_.push_back(std::move(e));
        uint64_t one = 1;
        while (::write(event_fd_.get(), &one, sizeof one) < 0 && errno == EINTR) {
        }
        return true;
    }

    std::shared_ptr<pb::Cluster::Stub> make_stub(const ServiceEndpoint& endpoint) const {
        grpc::ChannelArguments args;
        auto keepalive = std::max<std::chrono::milliseconds>(std::chrono::seconds(10), options_.ttl / 10);
        args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(keepalive.count()));
        args.SetMaxReceiveMessageSize(kMaxReceiveBytes);
        std::shared_ptr<grpc::ChannelCredentials> credentials;
        if (endpoint.tls) {
            grpc::SslCredentialsOptions ssl;
            ssl.pem_root_certs = tls_roots_;  // empty: gRPC's default roots
            credentials = grpc::SslCredentials(ssl);
        } else {
            credentials = grpc::InsecureChannelCredentials();
        }
        return pb::Cluster::NewStub(grpc::CreateCustomChannel(endpoint.target, credentials, args));
    }

    // A unary call that the destructor can cancel.
    template <class Invoke>
    grpc::Status call(Clock::time_point deadline, Invoke invoke) {
        grpc::ClientContext context;
        // gRPC takes only the system clock; the rest of the client keeps the monotonic one.
        context.set_deadline(std::chrono::system_clock::now() + (deadline - Clock::now()));
        {
            std::lock_guard lock(mu_);
            if (stopping_) return grpc::Status(grpc::StatusCode::CANCELLED, "the client is closing");
            calls_.push_back(&context);
        }
        grpc::Status status = invoke(&context);
        std::lock_guard lock(mu_);
        std::erase(calls_, &context);
        return status;
    }

    double random() { return std::uniform_real_distribution<double>(0, 1)(random_); }

    // The control thread.
    void run() {
        std::unique_lock lock(mu_);
        while (!stopping_) {
            if (watch_ && watch_->ended) {
                std::string reason = "Watch: " + watch_->reason;
                lock.unlock();
                close_watch();
                lock.lock();
                disconnected(Kind::Disconnected, reason);
                continue;
            }
            auto next = schedule_.next(Clock::now());
            if (next.step == ClientSchedule::Step::Wait) {
                if (next.at == Clock::time_point::max()) {
                    wake_.wait(lock);
                } else {
                    wake_.wait_until(lock, next.at);
                }
            } else if (next.step == ClientSchedule::Step::Connect) {
                lock.unlock();
                connect();
                lock.lock();
            } else {
                publish(lock);
            }
        }
        lock.unlock();
        close_watch();
    }

    // With mu_ held: the connection is gone, tried again after the backoff.
    void disconnected(Kind kind, const std::string& reason) {
        auto delay = schedule_.disconnected(Clock::now(), random());
        push(event(kind, name() + ": " + reason + "; reconnecting in " + seconds_text(delay)));
    }

    void close_watch() {
        std::unique_ptr<Watch> watch;
        {
            std::lock_guard lock(mu_);
            watch = std::move(watch_);
        }
        if (!watch) return;
        watch->context.TryCancel();
        if (watch->thread.joinable()) watch->thread.join();
    }

    // Hello (following redirects), then Watch.
    void connect() {
        ServiceEndpoint endpoint;
        {
            std::lock_guard lock(mu_);
            endpoint = endpoint_;
        }
        std::string redirected_to;
        std::shared_ptr<pb::Cluster::Stub> stub;
        pb::HelloResponse hello;
        for (int redirects = 0;; ++redirects) {
            stub = make_stub(endpoint);
            pb::HelloRequest request;
            request.set_cluster_id(options_.cluster_id);
            request.set_client_version(options_.client_version);
            hello.Clear();
            grpc::Status status = call(Clock::now() + options_.hello_timeout, [&](grpc::ClientContext* context) {
                return stub->Hello(context, request, &hello);
            });
            std::lock_guard lock(mu_);
            if (stopping_) return;
            if (!status.ok()) {
                disconnected(is_refusal(status.error_code()) ? Kind::Refused : Kind::Disconnected,
                             describe("Hello", status));
                return;
            }
            if (!hello.has_redirect()) break;
            auto next = parse_redirect_endpoint(hello.redirect().endpoint(), endpoint);
            if (!next.ok() || redirects == kMaxRedirects) {
                disconnected(Kind::Disconnected, "Hello: " + (next.ok() ? "more than " + std::to_string(kMaxRedirects) +
                                                                              " redirects"
                                                                        : next.error()));
                return;
            }
            // Talos keeps the endpoint a redirect names for every later connection.
            endpoint = *next;
            endpoint_ = endpoint;
            redirected_to = endpoint.target;
        }
        ClientEvent connected = event(Kind::Connected);
        connected.client_ip = ip_from_bytes(hello.client_ip());
        connected.redirected_to = redirected_to;
        open_watch(stub, std::move(connected));
        // Publishing waits for the snapshot, the proof that the watch is open on a service: gRPC
        // may retry a Watch refused by a service that is shutting down on a fresh connection, to
        // a restarted instance behind the same address, and an update sent before that would
        // have gone to the old one (ServiceClient.ServiceRestart... failed 1 run in 10 so).
        std::unique_lock lock(mu_);
        auto deadline = Clock::now() + options_.hello_timeout;
        bool ready = wake_.wait_until(lock, deadline, [&] {
            return stopping_ || !watch_ || watch_->snapshot_received || watch_->ended;
        });
        if (stopping_ || !watch_ || watch_->ended) return;  // run() reports the end of the watch
        if (!ready) {
            lock.unlock();
            close_watch();
            lock.lock();
            disconnected(Kind::Disconnected, "Watch: no snapshot within " + seconds_text(options_.hello_timeout));
            return;
        }
        stub_ = stub;
        schedule_.connected(Clock::now());
    }

    void open_watch(const std::shared_ptr<pb::Cluster::Stub>& stub, ClientEvent connected) {
        auto watch = std::make_unique<Watch>();
        watch->connected = std::move(connected);
        Watch* w = watch.get();
        {
            std::lock_guard lock(mu_);
            if (stopping_) return;
            watch_ = std::move(watch);  // from now on the destructor cancels it
        }
        pb::WatchRequest request;
        request.set_cluster_id(options_.cluster_id);
        // Blocks until the request is sent (or the call cancelled); errors show in Finish().
        w->reader = stub->Watch(&w->context, request);
        w->thread = std::thread([this, w] { read_watch(w); });
    }

    // The watch thread.
    void read_watch(Watch* w) {
        pb::WatchResponse response;
        bool first = true;
        bool overflowed = false;
        std::string broken;  // why the client ends the watch itself
        while (w->reader->Read(&response)) {
            if (response.affiliates_size() > kMaxAffiliatesPerMessage) {
                broken = "a message of " + std::to_string(response.affiliates_size()) + " affiliates, more than " +
                         std::to_string(kMaxAffiliatesPerMessage) + ": not a discovery service";
                break;
            }
            auto events = watch_events(key_, options_.node_id, endpoint_target(), response, first);
            std::lock_guard lock(mu_);
            if (first) {
                push(std::move(w->connected));
                w->snapshot_received = true;
                wake_.notify_all();
            }
            first = false;
            for (auto& e : events) overflowed = overflowed || !push(std::move(e));
            if (overflowed) {
                broken = "more than " + std::to_string(kMaxQueuedEvents) +
                         " events waiting for the daemon: dropped, the watch is reopened for a fresh snapshot";
                break;
            }
        }
        if (!broken.empty()) w->context.TryCancel();
        grpc::Status status = w->reader->Finish();
        std::lock_guard lock(mu_);
        w->ended = true;
        w->reason = !broken.empty() ? broken : status.ok() ? "the service ended the stream" : describe(status);
        wake_.notify_all();
    }

    std::string endpoint_target() {
        std::lock_guard lock(mu_);
        return endpoint_.target;
    }

    // With mu_ held (`lock`): the AffiliateUpdates of the local data, unlocked while they run.
    void publish(std::unique_lock<std::mutex>& lock) {
        SealedLocal sealed = sealed_;
        std::shared_ptr<pb::Cluster::Stub> stub = stub_;
        publishing_ = true;
        lock.unlock();
        const char* failed_call = "AffiliateUpdate";
        grpc::Status status = send_updates(*stub, sealed, failed_call);
        lock.lock();
        publishing_ = false;
        wake_.notify_all();
        if (stopping_) return;
        if (status.ok()) {
            schedule_.published(sealed.plain, Clock::now());
            push(event(Kind::Published, "AffiliateUpdate"));
        } else if (is_refusal(status.error_code())) {
            auto delay = schedule_.refused(Clock::now(), random());
            push(event(Kind::Refused, name() + ": " + describe(failed_call, status) + "; retrying in " +
                                          seconds_text(delay)));
        } else {
            lock.unlock();
            close_watch();
            lock.lock();
            disconnected(Kind::Disconnected, describe(failed_call, status));
        }
    }

    grpc::Status send_updates(pb::Cluster::Stub& stub, const SealedLocal& sealed, const char*& failed_call) {
        auto deadline = Clock::now() + options_.update_timeout;
        auto update = [&](const std::string& id, const std::string* data, const std::vector<std::string>& endpoints) {
            pb::AffiliateUpdateRequest request;
            request.set_cluster_id(options_.cluster_id);
            request.set_affiliate_id(id);
            if (data) request.set_affiliate_data(*data);
            for (const auto& e : endpoints) request.add_affiliate_endpoints(e);
            request.mutable_ttl()->set_seconds(options_.ttl.count());
            pb::AffiliateUpdateResponse response;
            return call(deadline, [&](grpc::ClientContext* context) {
                return stub.AffiliateUpdate(context, request, &response);
            });
        };
        grpc::Status status = update(options_.node_id, &sealed.own.data, sealed.own.endpoints);
        if (!status.ok()) return status;
        // Endpoints harvested for other nodes: merged there by the service (KubeSpan's
        // harvestExtraEndpoints).
        failed_call = "AffiliateUpdate (endpoints for another node)";
        for (const auto& [id, endpoints] : sealed.others) {
            if (endpoints.empty()) continue;
            status = update(id, nullptr, endpoints);
            if (!status.ok()) return status;
        }
        return status;
    }

    const ClientOptions options_;
    const ClusterKey key_;
    const std::string tls_roots_;
    UniqueFd event_fd_;

    std::mutex mu_;
    std::condition_variable wake_;  // for the control thread: something to do; for leave(): publish done
    // Everything below is guarded by mu_.
    ServiceEndpoint endpoint_;  // the configured one, or where the last redirect sent the client
    std::shared_ptr<pb::Cluster::Stub> stub_;  // the connected channel
    ClientSchedule schedule_;
    SealedLocal sealed_;
    std::deque<ClientEvent> events_;
    std::vector<grpc::ClientContext*> calls_;  // unary calls in flight
    std::unique_ptr<Watch> watch_;
    bool publishing_ = false;
    bool stopping_ = false;
    std::mt19937_64 random_;

    std::thread control_;  // last: started when everything above exists
};

}  // namespace

Result<std::unique_ptr<ServiceClient>> make_service_client(const ClientOptions& options) {
    auto endpoint = parse_service_endpoint(options.endpoint);
    if (!endpoint.ok()) return Error{endpoint.error()};
    std::string name = "discovery service " + endpoint->target;
    auto key = parse_cluster_secret(options.cluster_secret);
    if (!key.ok()) return Error{name + ": " + key.error()};
    if (options.cluster_id.empty() || options.cluster_id.size() > 256)
        return Error{name + ": cluster ID: must be 1 to 256 bytes"};
    if (options.node_id.empty() || options.node_id.size() > kMaxNodeIdBytes)
        return Error{name + ": node ID: must be 1 to " + std::to_string(kMaxNodeIdBytes) + " bytes"};
    if (options.ttl <= std::chrono::seconds(0) || options.refresh <= std::chrono::seconds(0))
        return Error{name + ": the TTL and the refresh period must be positive"};
    std::string roots;
    if (!options.tls_roots_file.empty()) {
        auto text = read_file(options.tls_roots_file);
        if (!text.ok()) return Error{name + ": TLS roots: " + text.error()};
        roots = std::move(*text);
    } else if (endpoint->tls) {
        // The system's trust store, where Go (and so Talos) finds it on Debian, with the CAs an
        // administrator added; gRPC's default is its own copy of Mozilla's list.
        if (auto text = read_file(kSystemRootsFile); text.ok()) roots = std::move(*text);
    }
    UniqueFd event_fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!event_fd) return Error{name + ": eventfd: " + std::strerror(errno)};
    return std::unique_ptr<ServiceClient>(
        std::make_unique<GrpcServiceClient>(options, *endpoint, *key, std::move(roots), std::move(event_fd)));
}

}  // namespace nodenet::discovery
