#include "discovery/io/inspect_http.h"

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace nodenet::discovery {

namespace {

// httplib's own ThreadPool queues accepted connections without bound, and every queued one holds
// a file descriptor the gRPC server needs too. This queue makes the accepting thread wait when
// kMaxQueued connections are waiting: new clients then wait in the kernel's listen backlog.
class BoundedPool : public httplib::TaskQueue {
public:
    static constexpr size_t kThreads = 2, kMaxQueued = 16;

    BoundedPool() {
        for (size_t i = 0; i < kThreads; ++i) threads_.emplace_back([this] { work(); });
    }
    void enqueue(std::function<void()> job) override {
        std::unique_lock lock(mu_);
        space_.wait(lock, [&] { return jobs_.size() < kMaxQueued || stop_; });
        jobs_.push_back(std::move(job));
        ready_.notify_one();
    }
    void shutdown() override {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        ready_.notify_all();
        space_.notify_all();
        for (auto& t : threads_) t.join();
    }

private:
    void work() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(mu_);
                ready_.wait(lock, [&] { return !jobs_.empty() || stop_; });
                if (jobs_.empty()) return;  // stopping, and nothing left to close
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            space_.notify_one();
            job();
        }
    }

    std::mutex mu_;
    std::condition_variable ready_, space_;
    std::deque<std::function<void()>> jobs_;
    bool stop_ = false;
    std::vector<std::thread> threads_;
};

class HttplibInspectServer : public InspectServer {
public:
    explicit HttplibInspectServer(std::function<std::string(std::string_view)> render) : render_(std::move(render)) {
        server_.new_task_queue = [] { return new BoundedPool; };
        server_.set_read_timeout(std::chrono::seconds(5));
        server_.set_write_timeout(std::chrono::seconds(5));
        server_.set_keep_alive_max_count(10);
        server_.set_payload_max_length(4096);  // GET only: a body is never read
        server_.Get("/inspect", [this](const httplib::Request& request, httplib::Response& response) {
            if (!request.has_param("clusterID")) {
                response.status = 400;
                response.set_content("missing clusterID\n", "text/plain");
                return;
            }
            response.set_content(render_(request.get_param_value("clusterID")), "application/json");
        });
    }
    ~HttplibInspectServer() override {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }

    Status start(const std::string& listen) {
        auto colon = listen.rfind(':');
        if (colon == std::string::npos) return Error{"--inspect " + listen + ": not ADDR:PORT"};
        std::string host = listen.substr(0, colon);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        int port = 0;
        try {
            port = std::stoi(listen.substr(colon + 1));
        } catch (const std::exception&) {
            return Error{"--inspect " + listen + ": the port is not a number"};
        }
        if (port <= 0 || port > 65535 || !server_.bind_to_port(host, port))
            return Error{"--inspect " + listen + ": cannot listen there"};
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        return success();
    }

private:
    std::function<std::string(std::string_view)> render_;
    httplib::Server server_;
    std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<InspectServer>> start_inspect_server(const std::string& listen,
                                                            std::function<std::string(std::string_view)> render) {
    auto server = std::make_unique<HttplibInspectServer>(std::move(render));
    if (auto s = server->start(listen); !s.ok()) return Error{s.error()};
    return std::unique_ptr<InspectServer>(std::move(server));
}

}  // namespace nodenet::discovery
