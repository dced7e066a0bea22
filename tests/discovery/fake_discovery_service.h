// An in-memory discovery service for the client's tests: the generated Cluster::Service on
// 127.0.0.1, keeping affiliates as the real service does (data replaced, endpoints merged, every
// data update notified to watchers) and recording what clients asked. Not the real server
// (discovery/io/server.cpp): enough of it to see the client's side of the protocol.
#pragma once

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "discovery/proto/cluster.grpc.pb.h"

namespace nodenet::discovery::fake {

namespace pb = sidero::discovery::server;

class FakeDiscoveryService final : public pb::Cluster::Service {
public:
    // What the service was asked, in order.
    struct Record {
        std::vector<std::string> calls;  // "Hello", "Watch", "AffiliateUpdate", "AffiliateDelete"
        std::vector<pb::AffiliateUpdateRequest> updates;
        std::vector<pb::AffiliateDeleteRequest> deletes;
    };

    std::string redirect_to;         // Hello answers with a redirect there
    bool hang_hello = false;         // Hello answers only when cancelled
    bool refuse_updates = false;     // AffiliateUpdate answers RESOURCE_EXHAUSTED
    int flood = 0;                   // the first Watch sends this many unreadable affiliates after the snapshot
    bool flood_in_one_message = false;  // ... all in one message

    Record record() {
        std::lock_guard lock(mu_);
        return record_;
    }
    size_t count(const std::string& call) {
        std::lock_guard lock(mu_);
        return std::count(record_.calls.begin(), record_.calls.end(), call);
    }
    void set_refuse_updates(bool refuse) {
        std::lock_guard lock(mu_);
        refuse_updates = refuse;
    }
    // Ends every Watch stream (server shutdown).
    void stop() {
        std::lock_guard lock(mu_);
        stopping_ = true;
        changed_.notify_all();
    }

    grpc::Status Hello(grpc::ServerContext* context, const pb::HelloRequest*, pb::HelloResponse* response) override {
        std::unique_lock lock(mu_);
        record_.calls.push_back("Hello");
        if (hang_hello) {
            while (!context->IsCancelled() && !stopping_) changed_.wait_for(lock, std::chrono::milliseconds(10));
            return grpc::Status(grpc::StatusCode::CANCELLED, "hung");
        }
        if (!redirect_to.empty()) response->mutable_redirect()->set_endpoint(redirect_to);
        // "ipv4:127.0.0.1:54321": the client's address as 4 bytes.
        if (context->peer().starts_with("ipv4:127.0.0.1:")) response->set_client_ip(std::string("\x7f\0\0\x01", 4));
        return grpc::Status::OK;
    }

    grpc::Status AffiliateUpdate(grpc::ServerContext*, const pb::AffiliateUpdateRequest* request,
                                 pb::AffiliateUpdateResponse*) override {
        std::lock_guard lock(mu_);
        record_.calls.push_back("AffiliateUpdate");
        record_.updates.push_back(*request);
        if (refuse_updates) return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many affiliates");
        pb::Affiliate& a = affiliates_[request->affiliate_id()];
        a.set_id(request->affiliate_id());
        if (request->has_affiliate_data()) a.set_data(request->affiliate_data());
        for (const auto& e : request->affiliate_endpoints())
            if (std::find(a.endpoints().begin(), a.endpoints().end(), e) == a.endpoints().end()) a.add_endpoints(e);
        pb::WatchResponse change;
        *change.add_affiliates() = a;
        notify(change);
        return grpc::Status::OK;
    }

    grpc::Status AffiliateDelete(grpc::ServerContext*, const pb::AffiliateDeleteRequest* request,
                                 pb::AffiliateDeleteResponse*) override {
        std::lock_guard lock(mu_);
        record_.calls.push_back("AffiliateDelete");
        record_.deletes.push_back(*request);
        affiliates_.erase(request->affiliate_id());
        pb::WatchResponse change;
        change.set_deleted(true);
        change.add_affiliates()->set_id(request->affiliate_id());
        notify(change);
        return grpc::Status::OK;
    }

    grpc::Status Watch(grpc::ServerContext* context, const pb::WatchRequest*,
                       grpc::ServerWriter<pb::WatchResponse>* writer) override {
        std::deque<pb::WatchResponse> queue;
        {
            std::lock_guard lock(mu_);
            record_.calls.push_back("Watch");
            pb::WatchResponse snapshot;
            for (const auto& [id, a] : affiliates_) *snapshot.add_affiliates() = a;
            queue.push_back(snapshot);
            if (std::count(record_.calls.begin(), record_.calls.end(), "Watch") == 1) {
                pb::WatchResponse junk;
                for (int i = 0; i < flood; ++i) {
                    pb::Affiliate* a = junk.add_affiliates();
                    a->set_id("flood-" + std::to_string(i));
                    a->set_data("not sealed");
                    if (!flood_in_one_message) queue.push_back(std::exchange(junk, {}));
                }
                if (junk.affiliates_size() > 0) queue.push_back(std::move(junk));
            }
            watchers_.push_back(&queue);
        }
        std::unique_lock lock(mu_);
        while (!context->IsCancelled() && !stopping_) {
            while (!queue.empty()) {
                pb::WatchResponse next = std::move(queue.front());
                queue.pop_front();
                lock.unlock();
                bool written = writer->Write(next);
                lock.lock();
                if (!written) break;
            }
            changed_.wait_for(lock, std::chrono::milliseconds(10));
        }
        std::erase(watchers_, &queue);
        return grpc::Status(grpc::StatusCode::ABORTED, "watch ended");
    }

private:
    void notify(const pb::WatchResponse& change) {
        for (auto* watcher : watchers_) watcher->push_back(change);
        changed_.notify_all();
    }

    std::mutex mu_;
    std::condition_variable changed_;
    Record record_;
    std::map<std::string, pb::Affiliate> affiliates_;
    std::vector<std::deque<pb::WatchResponse>*> watchers_;
    bool stopping_ = false;
};

// The service on 127.0.0.1, plaintext unless given TLS credentials: on a free port, or on `port`
// (a restart).
class FakeDiscoveryServer {
public:
    explicit FakeDiscoveryServer(int port = 0,
                                 std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials()) {
        grpc::ServerBuilder builder;
        builder.AddListeningPort("127.0.0.1:" + std::to_string(port), credentials, &port_);
        builder.RegisterService(&service_);
        server_ = builder.BuildAndStart();
    }
    ~FakeDiscoveryServer() { stop(); }

    void stop() {
        if (!server_) return;
        service_.stop();
        server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
        server_->Wait();
        server_.reset();
    }

    bool running() const { return server_ && port_ > 0; }
    int port() const { return port_; }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    FakeDiscoveryService& service() { return service_; }

private:
    FakeDiscoveryService service_;  // outlives the server
    int port_ = 0;
    std::unique_ptr<grpc::Server> server_;
};

}  // namespace nodenet::discovery::fake
