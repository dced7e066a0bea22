// A client of one discovery service (Talos's discovery-client, reference §4.5), as the daemon sees
// it: it publishes the node's own affiliate and reports what the service says about the others.
// The implementation (discovery/io/service_client.cpp, grpc++) lives in the module
// nodenet-discovery.so; this header is free of gRPC and protobuf so that the daemon, which links
// it, keeps its start-up light.
//
// Threading: gRPC runs the calls on its own threads. Everything the client has to say is queued
// and an eventfd becomes readable; the daemon's loop calls take_events() on its thread. Calls on
// ServiceClient come from that one thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "discovery/affiliate.h"

namespace nodenet::discovery {

struct ClientOptions {
    // As in the config: "https://discovery.talos.dev/", "http://10.0.0.1:3000" (plaintext),
    // "host:port" (TLS). A path is ignored, as Talos does.
    std::string endpoint;
    std::string cluster_id;      // cluster.id, sent in plaintext as the partition key
    std::string cluster_secret;  // cluster.secret, base64 of the 32-byte AES-256 key
    std::string node_id;         // this node's ID = its affiliate ID
    std::string client_version;  // Hello's client_version ("nodenet v0.x")
    // PEM roots for TLS; empty = the system's roots (tests pass their own CA).
    std::string tls_roots_file;

    std::chrono::seconds ttl{30 * 60};             // AffiliateUpdate's TTL (the service caps it at 30 min)
    std::chrono::seconds refresh{15 * 60};         // re-publish period (TTL/2 in Talos)
    std::chrono::milliseconds backoff_min{1000};   // first retry after an error, doubling...
    std::chrono::milliseconds backoff_max{60000};  // ...up to this
    std::chrono::seconds hello_timeout{10};
    std::chrono::seconds update_timeout{30};
};

// Endpoints harvested by this node for another affiliate, published under that affiliate's ID
// (KubeSpan's harvestExtraEndpoints).
struct OtherEndpoints {
    std::string node_id;
    std::vector<Endpoint> endpoints;

    bool operator==(const OtherEndpoints&) const = default;
};

struct ClientEvent {
    enum class Kind {
        Connected,     // Hello answered, the watch is open: client_ip (when reported), redirected_to
        Disconnected,  // the service is unreachable or the watch broke: message; retried after backoff
        Snapshot,      // the watch's first message: affiliates = every other affiliate now known
        Upsert,        // one affiliate appeared or changed: affiliates = {it}
        Removed,       // node_id was deleted or expired at the service
        Skipped,       // node_id's affiliate could not be read (other cluster's secret, ...): message
        Published,     // the service accepted the local affiliate (AffiliateUpdate or Delete)
        Refused,       // the service refused a request (ResourceExhausted, ...): message; retried
    };
    Kind kind;
    std::string endpoint;                 // which service (ClientOptions::endpoint, or the redirect)
    std::optional<IpAddress> client_ip;   // Connected: this node's address as the service saw it
    std::string redirected_to;            // Connected: the endpoint a Hello redirect named
    std::vector<Affiliate> affiliates;    // Snapshot, Upsert (the node's own is never reported)
    std::vector<std::string> warnings;    // endpoints left out of an affiliate, each with its reason
    std::string node_id;                  // Removed, Skipped
    std::string message;                  // Disconnected, Skipped, Refused: the reason
};

class ServiceClient {
public:
    virtual ~ServiceClient() = default;  // cancels every call; returns once gRPC's threads are done with it

    // Readable (eventfd semantics) while take_events() has something.
    virtual int notify_fd() const = 0;
    virtual std::vector<ClientEvent> take_events() = 0;

    // What to publish. Sent at once when it differs from what was last accepted, then again every
    // `refresh` and after each reconnect; identical calls cost nothing (so the watch echo of the
    // node's own update never causes another). The affiliate must pass check_affiliate.
    virtual void set_local(const Affiliate& local, const std::vector<OtherEndpoints>& others) = 0;

    // AffiliateDelete for the node (`nodenet leave`, reset), waiting at most `timeout`; the client
    // publishes nothing afterwards.
    virtual Status leave(std::chrono::milliseconds timeout) = 0;
};

}  // namespace nodenet::discovery
