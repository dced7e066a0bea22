// TEMPORARY until the session implementation lands.
#include "dhcp/io/session.h"
namespace nodenet::dhcp::io {
Result<std::unique_ptr<Session>> open_session4(loop::EventLoop&, RunnerOptions, SessionFailed) { return Error{"not yet"}; }
Result<std::unique_ptr<Session>> open_session6(loop::EventLoop&, Runner6Options, SessionFailed) { return Error{"not yet"}; }
}
