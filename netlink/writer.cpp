#include "netlink/writer.h"

#include <linux/netlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <map>
#include <memory>

#include "netlink/message_builder.h"
#include "netlink/wireguard_ops.h"
#include "plan/render.h"

namespace nodenet::netlink {

namespace {

constexpr size_t kWindow = 256;             // requests in flight before reading acknowledgements
constexpr size_t kBatchBytes = 64 * 1024;   // requests joined into one send()
constexpr int kSocketBuffer = 8 * 1024 * 1024;

struct SockDeleter {
    void operator()(nl_sock* s) const { nl_socket_free(s); }
};

class Session {
public:
    explicit Session(const std::vector<plan::Operation>& ops) : ops_(ops) {}

    ExecuteResult run();

private:
    struct Pending {
        size_t op;
    };

    bool open();
    int index_of(const std::string& name);
    bool run_stage(size_t begin, size_t end);
    bool flush();
    bool read_acks(size_t until_outstanding);
    void on_ack(uint32_t seq, int error, const std::string& detail);
    void fail(size_t op, const std::string& reason);

    const std::vector<plan::Operation>& ops_;
    std::unique_ptr<nl_sock, SockDeleter> sock_;
    int fd_ = -1;
    uint32_t seq_ = 1;
    std::vector<uint8_t> batch_;
    std::map<uint32_t, Pending> pending_;
    std::map<std::string, int> indexes_;
    std::vector<bool> touched_;
    ExecuteResult result_;
};

bool Session::open() {
    sock_.reset(nl_socket_alloc());
    if (!sock_ || nl_connect(sock_.get(), NETLINK_ROUTE) < 0) return false;
    nl_socket_set_buffer_size(sock_.get(), kSocketBuffer, kSocketBuffer);
    fd_ = nl_socket_get_fd(sock_.get());
    int on = 1;
    // The kernel's own words for a refusal ("Nexthop has invalid gateway"), without echoing the
    // whole request back in every acknowledgement.
    setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof on);
    setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof on);
    return true;
}

int Session::index_of(const std::string& name) {
    auto it = indexes_.find(name);
    if (it != indexes_.end()) return it->second;
    int index = static_cast<int>(if_nametoindex(name.c_str()));
    if (index > 0) indexes_[name] = index;
    return index;
}

void Session::fail(size_t op, const std::string& reason) {
    if (!result_.failure || op < result_.failure->operation)
        result_.failure = Failure{op, ops_[op].link() + ": " + action_text(ops_[op]) + ": " + reason};
}

bool Session::flush() {
    if (batch_.empty()) return true;
    size_t off = 0;
    while (off < batch_.size()) {
        ssize_t n = send(fd_, batch_.data() + off, batch_.size() - off, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        off += static_cast<size_t>(n);
    }
    batch_.clear();
    return true;
}

void Session::on_ack(uint32_t seq, int error, const std::string& detail) {
    auto it = pending_.find(seq);
    if (it == pending_.end()) return;
    Pending p = it->second;
    pending_.erase(it);
    if (error == 0) {
        if (!touched_[p.op]) result_.done.push_back(p.op);
        touched_[p.op] = true;
        return;
    }
    fail(p.op, std::strerror(-error) + (detail.empty() ? "" : " (" + detail + ")"));
}

bool Session::read_acks(size_t until_outstanding) {
    // Not zeroed: only the pages the kernel writes become resident. A zeroed 256 KB vector touched
    // them all, and once freed glibc kept them in the heap: +256 KB of a daemon's memory for good
    // after its first drift correction.
    constexpr size_t kAckBuffer = 256 * 1024;
    auto buf = std::make_unique_for_overwrite<uint8_t[]>(kAckBuffer);
    while (pending_.size() > until_outstanding) {
        ssize_t n = recv(fd_, buf.get(), kAckBuffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf.get()); nlmsg_ok(h, len); h = nlmsg_next(h, &len)) {
            if (h->nlmsg_type != NLMSG_ERROR) continue;
            auto* err = static_cast<nlmsgerr*>(nlmsg_data(h));
            std::string detail;
            if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
                // With NETLINK_CAP_ACK the original request is cut to its header; TLVs follow.
                size_t off = NLMSG_ALIGN(sizeof(nlmsgerr));
                auto* attrs = reinterpret_cast<nlattr*>(static_cast<char*>(nlmsg_data(h)) + off);
                int attrs_len = static_cast<int>(h->nlmsg_len) - NLMSG_HDRLEN - static_cast<int>(off);
                if (nlattr* msg = nla_find(attrs, attrs_len, NLMSGERR_ATTR_MSG)) detail = nla_get_string(msg);
            }
            on_ack(h->nlmsg_seq, err->error, detail);
        }
    }
    return true;
}

