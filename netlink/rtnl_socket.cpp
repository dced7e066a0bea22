#include "netlink/rtnl_socket.h"

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace nodenet::netlink {

void NlSockDeleter::operator()(nl_sock* sock) const { nl_socket_free(sock); }
void NlMsgDeleter::operator()(nl_msg* msg) const { nlmsg_free(msg); }

namespace {

// The most the kernel puts into one dump datagram (it sizes them by our first recvmsg, capped at
// 32 KiB); a single bigger message is still read whole thanks to MSG_PEEK.
constexpr size_t kReceiveBuffer = 32768;

// The extended-ack attributes that follow the payload of an NLMSG_DONE or NLMSG_ERROR.
std::string extended_ack_message(const nlmsghdr* hdr, size_t payload) {
    if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS)) return "";
    size_t offset = NLMSG_HDRLEN + NLMSG_ALIGN(payload);
    if (offset >= hdr->nlmsg_len) return "";
    auto* attrs = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(const_cast<nlmsghdr*>(hdr)) + offset);
    nlattr* tb[NLMSGERR_ATTR_MAX + 1] = {};
    if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, static_cast<int>(hdr->nlmsg_len - offset), nullptr) < 0) return "";
    nlattr* msg = tb[NLMSGERR_ATTR_MSG];
    if (!msg || nla_len(msg) <= 0) return "";
    const char* text = static_cast<const char*>(nla_data(msg));
    return std::string(text, strnlen(text, static_cast<size_t>(nla_len(msg))));
}

// NLMSG_DONE carries the dump's own status: a request the kernel rejects (strict checking) or a
// failure half-way arrives there, not as NLMSG_ERROR.
struct DumpEnd {
    int kernel_errno = 0;
    std::string kernel_message;  // extended ack (NLMSGERR_ATTR_MSG), when the kernel gave one
};

DumpEnd done_status(const nlmsghdr* hdr) {
    DumpEnd end;
    if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(int))) return end;
    int status = 0;
    std::memcpy(&status, NLMSG_DATA(hdr), sizeof status);
    if (status < 0) end = {-status, extended_ack_message(hdr, sizeof(int))};
    return end;
}

DumpEnd error_status(const nlmsghdr* hdr) {
    DumpEnd end;
    if (hdr->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return {EBADMSG, "a truncated error message"};
    nlmsgerr err{};
    std::memcpy(&err, NLMSG_DATA(hdr), sizeof err);
    if (err.error == 0) return end;  // an acknowledgement: the request is done
    size_t payload = (hdr->nlmsg_flags & NLM_F_CAPPED) ? sizeof(nlmsgerr)
                                                       : sizeof(nlmsgerr) - sizeof(nlmsghdr) + err.msg.nlmsg_len;
    return {-err.error, extended_ack_message(hdr, payload)};
}

std::string kernel_reason(const DumpEnd& end) {
    std::string reason = std::strerror(end.kernel_errno);
    if (!end.kernel_message.empty()) reason += " (" + end.kernel_message + ")";
    return reason;
}

}  // namespace

Result<RtnlSocket> RtnlSocket::open() {
    RtnlSocket s;
    s.sock_.reset(nl_socket_alloc());
    if (!s.sock_) return Error{"netlink socket: out of memory"};
    nl_sock* sock = s.sock_.get();
    int err = nl_connect(sock, NETLINK_ROUTE);
    if (err < 0) return Error{std::string("netlink socket: ") + nl_geterror(err)};
    // Dumps end with NLMSG_DONE; an ACK would only be one more message to read.
    nl_socket_disable_auto_ack(sock);
    nl_socket_set_msg_buf_size(sock, kReceiveBuffer);
    nl_socket_enable_msg_peek(sock);
    int fd = nl_socket_get_fd(sock), one = 1;
    s.strict_ = setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one) == 0;
    // Without it errors lose their detail, nothing else.
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    return s;
}

// The answers are read with libnl's nl_recv (one datagram, sized with MSG_PEEK) and walked in
// place: nl_recvmsgs would copy every message into an nl_msg of its own, two allocations and a copy
// per route — a third of the user time of reading 10,000 routes.
Result<DumpOutcome> RtnlSocket::dump(nl_msg* request, const MessageHandler& on_message) {
    nl_sock* sock = sock_.get();
    nlmsg_hdr(request)->nlmsg_seq = NL_AUTO_SEQ;  // a fresh number each time the request is sent
    int sent = nl_send_auto(sock, request);
    if (sent < 0) return Error{std::string("send: ") + nl_geterror(sent)};
    const uint32_t seq = nlmsg_hdr(request)->nlmsg_seq;

    DumpOutcome outcome;
    for (;;) {
        sockaddr_nl from{};
        unsigned char* raw = nullptr;
        int n = nl_recv(sock, &from, &raw, nullptr);
        std::unique_ptr<unsigned char, decltype(&std::free)> datagram(raw, &std::free);
        if (n < 0) return Error{std::string("receive: ") + nl_geterror(n)};
        if (n == 0) return Error{"receive: the socket was closed before the dump ended"};
        if (from.nl_pid != 0) continue;  // only the kernel answers dumps
        int left = n;
        for (auto* hdr = reinterpret_cast<nlmsghdr*>(datagram.get()); nlmsg_ok(hdr, left); hdr = nlmsg_next(hdr, &left)) {
            // Answers to an earlier request (one abandoned after an error) must not be taken for this one's.
            if (hdr->nlmsg_seq != seq) continue;
            // The table changed while it was being dumped: read on to the end, then the caller runs it again.
            if (hdr->nlmsg_flags & NLM_F_DUMP_INTR) outcome.interrupted = true;
            if (hdr->nlmsg_type == NLMSG_DONE || hdr->nlmsg_type == NLMSG_ERROR) {
                DumpEnd end = hdr->nlmsg_type == NLMSG_DONE ? done_status(hdr) : error_status(hdr);
                if (end.kernel_errno != 0) return Error{kernel_reason(end)};
                return outcome;
            }
            if (hdr->nlmsg_type < NLMSG_MIN_TYPE) continue;  // NLMSG_NOOP, NLMSG_OVERRUN
            ++outcome.messages;
            if (Status status = on_message(hdr); !status.ok()) return Error{status.error()};
        }
    }
}

}  // namespace nodenet::netlink
