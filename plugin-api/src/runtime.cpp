// Key functions of the runtime driver interfaces: their vtables and RTTI live once, in
// libukube-core, so a RuntimeError thrown in a driver's library is caught in the kubelet's.
#include "ukube/runtime/driver.h"

namespace ukube::runtime {

RuntimeError::RuntimeError(Code code, const std::string& message)
    : std::runtime_error(message), code_(code) {}
RuntimeError::~RuntimeError() = default;
StreamSession::~StreamSession() = default;
RuntimeDriver::~RuntimeDriver() = default;
RuntimeProvider::~RuntimeProvider() = default;

}  // namespace ukube::runtime
