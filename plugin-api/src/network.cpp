// Key functions of the network driver interfaces: their vtables and RTTI live once, in
// libukube-core, so a NetworkError thrown in a driver's library is caught in the kubelet's.
#include "ukube/network/driver.h"

namespace ukube::network {

NetworkError::~NetworkError() = default;
NetworkDriver::~NetworkDriver() = default;
NetworkProvider::~NetworkProvider() = default;

}  // namespace ukube::network
