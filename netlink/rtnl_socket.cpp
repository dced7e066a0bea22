#include "netlink/rtnl_socket.h"

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>
#include <string>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace nodenet::netlink {

void NlSockDeleter::operator()(nl_sock* sock) const { nl_socket_free(sock); }
void NlMsgDeleter::operator()(nl_msg* msg) const { nlmsg_free(msg); }

namespace {

struct NlCbDeleter {
    void operator()(nl_cb* cb) const { nl_cb_put(cb); }
};

// The most the kernel puts into one dump datagram (it sizes them by our first recvmsg, capped at
// 32 KiB); a single bigger message is still read whole thanks to MSG_PEEK.
constexpr size_t kReceiveBuffer = 32768;

struct DumpContext {
    const MessageHandler* on_message = nullptr;
    uint32_t seq = 0;
    bool done = false;
    bool interrupted = false;
    int kernel_errno = 0;
    std::string kernel_message;  // extended ack (NLMSGERR_ATTR_MSG), when the kernel gave one
    std::optional<Error> handler_error;
    size_t messages = 0;
};

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

int on_valid(nl_msg* msg, void* arg) {
    auto* ctx = static_cast<DumpContext*>(arg);
    ++ctx->messages;
    Status status = (*ctx->on_message)(nlmsg_hdr(msg));
    if (!status.ok()) {
        ctx->handler_error = Error{status.error()};
        return NL_STOP;
    }
    return NL_OK;
}

// NLMSG_DONE carries the dump's own status: a request the kernel rejects (strict checking) or a
// failure half-way arrives here, not as NLMSG_ERROR. libnl 3.7 ignores it, so read it ourselves.
int on_finish(nl_msg* msg, void* arg) {
    auto* ctx = static_cast<DumpContext*>(arg);
    const nlmsghdr* hdr = nlmsg_hdr(msg);
    ctx->done = true;
    if (hdr->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
        int status = 0;
        std::memcpy(&status, NLMSG_DATA(hdr), sizeof status);
        if (status < 0) {
            ctx->kernel_errno = -status;
            ctx->kernel_message = extended_ack_message(hdr, sizeof(int));
        }
    }
    return NL_STOP;
}

int on_error(sockaddr_nl*, nlmsgerr* err, void* arg) {
    auto* ctx = static_cast<DumpContext*>(arg);
    // libnl hands over the payload; the header it belongs to sits right before it.
    auto* hdr = reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(err) - NLMSG_HDRLEN);
    size_t payload = (hdr->nlmsg_flags & NLM_F_CAPPED) ? sizeof(nlmsgerr)
                                                       : sizeof(nlmsgerr) - sizeof(nlmsghdr) + err->msg.nlmsg_len;
    ctx->done = true;
    ctx->kernel_errno = -err->error;
    ctx->kernel_message = extended_ack_message(hdr, payload);
    return NL_STOP;
}

int on_dump_interrupted(nl_msg*, void* arg) {
    static_cast<DumpContext*>(arg)->interrupted = true;
    return NL_OK;  // read on to NLMSG_DONE so that the socket is clean for the next dump
}

// Answers to an earlier request (one abandoned after an error) must not be taken for this one's.
int on_seq_check(nl_msg* msg, void* arg) {
    return nlmsg_hdr(msg)->nlmsg_seq == static_cast<DumpContext*>(arg)->seq ? NL_OK : NL_SKIP;
}

std::string kernel_reason(const DumpContext& ctx) {
    std::string reason = std::strerror(ctx.kernel_errno);
    if (!ctx.kernel_message.empty()) reason += " (" + ctx.kernel_message + ")";
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

Result<DumpOutcome> RtnlSocket::dump(nl_msg* request, const MessageHandler& on_message) {
    nl_sock* sock = sock_.get();
    nlmsg_hdr(request)->nlmsg_seq = NL_AUTO_SEQ;  // a fresh number each time the request is sent
    int sent = nl_send_auto(sock, request);
    if (sent < 0) return Error{std::string("send: ") + nl_geterror(sent)};

    DumpContext ctx;
    ctx.on_message = &on_message;
    ctx.seq = nlmsg_hdr(request)->nlmsg_seq;
    std::unique_ptr<nl_cb, NlCbDeleter> cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb) return Error{"receive: out of memory"};
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ctx);
    nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &ctx);
    nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_interrupted, &ctx);
    nl_cb_set(cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_check, &ctx);
    nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &ctx);

    while (!ctx.done) {
        int err = nl_recvmsgs(sock, cb.get());
        if (ctx.handler_error) return *ctx.handler_error;
        if (ctx.kernel_errno != 0) return Error{kernel_reason(ctx)};
        if (err == -NLE_DUMP_INTR) {
            ctx.interrupted = true;
            break;
        }
        if (err < 0) return Error{std::string("receive: ") + nl_geterror(err)};
    }
    return DumpOutcome{ctx.messages, ctx.interrupted};
}

}  // namespace nodenet::netlink
