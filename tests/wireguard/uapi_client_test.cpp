// The UAPI client against a scripted daemon on a socket in a temporary directory: what it sends,
// and how it fails (no socket, refused, silent daemon, endless reply, cut reply). No root needed.
#include "wireguard/uapi_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <thread>

#include "tests/wireguard/fixtures.h"
#include "wireguard/backend.h"
#include "wireguard/uapi_codec.h"

namespace nodenet::wireguard {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::two_peer_device;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "nodenet-wg-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
};

int listen_at(const fs::path& path) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 4) != 0)
        throw std::runtime_error("cannot listen on " + path.native());
    return fd;
}

// Serves one connection: reads the request up to its empty line, hands it to `respond` with the
// connection, then waits for the client to hang up.
class FakeDaemon {
public:
    using Respond = std::function<void(int fd, const std::string& request)>;
    FakeDaemon(const fs::path& socket, Respond respond) : listen_fd_(listen_at(socket)) {
        thread_ = std::thread([this, respond] {
            int fd = accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) return;
            char buf[4096];
            while (reply_end(request_) == std::string::npos) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n <= 0) break;
                request_.append(buf, static_cast<size_t>(n));
            }
            respond(fd, request_);
            while (read(fd, buf, sizeof buf) > 0) {
            }
            close(fd);
        });
    }
    ~FakeDaemon() {
        shutdown(listen_fd_, SHUT_RDWR);
        thread_.join();
        close(listen_fd_);
    }
    // Valid once the client call has returned.
    const std::string& request() const { return request_; }

private:
    int listen_fd_;
    std::string request_;
    std::thread thread_;
};

void send_all(int fd, const std::string& text, size_t chunk = std::string::npos) {
    for (size_t at = 0; at < text.size();) {
        ssize_t n = send(fd, text.data() + at, std::min(chunk, text.size() - at), MSG_NOSIGNAL);
        if (n <= 0) return;
        at += static_cast<size_t>(n);
    }
}

TEST(WireguardUapiClient, GetsADevice) {
    TempDir dir;
    FakeDaemon daemon(dir.path / "wg0.sock", [](int fd, const std::string&) {
        send_all(fd, format_get_reply(two_peer_device()), 7);  // in pieces, as a stream may deliver it
    });
    auto d = UapiClient(dir.path).get("wg0");
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(*d, two_peer_device());
    EXPECT_EQ(daemon.request(), "get=1\n\n");
}

TEST(WireguardUapiClient, SetsADevice) {
    TempDir dir;
    FakeDaemon daemon(dir.path / "wg0.sock", [](int fd, const std::string&) { send_all(fd, "errno=0\n\n"); });
    Status s = UapiClient(dir.path).set("wg0", two_peer_device());
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ(daemon.request(), *set_request(two_peer_device()));
}

TEST(WireguardUapiClient, ErrorsNameTheDeviceAndWhatFailed) {
    TempDir dir;
    UapiClient client(dir.path, 300ms);
    EXPECT_EQ(client.get("wg0").error(),
              "wg0: uapi get: connect " + (dir.path / "wg0.sock").native() + ": No such file or directory");
    EXPECT_EQ(client.set("wg0", DeviceConfig{}).error(),
              "wg0: uapi set: connect " + (dir.path / "wg0.sock").native() + ": No such file or directory");
    EXPECT_EQ(client.get("../etc/x").error(), "../etc/x: uapi get: \"../etc/x\" is not a valid interface name");

    close(listen_at(dir.path / "stale.sock"));  // a daemon that died without removing its socket
    EXPECT_EQ(client.get("stale").error(),
              "stale: uapi get: connect " + (dir.path / "stale.sock").native() + ": Connection refused");
}

TEST(WireguardUapiClient, DeviceRefusal) {
    TempDir dir;
    FakeDaemon daemon(dir.path / "wg0.sock", [](int fd, const std::string&) { send_all(fd, "errno=-98\n\n"); });
    EXPECT_EQ(UapiClient(dir.path).set("wg0", two_peer_device()).error(),
              "wg0: uapi set: the device answered errno=-98 (Address already in use)");
}

TEST(WireguardUapiClient, BadReplyIsAnError) {
    TempDir dir;
    FakeDaemon daemon(dir.path / "wg0.sock", [](int fd, const std::string&) { send_all(fd, "listen_port=x\nerrno=0\n\n"); });
    EXPECT_EQ(UapiClient(dir.path).get("wg0").error(),
              "wg0: uapi get: reply line 1: listen_port \"x\" is not a port number");
}

TEST(WireguardUapiClient, SilentDaemonTimesOut) {
    TempDir dir;
    FakeDaemon daemon(dir.path / "wg0.sock", [](int, const std::string&) {});
    auto start = std::chrono::steady_clock::now();
    auto d = UapiClient(dir.path, 200ms).get("wg0");
    auto took = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error(), "wg0: uapi get: no complete reply within 200 ms");
    EXPECT_GE(took, 200ms);
    EXPECT_LT(took, 2s);
}

TEST(WireguardUapiClient, EndlessReplyIsCut) {
    TempDir dir;
    FakeDaemon daemon(dir.path / "wg0.sock", [](int fd, const std::string&) {
        std::string line = "rx_bytes=1\n";
        std::string block;
        while (block.size() < 65536) block += line;
        for (size_t sent = 0; sent < 6 * kMaxUapiReply; sent += block.size())
            if (send(fd, block.data(), block.size(), MSG_NOSIGNAL) <= 0) break;
    });
    EXPECT_EQ(UapiClient(dir.path).get("wg0").error(), "wg0: uapi get: reply larger than 4 MiB");
}

TEST(WireguardUapiClient, CutReplyIsAnError) {
    TempDir dir;
    FakeDaemon daemon(dir.path / "wg0.sock", [](int fd, const std::string&) {
        send_all(fd, "listen_port=1\n");
        shutdown(fd, SHUT_WR);
    });
    EXPECT_EQ(UapiClient(dir.path).get("wg0").error(),
              "wg0: uapi get: the daemon closed the connection before the end of its reply (14 bytes received)");
}

TEST(WireguardBackend, UserspaceWhenItsSocketExists) {
    TempDir dir;
    EXPECT_EQ(backend_for("wg0", dir.path)->name(), "kernel");
    std::ofstream(dir.path / "wg1.sock") << "not a socket";
    EXPECT_EQ(backend_for("wg1", dir.path)->name(), "kernel");
    close(listen_at(dir.path / "wg0.sock"));
    EXPECT_EQ(backend_for("wg0", dir.path)->name(), "userspace");
    EXPECT_EQ(backend_for("wg0", dir.path / "nowhere")->name(), "kernel");
    EXPECT_EQ(backend_for("../wg0", dir.path)->name(), "kernel");
}

}  // namespace
}  // namespace nodenet::wireguard