bool Session::run_stage(size_t begin, size_t end) {
    IndexOf resolve = [this](const std::string& name) { return index_of(name); };
    for (size_t i = begin; i < end && !result_.failure; ++i) {
        // WireGuard devices: run in order, once everything before them is acknowledged.
        if (runs_outside_rtnetlink(ops_[i])) {
            if (!flush() || !read_acks(0)) return false;
            if (result_.failure) break;
            Status s = run_outside_rtnetlink(ops_[i]);
            if (!s.ok()) {
                fail(i, s.error());
                continue;
            }
            result_.done.push_back(i);
            touched_[i] = true;
            // wireguard-go makes its TUN device down with the default MTU: what the kernel's
            // create message would have carried (up, MTU) is set now, before the addresses and
            // routes that need the link up.
            if (const auto* create = std::get_if<plan::CreateLink>(&ops_[i].change)) {
                plan::SetLink set{create->link->name, {}, {}};
                set.to.up = create->link->up;
                set.to.mtu = create->link->mtu;
                if (!set.to.up && !set.to.mtu) continue;
                auto requests = build_requests(plan::Operation{set, ops_[i].reason}, resolve, seq_);
                if (!requests.ok()) {
                    fail(i, requests.error());
                    continue;
                }
                for (std::vector<uint8_t>& m : *requests) {
                    if (batch_.size() + m.size() > kBatchBytes && !flush()) return false;
                    batch_.insert(batch_.end(), m.begin(), m.end());
                    pending_[seq_++] = Pending{i};
                    ++result_.requests;
                }
                if (!flush() || !read_acks(0)) return false;
            }
            continue;
        }
        auto requests = build_requests(ops_[i], resolve, seq_);
        if (!requests.ok()) {
            fail(i, requests.error());
            continue;
        }
        for (size_t r = 0; r < requests->size(); ++r) {
            std::vector<uint8_t>& m = (*requests)[r];
            if (batch_.size() + m.size() > kBatchBytes && !flush()) return false;
            batch_.insert(batch_.end(), m.begin(), m.end());
            pending_[seq_++] = Pending{i};
            ++result_.requests;
        }
        if (pending_.size() >= kWindow && (!flush() || !read_acks(kWindow / 2))) return false;
    }
    return flush() && read_acks(0);
}

ExecuteResult Session::run() {
    touched_.assign(ops_.size(), false);
    if (ops_.empty()) return result_;
    if (!open()) {
        result_.failure = Failure{0, std::string("cannot open an rtnetlink socket: ") + std::strerror(errno)};
        return result_;
    }
    // A stage ends after the last link creation: later requests name links by index.
    size_t split = 0;
    for (size_t i = 0; i < ops_.size(); ++i)
        if (std::holds_alternative<plan::CreateLink>(ops_[i].change)) split = i + 1;
    for (auto [begin, end] : {std::pair{size_t{0}, split}, std::pair{split, ops_.size()}}) {
        if (begin == end) continue;
        if (!run_stage(begin, end)) {
            fail(begin, std::string("netlink socket: ") + std::strerror(errno));
            break;
        }
        if (result_.failure) break;
        indexes_.clear();  // links created or deleted in this stage change the name -> index map
    }
    std::sort(result_.done.begin(), result_.done.end());
    return result_;
}

}  // namespace

std::string action_text(const plan::Operation& op) {
    std::string text = plan::describe(op).substr(2);
    const char* verb = std::visit(
        [](const auto& c) -> const char* {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, plan::CreateLink>) return "create ";
            else if constexpr (std::is_same_v<T, plan::DeleteLink>) return "delete ";
            else if constexpr (std::is_same_v<T, plan::SetLink>) return "set ";
            else if constexpr (std::is_same_v<T, plan::AddAddress> || std::is_same_v<T, plan::AddRoute> ||
                               std::is_same_v<T, plan::AddRule>)
                return "add ";
            else if constexpr (std::is_same_v<T, plan::ReplaceRoute>) return "replace ";
            else if constexpr (std::is_same_v<T, plan::ConfigureWireguard>) return "configure ";
            else if constexpr (std::is_same_v<T, plan::UpdateAddress>) return "update ";
            else return "delete ";
        },
        op.change);
    return verb + text;
}

ExecuteResult execute(const std::vector<plan::Operation>& ops) { return Session(ops).run(); }

}  // namespace nodenet::netlink
